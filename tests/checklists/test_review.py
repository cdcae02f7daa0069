"""Review and endorsement: decisions, separation of duties, phase moves, mails, history."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from checklists import workflow
from checklists.models import (
    ActionPoint,
    Answer,
    AuditAction,
    AuditEntry,
    Checklist,
    ChecklistStatus,
    Decision,
    Phase,
    Review,
)
from projects.models import Membership, Profile, Role

from ..factories import (
    answer_data,
    make_checklist,
    make_project,
    make_user,
    response_inputs_in,
)

pytestmark = pytest.mark.django_db


def submitted_checklist(project, staff, *, item_count=4, phase_code="design", critical_no=False):
    """A checklist filled with 'yes' (or a critical 'no' first) and submitted by ``staff``."""
    checklist = make_checklist(
        project=project, user=staff, item_count=item_count, phase_code=phase_code
    )
    answers = list(checklist.answers.select_related("item").order_by("item__order"))
    for index, answer in enumerate(answers):
        values = workflow.AnswerInput(response="yes")
        if critical_no and index == 0:
            answer.item.__class__.objects.filter(pk=answer.item_id).update(critical=True)
            values = workflow.AnswerInput(
                response="no",
                action_description="Fix it",
                action_owner=staff,
                action_due=datetime.date(2027, 1, 31),
            )
        workflow.save_answer(
            checklist=checklist, answer_id=answer.pk, user=staff, values=values, based_on_version=0
        )
    workflow.submit_checklist(checklist=checklist, user=staff)
    checklist.refresh_from_db()
    return checklist


def decide(client, checklist, decision, comment="", **extra):
    data = {
        "decision": decision,
        "comment": comment,
        "condition-TOTAL_FORMS": "3",
        "condition-INITIAL_FORMS": "0",
        "condition-MIN_NUM_FORMS": "0",
        "condition-MAX_NUM_FORMS": "20",
        **extra,
    }
    return client.post(reverse("checklists:review", args=[checklist.pk]), data)


@pytest.fixture
def design_checklist(project_a, staff_a):
    return submitted_checklist(project_a, staff_a)


def test_focal_point_home_shows_the_review_queue_oldest_first(
    client, focal_a, staff_a, office_a, project_b, outsider_b
):
    older = submitted_checklist(
        make_project(office=office_a, code="IRQ-OLD"), staff_a, critical_no=True
    )
    newer = submitted_checklist(make_project(office=office_a, code="IRQ-NEW"), staff_a)
    Checklist.objects.filter(pk=older.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=3)
    )
    submitted_checklist(project_b, outsider_b)  # another office: not in the queue
    client.force_login(focal_a)
    body = client.get(reverse("checklists:home")).content.decode()
    queue = body.split('id="review-queue"')[1].split("</table>")[0]
    assert queue.index("IRQ-OLD") < queue.index("IRQ-NEW")
    assert project_b.code not in queue
    assert "staff_a" in queue or staff_a.get_full_name() in queue
    assert reverse("checklists:review", args=[newer.pk]) in queue
    assert "Red: serious gaps" in queue  # safety: only a critical "no", 0%
    assert '<strong class="text-danger">1</strong>' in queue


def test_review_page_shows_critical_gaps_first(client, focal_a, project_a, staff_a):
    checklist = submitted_checklist(project_a, staff_a, critical_no=True)
    client.force_login(focal_a)
    body = client.get(reverse("checklists:review", args=[checklist.pk])).content.decode()
    first_code = checklist.answers.order_by("item__order").first().item.code
    critical_section = body.split('id="critical-heading"')[1].split("</section>")[0]
    assert first_code in critical_section and "Fix it" in critical_section
    assert "Record the decision" in body


def test_approving_a_design_checklist_moves_the_project_to_endorsement(
    client, focal_a, staff_a, design_checklist, django_capture_on_commit_callbacks
):
    staff_a.email = "staff@example.org"
    staff_a.save()
    client.force_login(focal_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client, design_checklist, Decision.APPROVED, "Good work")
    assert response.status_code == 302
    design_checklist.refresh_from_db()
    assert design_checklist.status == ChecklistStatus.APPROVED
    review = Review.objects.get(checklist=design_checklist)
    assert review.reviewer == focal_a and review.decision == Decision.APPROVED
    project = design_checklist.project
    project.refresh_from_db()
    assert project.current_phase.code == "endorsement"
    assert AuditEntry.objects.filter(project=project, action=AuditAction.PHASE_CHANGED).exists()
    assert [m.to for m in mail.outbox] == [["staff@example.org"]]
    assert "Approved" in mail.outbox[0].subject and "Good work" in mail.outbox[0].body


def test_approval_with_conditions_turns_each_condition_into_an_action_point(
    client, focal_a, staff_a, design_checklist
):
    client.force_login(focal_a)
    response = decide(
        client,
        design_checklist,
        Decision.APPROVED_WITH_CONDITIONS,
        **{
            "condition-0-description": "Budget sign language interpretation",
            "condition-0-owner": str(staff_a.pk),
            "condition-0-due_date": "2027-03-01",
        },
    )
    assert response.status_code == 302
    review = Review.objects.get(checklist=design_checklist)
    condition = ActionPoint.objects.get(review=review)
    assert condition.project == design_checklist.project and condition.owner == staff_a
    assert condition.due_date == datetime.date(2027, 3, 1) and condition.answer is None
    client.force_login(staff_a)
    page = client.get(
        reverse("checklists:action-points", args=[design_checklist.project.pk])
    ).content.decode()
    assert "Budget sign language interpretation" in page and "Condition of a review" in page


def test_approval_with_conditions_needs_a_complete_condition(
    client, focal_a, staff_a, design_checklist
):
    client.force_login(focal_a)
    response = decide(client, design_checklist, Decision.APPROVED_WITH_CONDITIONS)
    assert response.status_code == 409
    assert "Add at least one condition" in response.content.decode()
    response = decide(
        client,
        design_checklist,
        Decision.APPROVED_WITH_CONDITIONS,
        **{"condition-0-description": "Half a condition"},
    )
    assert response.status_code == 400
    assert "needs what must be done, an owner and a due date" in response.content.decode()
    assert "Half a condition" in response.content.decode()
    design_checklist.refresh_from_db()
    assert design_checklist.status == ChecklistStatus.SUBMITTED and not Review.objects.exists()


def test_return_needs_a_comment_then_staff_see_comments_and_resubmit(
    client, focal_a, staff_a, design_checklist
):
    client.force_login(focal_a)
    response = decide(client, design_checklist, Decision.RETURNED, "")
    assert response.status_code == 400
    assert "a comment is required to return it" in response.content.decode()

    answer = design_checklist.answers.order_by("item__order").first()
    response = decide(
        client,
        design_checklist,
        Decision.RETURNED,
        "Consult women's groups first",
        **{f"comment_{answer.pk}": "Which groups did you consult?"},
    )
    assert response.status_code == 302
    design_checklist.refresh_from_db()
    assert design_checklist.status == ChecklistStatus.RETURNED

    client.force_login(staff_a)
    page = client.get(reverse("checklists:detail", args=[design_checklist.pk])).content.decode()
    assert "Which groups did you consult?" in page and "Consult women&#x27;s groups first" in page
    assert response_inputs_in(page)  # editable again
    saved = client.post(
        reverse("checklists:answer-save", args=[design_checklist.pk, answer.pk]),
        answer_data(Answer.objects.get(pk=answer.pk), response="yes", comment="Three groups"),
    )
    assert saved.status_code == 200
    workflow.submit_checklist(checklist=design_checklist, user=staff_a)
    design_checklist.refresh_from_db()
    assert design_checklist.status == ChecklistStatus.SUBMITTED


def test_endorsement_approval_is_the_projects_endorsement(client, focal_a, staff_a, office_a):
    project = make_project(office=office_a, current_phase=Phase.objects.get(code="endorsement"))
    checklist = submitted_checklist(project, staff_a, phase_code="endorsement")
    client.force_login(focal_a)
    decide(
        client,
        checklist,
        Decision.APPROVED_WITH_CONDITIONS,
        **{
            "condition-0-description": "Hire a disability inclusion adviser",
            "condition-0-owner": str(staff_a.pk),
            "condition-0-due_date": "2027-02-01",
        },
    )
    project.refresh_from_db()
    assert project.current_phase.code == "implementation"
    body = client.get(reverse("checklists:project", args=[project.pk])).content.decode()
    today = timezone.localdate()
    assert (
        f"Endorsed with conditions on {today:%b}" in body or "Endorsed with conditions on" in body
    )
    assert focal_a.username in body.split('id="endorsement"')[1].split("</p>")[0]


def test_move_to_evaluation_needs_an_approved_monitoring_round(client, staff_a, focal_a, office_a):
    project = make_project(office=office_a, current_phase=Phase.objects.get(code="implementation"))
    client.force_login(staff_a)
    url = reverse("checklists:move-to-evaluation", args=[project.pk])
    response = client.post(url, follow=True)
    assert "A monitoring round must be approved" in response.content.decode()
    project.refresh_from_db()
    assert project.current_phase.code == "implementation"
    checklist = submitted_checklist(project, staff_a, phase_code="implementation")
    workflow.decide_checklist(checklist=checklist, reviewer=focal_a, decision=Decision.APPROVED)
    assert (
        "Move the project to evaluation"
        in client.get(reverse("checklists:project", args=[project.pk])).content.decode()
    )
    assert client.post(url).status_code == 302
    project.refresh_from_db()
    assert project.current_phase.code == "evaluation"
    assert client.get(url).status_code == 405


# --- Refused transitions -----------------------------------------------------------------


def test_focal_point_never_decides_on_what_they_submitted(client, office_a, project_a):
    both = make_user(office=office_a, role=Role.FOCAL_POINT, username="both")
    Membership.objects.create(user=both, office=office_a, role=Role.STAFF)
    checklist = submitted_checklist(project_a, both)
    client.force_login(both)
    page = client.get(reverse("checklists:review", args=[checklist.pk])).content.decode()
    assert "another focal point must review it" in page and "Record the decision" not in page
    response = decide(client, checklist, Decision.APPROVED)
    assert response.status_code == 409
    assert "another focal point must review it" in response.content.decode()
    checklist.refresh_from_db()
    assert checklist.status == ChecklistStatus.SUBMITTED and not Review.objects.exists()


def test_ones_own_submission_is_not_in_ones_review_queue(client, office_a, project_a, focal_a):
    both = make_user(office=office_a, role=Role.FOCAL_POINT, username="both")
    Membership.objects.create(user=both, office=office_a, role=Role.STAFF)
    checklist = submitted_checklist(project_a, both)
    review_url = reverse("checklists:review", args=[checklist.pk])
    project_url = project_a.get_absolute_url()
    checklist_url = reverse("checklists:detail", args=[checklist.pk])
    client.force_login(both)
    home = client.get(reverse("checklists:home")).content.decode()
    assert review_url not in home  # nothing to decide here: another focal point does
    # Nor a "review" link on the project's or the checklist's page (one rule everywhere).
    assert review_url not in client.get(project_url).content.decode()
    assert review_url not in client.get(checklist_url).content.decode()
    client.force_login(focal_a)
    assert review_url in client.get(reverse("checklists:home")).content.decode()
    assert review_url in client.get(project_url).content.decode()
    assert review_url in client.get(checklist_url).content.decode()


def test_deciding_twice_is_refused_and_changes_nothing(client, focal_a, office_a, design_checklist):
    other_focal = make_user(
        office=office_a, role=Role.FOCAL_POINT, first_name="Claire", last_name="Dubois"
    )
    workflow.decide_checklist(
        checklist=design_checklist, reviewer=other_focal, decision=Decision.APPROVED
    )
    client.force_login(focal_a)
    response = decide(client, design_checklist, Decision.RETURNED, "Too late")
    assert response.status_code in (400, 409)
    assert Review.objects.count() == 1
    design_checklist.refresh_from_db()
    assert design_checklist.status == ChecklistStatus.APPROVED
    with pytest.raises(workflow.WorkflowError, match="Claire Dubois already decided"):
        workflow.decide_checklist(
            checklist=design_checklist, reviewer=focal_a, decision=Decision.RETURNED, comment="x"
        )


def test_a_draft_cannot_be_approved(focal_a, staff_a, project_a):
    draft = make_checklist(project=project_a, user=staff_a)
    with pytest.raises(workflow.WorkflowError, match="not waiting for a review"):
        workflow.decide_checklist(checklist=draft, reviewer=focal_a, decision=Decision.APPROVED)
    draft.refresh_from_db()
    assert draft.status == ChecklistStatus.DRAFT


def test_approved_checklist_cannot_be_edited(client, focal_a, staff_a, design_checklist):
    workflow.decide_checklist(
        checklist=design_checklist, reviewer=focal_a, decision=Decision.APPROVED
    )
    client.force_login(staff_a)
    answer = design_checklist.answers.first()
    response = client.post(
        reverse("checklists:answer-save", args=[design_checklist.pk, answer.pk]),
        answer_data(answer, response="no"),
    )
    assert response.status_code == 409
    assert Answer.objects.get(pk=answer.pk).response == "yes"
    with pytest.raises(workflow.WorkflowError):
        workflow.submit_checklist(checklist=design_checklist, user=staff_a)


@pytest.mark.parametrize(
    ("user_fixture", "status"),
    [("staff_a", 403), ("manager_a", 403), ("outsider_b", 404), ("hq_manager", 403)],
)
def test_only_focal_points_of_the_office_open_the_review(
    client, request, design_checklist, user_fixture, status
):
    client.force_login(request.getfixturevalue(user_fixture))
    assert (
        client.get(reverse("checklists:review", args=[design_checklist.pk])).status_code == status
    )
    assert decide(client, design_checklist, Decision.APPROVED).status_code == status
    design_checklist.refresh_from_db()
    assert design_checklist.status == ChecklistStatus.SUBMITTED


@pytest.mark.django_db(transaction=True)
def test_two_focal_points_deciding_at_once_one_wins_the_other_is_told(framework, office_a, staff_a):
    # PostgreSQL: the project and checklist row locks make one wait; SQLite: IMMEDIATE
    # transactions queue the two writers. Either way exactly one decision is recorded, and
    # the one who waited is told, whatever the approval did to the project meanwhile.
    focal_1 = make_user(office=office_a, role=Role.FOCAL_POINT, username="focal_1")
    focal_2 = make_user(office=office_a, role=Role.FOCAL_POINT, username="focal_2")
    for _race in range(6):
        checklist = submitted_checklist(make_project(office=office_a), staff_a)
        barrier = threading.Barrier(2)
        outcomes = {}

        def decide_as(
            user, decision, comment, checklist=checklist, outcomes=outcomes, barrier=barrier
        ):
            barrier.wait()
            try:
                workflow.decide_checklist(
                    checklist=checklist, reviewer=user, decision=decision, comment=comment
                )
                outcomes[user.username] = "won"
            except workflow.WorkflowError as error:
                outcomes[user.username] = error.message
            except Exception as error:  # the test fails on it below
                outcomes[user.username] = repr(error)
            finally:
                connection.close()

        threads = [
            threading.Thread(target=decide_as, args=(focal_1, Decision.APPROVED, "")),
            threading.Thread(target=decide_as, args=(focal_2, Decision.RETURNED, "Redo")),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes.values()).count("won") == 1, outcomes
        loser_message = next(m for m in outcomes.values() if m != "won")
        assert "already decided on this checklist" in loser_message, outcomes
        assert Review.objects.filter(checklist=checklist).count() == 1


# --- Notifications -----------------------------------------------------------------------


def test_submission_mails_the_offices_focal_points_in_their_language(
    office_a, office_b, staff_a, project_a, django_capture_on_commit_callbacks
):
    french = make_user(office=office_a, role=Role.FOCAL_POINT, email="fp.fr@example.org")
    Profile.objects.create(user=french, language="fr")
    make_user(office=office_a, role=Role.FOCAL_POINT, email="fp.en@example.org")
    make_user(office=office_b, role=Role.FOCAL_POINT, email="other.office@example.org")
    make_user(office=office_a, role=Role.MANAGER, email="manager@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submitted_checklist(project_a, staff_a)
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["fp.en@example.org", "fp.fr@example.org"]
    french_mail = next(m for m in mail.outbox if m.to == ["fp.fr@example.org"])
    english_mail = next(m for m in mail.outbox if m.to == ["fp.en@example.org"])
    assert french_mail.subject.startswith("À examiner")
    assert "Élaboration et conception du projet" in french_mail.subject
    assert english_mail.subject.startswith("To review") and project_a.code in english_mail.subject
    assert reverse("checklists:review", args=[Checklist.objects.get().pk]) in english_mail.body
    assert english_mail.alternatives and "<a href=" in english_mail.alternatives[0][0]


def test_reminders_go_to_owners_of_due_and_overdue_points_once_a_day(staff_a, focal_a, project_a):
    from checklists.notifications import send_reminders

    staff_a.email, focal_a.email = "staff@example.org", "focal@example.org"
    staff_a.save()
    focal_a.save()
    today = datetime.date(2026, 11, 20)
    make = ActionPoint.objects.create
    make(
        project=project_a,
        description="Overdue point",
        owner=staff_a,
        due_date=today - datetime.timedelta(days=2),
    )
    make(
        project=project_a,
        description="Due in a week",
        owner=staff_a,
        due_date=today + datetime.timedelta(days=7),
    )
    make(
        project=project_a,
        description="Due later",
        owner=staff_a,
        due_date=today + datetime.timedelta(days=8),
    )
    make(
        project=project_a, description="Already done", owner=focal_a, due_date=today, done_on=today
    )
    mail.outbox.clear()
    assert send_reminders(today) == 1
    assert [m.to for m in mail.outbox] == [["staff@example.org"]]
    body = mail.outbox[0].body
    assert "Overdue point" in body and "Due in a week" in body
    assert "Due later" not in body and "Already done" not in body
    assert "overdue" in body
    # Cron runs again the same day: nothing new.
    assert send_reminders(today) == 0 and len(mail.outbox) == 1
    # The next day they are reminded again.
    assert send_reminders(today + datetime.timedelta(days=1)) == 1


def test_send_reminders_command(staff_a, project_a, capsys):
    from django.core.management import call_command

    staff_a.email = "staff@example.org"
    staff_a.save()
    ActionPoint.objects.create(
        project=project_a, description="Now", owner=staff_a, due_date=timezone.localdate()
    )
    call_command("send_reminders")
    assert "1 reminder e-mail(s) sent." in capsys.readouterr().out
    assert len(mail.outbox) == 1


# --- History ------------------------------------------------------------------------------


def test_history_lists_every_event_newest_first(client, focal_a, staff_a, design_checklist):
    answer = design_checklist.answers.order_by("item__order").first()
    workflow.decide_checklist(
        checklist=design_checklist,
        reviewer=focal_a,
        decision=Decision.RETURNED,
        comment="Please check",
        item_comments={answer.pk: "Who was consulted?"},
    )
    client.force_login(staff_a)
    body = client.get(
        reverse("checklists:checklist-history", args=[design_checklist.pk])
    ).content.decode()
    events = [
        "Review comment",
        "Checklist returned for revision",
        "Checklist submitted",
        "Answer changed",
    ]
    positions = [body.index(event) for event in events]
    assert positions == sorted(positions)
    assert "Who was consulted?" in body and "Please check" in body
    assert "Not answered" not in body or "—" in body
    project_body = client.get(
        reverse("checklists:project-history", args=[design_checklist.project.pk])
    ).content.decode()
    assert "Checklist returned for revision" in project_body


def test_history_in_french_and_in_the_users_time_zone(client, staff_a, design_checklist):
    Profile.objects.create(user=staff_a, language="fr", time_zone="Asia/Baghdad")
    entry = AuditEntry.objects.filter(checklist=design_checklist).first()
    AuditEntry.objects.filter(pk=entry.pk).update(
        created_at=datetime.datetime(2026, 11, 20, 9, 30, tzinfo=datetime.UTC)
    )
    client.post(reverse("login"), {"username": "staff_a", "password": "pw"})
    body = client.get(
        reverse("checklists:checklist-history", args=[design_checklist.pk])
    ).content.decode()
    assert "Réponse modifiée" in body or "Liste de contrôle soumise" in body
    assert "Asia/Baghdad" in body
    assert "12:30" in body  # 09:30 UTC is 12:30 in Baghdad


def test_history_pages_check_scope(client, outsider_b, design_checklist):
    client.force_login(outsider_b)
    assert (
        client.get(reverse("checklists:checklist-history", args=[design_checklist.pk])).status_code
        == 404
    )
    assert (
        client.get(
            reverse("checklists:project-history", args=[design_checklist.project.pk])
        ).status_code
        == 404
    )


def test_history_and_queue_run_a_fixed_number_of_queries(
    client, focal_a, staff_a, office_a, query_count
):
    client.force_login(focal_a)
    counts = {"home": [], "history": [], "review": []}
    for rounds in (1, 12):
        for _ in range(rounds):
            submitted_checklist(make_project(office=office_a), staff_a)
        checklist = submitted_checklist(
            make_project(office=office_a), staff_a, item_count=rounds * 3
        )
        urls = {
            "home": reverse("checklists:home"),
            "history": reverse("checklists:checklist-history", args=[checklist.pk]),
            "review": reverse("checklists:review", args=[checklist.pk]),
        }
        for page, url in urls.items():
            queries, response = query_count(lambda url=url: client.get(url))
            assert response.status_code == 200
            counts[page].append(queries)
    caps = {"home": 16, "history": 12, "review": 16}
    for page, (small, large) in counts.items():
        assert small == large <= caps[page], (page, small, large)


def test_admin_cannot_change_reviews_or_checklists(admin_client, focal_a, design_checklist):
    review = workflow.decide_checklist(
        checklist=design_checklist, reviewer=focal_a, decision=Decision.APPROVED
    )
    url = reverse("admin:checklists_review_change", args=[review.pk])
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"decision": "returned"}).status_code == 403
    delete = reverse("admin:checklists_checklist_delete", args=[design_checklist.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    review.refresh_from_db()
    assert review.decision == Decision.APPROVED
