"""The endorsement chain (issue 29): levels as rules, one decision per level, the phase
moving only at the last level, a return restarting the chain, nobody deciding twice, and
acting focal points inside (and only inside) their dates."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from checklists import workflow
from checklists.models import (
    ActingAssignment,
    AuditAction,
    AuditEntry,
    ChecklistStatus,
    Decision,
    EndorsementRule,
    Phase,
    Review,
    RuleCondition,
    endorsement_of,
)
from checklists.workflow import endorsement
from projects import permissions
from projects.models import Sector
from tests.factories import Role, make_office, make_project, make_user

from .test_review import decide, submitted_checklist

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(db):
    hq = make_office(code="HQ", name="Headquarters", is_headquarters=True)
    mena = make_office(code="MENA", name="Middle East and North Africa", parent=hq)
    iraq = make_office(code="IRQ", name="Iraq", parent=mena)
    return {"HQ": hq, "MENA": mena, "IRQ": iraq}


@pytest.fixture
def people(tree):
    return {
        "staff": make_user(office=tree["IRQ"], role=Role.STAFF, username="staff.iraq"),
        "focal": make_user(office=tree["IRQ"], role=Role.FOCAL_POINT, username="focal.iraq"),
        "mena": make_user(office=tree["MENA"], role=Role.FOCAL_POINT, username="focal.mena"),
        "hq": make_user(office=tree["HQ"], role=Role.FOCAL_POINT, username="focal.hq"),
    }


def rule(tree, level_code, condition=RuleCondition.ALWAYS, *, order=1, **fields):
    sectors = fields.pop("sectors", [])
    made = EndorsementRule.objects.create(
        office=tree["MENA"],
        phase=Phase.objects.get(code="design"),
        level_office=tree[level_code],
        order=order,
        condition=condition,
        **fields,
    )
    made.sectors.set(sectors)
    return made


def project_in(tree, *sector_codes, **fields):
    sectors = list(Sector.objects.filter(code__in=sector_codes or ["shelter"]))
    return make_project(office=tree["IRQ"], sectors=sectors, **fields)


def test_a_two_level_chain_end_to_end(client, tree, people):
    rule(tree, "MENA")
    project = project_in(tree)
    checklist = submitted_checklist(project, people["staff"])

    client.force_login(people["focal"])
    assert decide(client, checklist, "approved").status_code == 302
    checklist.refresh_from_db()
    project.refresh_from_db()
    # Level 1 approved: still submitted, now waiting for the region; the phase has not moved.
    assert checklist.status == ChecklistStatus.SUBMITTED
    assert (checklist.waiting_level, checklist.waiting_office) == (2, tree["MENA"])
    assert project.current_phase.code == "design"
    assert AuditEntry.objects.filter(
        checklist=checklist, action=AuditAction.LEVEL_ENDORSED
    ).exists()
    assert checklist not in permissions.review_queue(people["focal"])
    assert checklist in permissions.review_queue(people["mena"])

    # The review page shows the chain and who waits.
    client.force_login(people["mena"])
    page = client.get(reverse("checklists:review", args=[checklist.pk]))
    assert page.status_code == 200
    assert "Middle East and North Africa" in page.text
    assert "focal.iraq" in page.text or "Focal" in page.text

    assert decide(client, checklist, "approved").status_code == 302
    checklist.refresh_from_db()
    project.refresh_from_db()
    assert checklist.status == ChecklistStatus.APPROVED
    assert project.current_phase.code == "endorsement"
    levels = list(Review.objects.filter(checklist=checklist).values_list("level", "reviewer"))
    assert sorted(levels) == [(1, people["focal"].pk), (2, people["mena"].pk)]
    assert AuditEntry.objects.filter(project=project, action=AuditAction.PHASE_CHANGED).count() == 1


def test_no_rule_keeps_one_level(tree, people):
    project = project_in(tree)
    checklist = submitted_checklist(project, people["staff"])
    workflow.decide_checklist(checklist=checklist, reviewer=people["focal"], decision="approved")
    checklist.refresh_from_db()
    assert checklist.status == ChecklistStatus.APPROVED


def test_a_sectors_rule_brings_the_region_in_only_for_a_transport_project(tree, people):
    rule(tree, "MENA", RuleCondition.SECTORS, sectors=Sector.objects.filter(code="transport"))
    transport = submitted_checklist(project_in(tree, "transport"), people["staff"])
    shelter = submitted_checklist(project_in(tree, "shelter"), people["staff"])

    assert [lv.office for lv in endorsement.chain_of(transport)] == [tree["IRQ"], tree["MENA"]]
    assert [lv.office for lv in endorsement.chain_of(shelter)] == [tree["IRQ"]]
    for checklist in (transport, shelter):
        workflow.decide_checklist(
            checklist=checklist, reviewer=people["focal"], decision="approved"
        )
        checklist.refresh_from_db()
    assert transport.status == ChecklistStatus.SUBMITTED
    assert transport.waiting_office == tree["MENA"]
    assert shelter.status == ChecklistStatus.APPROVED


def test_budget_and_conditions_below_rules(tree, people):
    rule(tree, "MENA", RuleCondition.CONDITIONS_BELOW, order=1)
    rule(tree, "HQ", RuleCondition.BUDGET_ABOVE, order=2, amount=Decimal("1000000"))
    big = submitted_checklist(project_in(tree, budget=Decimal("2500000")), people["staff"])
    workflow.decide_checklist(checklist=big, reviewer=people["focal"], decision="approved")
    big.refresh_from_db()
    # Approved without conditions: the region is not asked; the budget brings HQ in.
    assert (big.status, big.waiting_level, big.waiting_office) == ("submitted", 2, tree["HQ"])

    small = submitted_checklist(project_in(tree, budget=Decimal("500")), people["staff"])
    workflow.decide_checklist(
        checklist=small,
        reviewer=people["focal"],
        decision=Decision.APPROVED_WITH_CONDITIONS,
        conditions=[
            workflow.Condition("Train the drivers", people["staff"], datetime.date(2027, 3, 1))
        ],
    )
    small.refresh_from_db()
    assert (small.status, small.waiting_office) == ("submitted", tree["MENA"])


def test_a_return_at_the_second_level_goes_back_to_staff_and_restarts_the_chain(
    client, tree, people
):
    rule(tree, "MENA")
    project = project_in(tree)
    checklist = submitted_checklist(project, people["staff"])
    workflow.decide_checklist(checklist=checklist, reviewer=people["focal"], decision="approved")

    client.force_login(people["mena"])
    response = decide(client, checklist, "returned", comment="The referral pathway is missing.")
    assert response.status_code == 302
    checklist.refresh_from_db()
    assert checklist.status == ChecklistStatus.RETURNED
    assert (checklist.waiting_level, checklist.waiting_office) == (1, None)
    assert checklist in permissions.checklists_to_revise(people["staff"])

    # Resubmitted: level 1 decides again; the earlier round's reviews stay as history.
    workflow.submit_checklist(checklist=checklist, user=people["staff"])
    checklist.refresh_from_db()
    assert checklist in permissions.review_queue(people["focal"])
    assert (checklist.waiting_level, checklist.waiting_office) == (1, None)
    assert endorsement.round_reviews(checklist) == []
    assert checklist.reviews.count() == 2
    workflow.decide_checklist(checklist=checklist, reviewer=people["focal"], decision="approved")
    checklist.refresh_from_db()
    assert checklist.waiting_level == 2


def test_the_same_person_is_refused_at_two_levels(client, tree, people):
    rule(tree, "MENA")
    checklist = submitted_checklist(project_in(tree), people["staff"])
    # focal.hq is a focal point above Iraq, so may decide at level 1 ...
    workflow.decide_checklist(checklist=checklist, reviewer=people["hq"], decision="approved")
    checklist.refresh_from_db()
    # ... and above MENA, but not again at level 2 of the same round.
    assert checklist not in permissions.review_queue(people["hq"])
    client.force_login(people["hq"])
    page = client.get(reverse("checklists:review", args=[checklist.pk]))
    assert "You decided at level 1 of this checklist" in page.text
    with pytest.raises(workflow.WorkflowError, match="level 1"):
        workflow.decide_checklist(checklist=checklist, reviewer=people["hq"], decision="approved")
    client.force_login(people["hq"])
    response = decide(client, checklist, "approved")
    assert response.status_code == 409
    assert "another focal point must decide" in response.text
    checklist.refresh_from_db()
    assert checklist.status == ChecklistStatus.SUBMITTED
    assert checklist.reviews.count() == 1


def test_a_country_focal_point_cannot_decide_at_the_regional_level(client, tree, people):
    rule(tree, "MENA")
    checklist = submitted_checklist(project_in(tree), people["staff"])
    workflow.decide_checklist(checklist=checklist, reviewer=people["focal"], decision="approved")
    other_iraq_focal = make_user(office=tree["IRQ"], role=Role.FOCAL_POINT)
    checklist.refresh_from_db()
    assert not permissions.may_decide_on(other_iraq_focal, checklist)
    with pytest.raises(workflow.WorkflowError, match="level 2"):
        workflow.decide_checklist(
            checklist=checklist, reviewer=other_iraq_focal, decision="approved"
        )


def acting(people, tree, start, end, office="MENA", focal="mena"):
    return ActingAssignment.objects.create(
        focal_point=people[focal],
        acting=people["deputy"],
        office=tree[office],
        starts_on=start,
        ends_on=end,
        created_by=people[focal],
    )


def test_an_acting_focal_point_decides_inside_the_dates_and_is_refused_outside(tree, people):
    rule(tree, "MENA")
    people["deputy"] = make_user(office=tree["MENA"], role=Role.STAFF, username="deputy.mena")
    today = timezone.localdate()
    checklist = submitted_checklist(project_in(tree), people["staff"])
    workflow.decide_checklist(checklist=checklist, reviewer=people["focal"], decision="approved")
    checklist.refresh_from_db()

    assignment = acting(
        people, tree, today + datetime.timedelta(days=1), today + datetime.timedelta(days=5)
    )
    deputy = type(people["deputy"]).objects.get(pk=people["deputy"].pk)
    assert checklist not in permissions.review_queue(deputy)
    with pytest.raises(workflow.WorkflowError):
        workflow.decide_checklist(checklist=checklist, reviewer=deputy, decision="approved")

    assignment.starts_on = today - datetime.timedelta(days=2)
    assignment.save()
    deputy = type(deputy).objects.get(pk=deputy.pk)  # a new request
    assert checklist in permissions.review_queue(deputy)
    review = workflow.decide_checklist(checklist=checklist, reviewer=deputy, decision="approved")
    assert review.acting_for == people["mena"]
    assert review.level == 2
    checklist.refresh_from_db()
    assert checklist.status == ChecklistStatus.APPROVED

    # Ended yesterday: nothing left.
    assignment.ends_on = today - datetime.timedelta(days=1)
    assignment.save()
    assert not ActingAssignment.objects.active_on(today).exists()


def test_an_acting_assignment_must_be_sensible(tree, people):
    outsider = make_user(office=make_office(code="LAC"), role=Role.STAFF)
    today = timezone.localdate()
    bad = ActingAssignment(
        focal_point=people["staff"],
        acting=outsider,
        office=tree["IRQ"],
        starts_on=today,
        ends_on=today - datetime.timedelta(days=1),
    )
    with pytest.raises(ValidationError) as error:
        bad.full_clean()
    assert set(error.value.message_dict) >= {"ends_on", "acting", "focal_point"}


def test_no_approval_without_a_person(tree, people):
    """Every approval names who decided; nothing in the chain approves by itself."""
    rule(tree, "MENA", reminder_after_days=1, escalate_after_days=1)
    checklist = submitted_checklist(project_in(tree), people["staff"])
    workflow.decide_checklist(checklist=checklist, reviewer=people["focal"], decision="approved")
    assert not Review.objects.filter(reviewer__isnull=True).exists()


def test_a_reminder_then_an_escalation_with_the_clock_moved_and_never_twice(
    tree, people, django_capture_on_commit_callbacks, mailoutbox
):
    from checklists.endorsement_reminders import send_endorsement_reminders
    from checklists.models import EndorsementNotice, MailKind, OutgoingMail
    from checklists.notifications import deliver_due_mail

    rule(tree, "MENA", reminder_after_days=3, escalate_after_days=4)
    manager = make_user(office=tree["IRQ"], role=Role.MANAGER, username="manager.iraq")
    for person in (*people.values(), manager):
        person.email = f"{person.username}@example.org"
        person.save()
    checklist = submitted_checklist(project_in(tree), people["staff"])
    workflow.decide_checklist(checklist=checklist, reviewer=people["focal"], decision="approved")
    checklist.refresh_from_db()
    OutgoingMail.objects.all().delete()
    start = checklist.waiting_since

    assert send_endorsement_reminders(now=start + datetime.timedelta(days=2)) == {
        "reminder": 0,
        "escalation": 0,
    }
    three_days = start + datetime.timedelta(days=3, hours=1)
    assert send_endorsement_reminders(now=three_days)["reminder"] == 1
    assert send_endorsement_reminders(now=three_days)["reminder"] == 0  # never twice
    reminded = OutgoingMail.objects.filter(kind=MailKind.ENDORSEMENT_WAITING)
    # The regional level's focal points; not focal.iraq, who decided at level 1.
    assert set(reminded.values_list("recipient__username", flat=True)) == {"focal.mena"}

    seven_days = start + datetime.timedelta(days=7, hours=1)
    assert send_endorsement_reminders(now=seven_days) == {"reminder": 0, "escalation": 1}
    assert send_endorsement_reminders(now=seven_days)["escalation"] == 0
    late = OutgoingMail.objects.filter(kind=MailKind.ENDORSEMENT_LATE)
    assert set(late.values_list("recipient__username", flat=True)) == {"focal.hq", "manager.iraq"}
    assert EndorsementNotice.objects.filter(checklist=checklist).count() == 2

    deliver_due_mail()
    subjects = [m.subject for m in mailoutbox]
    assert any(s.startswith("Reminder:") for s in subjects)
    assert any("Waiting too long" in s and "level 2" in s for s in subjects)
    # Nothing was approved by the waiting.
    checklist.refresh_from_db()
    assert checklist.status == ChecklistStatus.SUBMITTED
    assert checklist.reviews.count() == 1


def test_the_project_pdf_shows_each_levels_decision(client, tree, people):
    from .test_reports import flat, pdf_text

    rule(tree, "MENA")
    people["deputy"] = make_user(
        office=tree["MENA"], role=Role.STAFF, username="deputy.mena", first_name="Dana"
    )
    today = timezone.localdate()
    project = project_in(tree)
    checklist = submitted_checklist(project, people["staff"])
    workflow.decide_checklist(checklist=checklist, reviewer=people["focal"], decision="approved")
    acting(people, tree, today, today)
    checklist.refresh_from_db()
    workflow.decide_checklist(checklist=checklist, reviewer=people["deputy"], decision="approved")

    client.force_login(people["mena"])
    response = client.get(reverse("checklists:project-report", args=[project.pk]))
    assert response.status_code == 200
    text = flat(pdf_text(response.content))
    assert "Level 1 (Iraq): Approved" in text
    assert "Level 2 (Middle East and North Africa): Approved" in text
    assert "acting for focal.mena" in text


def test_the_demo_puts_iraq_under_the_region_with_one_project_waiting_for_focal_mena(
    settings,
):
    import io

    from django.core.management import call_command

    from checklists.models import Checklist
    from projects.models import Office

    settings.DEBUG = True
    for _run in range(2):  # idempotent
        call_command("load_demo_data", stdout=io.StringIO())
    mena = Office.objects.get(code="MENA")
    assert mena.name == "Middle East and North Africa"
    assert set(mena.children.values_list("code", flat=True)) == {"IRQ", "JOR"}
    assert mena.parent.code == "HQ"
    waiting = Checklist.objects.get(project__code="IRQ-TRN-2026-04", phase__code="endorsement")
    assert (waiting.status, waiting.waiting_office) == ("submitted", mena)
    assert waiting.reviews.get().reviewer.username == "focal.iraq"
    focal_mena = type(waiting.submitted_by).objects.get(username="focal.mena")
    assert waiting in permissions.review_queue(focal_mena)
    assert EndorsementRule.objects.count() == 4
    # Projects past endorsement went through every level of their chain.
    camp = Checklist.objects.get(project__code="IRQ-CMP-2026-03", phase__code="endorsement")
    assert camp.status == ChecklistStatus.APPROVED
    assert sorted(camp.reviews.values_list("level_office__code", flat=True)) == [
        "HQ",
        "IRQ",
        "MENA",
    ]


def test_the_dashboard_shows_where_endorsements_wait_in_constant_queries(
    client, tree, people, query_count
):
    rule(tree, "MENA")
    manager = make_user(office=tree["MENA"], role=Role.MANAGER)
    client.force_login(manager)

    def add(count):
        for _index in range(count):
            checklist = submitted_checklist(project_in(tree), people["staff"], item_count=1)
            workflow.decide_checklist(
                checklist=checklist, reviewer=people["focal"], decision="approved"
            )
        submitted_checklist(project_in(tree), people["staff"], item_count=1)

    add(1)
    small, response = query_count(lambda: client.get(reverse("checklists:dashboard")))
    assert response.status_code == 200
    add(4)
    # Two of the level-2 waits are old.
    from checklists.models import Checklist

    old = timezone.now() - datetime.timedelta(days=20)
    waiting = Checklist.objects.filter(waiting_level=2).order_by("pk")[:2]
    Checklist.objects.filter(pk__in=[c.pk for c in waiting]).update(waiting_since=old)
    large, response = query_count(lambda: client.get(reverse("checklists:dashboard")))
    assert large == small
    table = response.text[response.text.index('id="endorsement-waits"') :]
    table = table[: table.index("</table>")]
    assert "Level 1" in table and "Level 2" in table
    assert "<strong>2 checklists</strong>" in table  # level 2, over 14 days
    assert "3 checklists" in table  # level 2, under 7 days


def test_the_project_is_endorsed_only_when_the_last_level_approves(client, tree, people):
    rule(tree, "MENA")
    project = project_in(tree)
    design = submitted_checklist(project, people["staff"])
    workflow.decide_checklist(checklist=design, reviewer=people["focal"], decision="approved")
    design.refresh_from_db()
    workflow.decide_checklist(checklist=design, reviewer=people["mena"], decision="approved")
    EndorsementRule.objects.update(phase=Phase.objects.get(code="endorsement"))
    checklist = submitted_checklist(project, people["staff"], phase_code="endorsement")
    workflow.decide_checklist(checklist=checklist, reviewer=people["focal"], decision="approved")

    client.force_login(people["mena"])
    page = client.get(reverse("checklists:project", args=[project.pk]))
    assert 'id="endorsement"' not in page.text
    assert endorsement_of(project) is None
    checklist.refresh_from_db()
    workflow.decide_checklist(checklist=checklist, reviewer=people["mena"], decision="approved")
    page = client.get(reverse("checklists:project", args=[project.pk]))
    assert 'id="endorsement"' in page.text
    assert endorsement_of(project).reviewer == people["mena"]


def test_a_focal_point_names_and_ends_an_acting_focal_point_on_the_page(client, tree, people):
    deputy = make_user(office=tree["IRQ"], role=Role.STAFF, username="deputy.iraq")
    client.force_login(people["focal"])
    url = reverse("checklists:acting")
    today = timezone.localdate()
    page = client.get(url)
    assert page.status_code == 200 and "deputy.iraq" in page.text
    refused = client.post(
        url,
        {
            "office": tree["IRQ"].pk,
            "acting": deputy.pk,
            "starts_on": today.isoformat(),
            "ends_on": (today - datetime.timedelta(days=3)).isoformat(),
        },
    )
    assert refused.status_code == 400
    assert "The end date cannot be before the start date." in refused.text
    assert not ActingAssignment.objects.exists()
    response = client.post(
        url,
        {
            "office": tree["IRQ"].pk,
            "acting": deputy.pk,
            "starts_on": today.isoformat(),
            "ends_on": (today + datetime.timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 302
    assignment = ActingAssignment.objects.get()
    assert (assignment.focal_point, assignment.acting, assignment.created_by) == (
        people["focal"],
        deputy,
        people["focal"],
    )
    assert permissions.acting_for(deputy, tree["IRQ"].pk) == people["focal"].pk
    client.post(reverse("checklists:acting-end", args=[assignment.pk]))
    assignment.refresh_from_db()
    assert assignment.ends_on < today
    fresh = type(deputy).objects.get(pk=deputy.pk)
    assert permissions.acting_for(fresh, tree["IRQ"].pk) is None
