import datetime

import pytest
from django.urls import reverse

from checklists import workflow
from checklists.models import (
    Answer,
    AuditAction,
    AuditEntry,
    Checklist,
    ChecklistStatus,
    Framework,
    FrameworkStatus,
    Item,
    Phase,
)
from projects.models import Sector

from ..factories import answer_data, make_checklist, make_project, response_inputs_in

pytestmark = pytest.mark.django_db


def test_staff_start_the_checklist_of_the_current_phase(client, staff_a, project_a):
    client.force_login(staff_a)
    response = client.post(reverse("checklists:start", args=[project_a.pk]))
    checklist = Checklist.objects.get(project=project_a)
    assert response.status_code == 302
    assert response["Location"] == reverse("checklists:detail", args=[checklist.pk])
    framework = Framework.objects.get(status=FrameworkStatus.PUBLISHED)
    assert checklist.framework == framework and checklist.phase.code == "design"
    assert checklist.status == ChecklistStatus.DRAFT
    # Only items for the project's sectors (shelter): the cash-only item is left out.
    codes = set(checklist.answers.values_list("item__code", flat=True))
    assert "DES-SAF-02" in codes  # shelter, camps, WASH
    assert "DES-ACC-05" not in codes  # cash only
    expected = (
        Item.objects.filter(framework=framework, phase__code="design")
        .exclude(sectors__isnull=False)
        .count()
        + Item.objects.filter(
            framework=framework, phase__code="design", sectors__code="shelter"
        ).count()
    )
    assert len(codes) == expected
    assert AuditEntry.objects.filter(
        checklist=checklist, action=AuditAction.CHECKLIST_STARTED
    ).exists()


def test_start_refuses_a_second_checklist_for_the_same_phase(client, staff_a, project_a):
    client.force_login(staff_a)
    client.post(reverse("checklists:start", args=[project_a.pk]))
    response = client.post(reverse("checklists:start", args=[project_a.pk]), follow=True)
    assert Checklist.objects.filter(project=project_a).count() == 1
    assert "already has a checklist for this phase" in response.content.decode()


def test_monitoring_rounds_are_numbered_and_one_at_a_time(staff_a, office_a):
    project = make_project(office=office_a, current_phase=Phase.objects.get(code="implementation"))
    first = workflow.start_checklist(project=project, user=staff_a)
    assert first.round == 1
    with pytest.raises(workflow.WorkflowError, match="round 1 is not approved"):
        workflow.start_checklist(project=project, user=staff_a)
    Checklist.objects.filter(pk=first.pk).update(status=ChecklistStatus.APPROVED)
    second = workflow.start_checklist(project=project, user=staff_a)
    assert second.round == 2
    assert second.answers.count() == first.answers.count() > 0


def test_cash_project_gets_cash_items(staff_a, office_a):
    project = make_project(office=office_a, sectors=[Sector.objects.get(code="cash")])
    checklist = workflow.start_checklist(project=project, user=staff_a)
    codes = set(checklist.answers.values_list("item__code", flat=True))
    # Cash items (v3 merged CSH-01, on documents, into the common DES-ACC-09).
    assert "DES-ACC-05" in codes and "CSH-02" in codes and "DES-ACC-09" in codes
    assert "SHL-01" not in codes and "WASH-01" not in codes  # other sectors' items
    assert "DES-SAF-02" in codes  # common to every sector since v2


@pytest.mark.parametrize("user_fixture", ["focal_a", "manager_a"])
def test_only_staff_start_checklists(client, request, project_a, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))
    assert client.post(reverse("checklists:start", args=[project_a.pk])).status_code == 403
    assert not Checklist.objects.exists()


def test_outsider_cannot_start_and_gets_404(client, outsider_b, project_a):
    client.force_login(outsider_b)
    assert client.post(reverse("checklists:start", args=[project_a.pk])).status_code == 404


def test_start_refuses_get(client, staff_a, project_a):
    client.force_login(staff_a)
    assert client.get(reverse("checklists:start", args=[project_a.pk])).status_code == 405


# --- Submission rules -------------------------------------------------------------------


@pytest.fixture
def checklist(project_a, staff_a):
    return make_checklist(project=project_a, user=staff_a, item_count=4)


def answers_of(checklist):
    return list(checklist.answers.select_related("item").order_by("item__order"))


def save(checklist, answer, user, **values):
    if isinstance(values.get("action_due"), str):
        values["action_due"] = datetime.date.fromisoformat(values["action_due"])
    return workflow.save_answer(
        checklist=checklist,
        answer_id=answer.pk,
        user=user,
        values=workflow.AnswerInput(**values),
        based_on_version=Answer.objects.get(pk=answer.pk).version,
    )


def submit_blockers(checklist, user):
    with pytest.raises(workflow.SubmissionBlocked) as blocked:
        workflow.submit_checklist(checklist=checklist, user=user)
    checklist.refresh_from_db()
    assert checklist.status == ChecklistStatus.DRAFT
    return {b.answer.item.code: b.message for b in blocked.value.blockers}


def test_submit_refused_while_items_are_unanswered(checklist, staff_a):
    first, *rest = answers_of(checklist)
    save(checklist, first, staff_a, response="yes")
    blockers = submit_blockers(checklist, staff_a)
    assert set(blockers) == {a.item.code for a in rest}
    assert set(blockers.values()) == {"Not answered yet."}


def test_not_applicable_needs_a_reason(checklist, staff_a):
    a, b, c, d = answers_of(checklist)
    for answer in (a, b, c):
        save(checklist, answer, staff_a, response="yes")
    save(checklist, d, staff_a, response="na", not_applicable_reason="   ")
    assert submit_blockers(checklist, staff_a) == {d.item.code: "Say why this item does not apply."}


@pytest.mark.parametrize("response", ["partial", "no"])
@pytest.mark.parametrize("missing", ["action_description", "action_owner", "action_due"])
def test_partial_or_no_needs_a_complete_action_point(checklist, staff_a, response, missing):
    a, b, c, d = answers_of(checklist)
    for answer in (a, b, c):
        save(checklist, answer, staff_a, response="yes")
    action = {
        "action_description": "Train distribution staff",
        "action_owner": staff_a,
        "action_due": "2026-12-31",
    }
    action[missing] = "" if missing == "action_description" else None
    save(checklist, d, staff_a, response=response, **action)
    assert submit_blockers(checklist, staff_a) == {
        d.item.code: "Complete the action point: what will be done, owner and due date."
    }


def fill_completely(checklist, user):
    a, b, c, d = answers_of(checklist)
    save(checklist, a, user, response="yes")
    save(checklist, b, user, response="na", not_applicable_reason="No children in this project")
    save(
        checklist,
        c,
        user,
        response="partial",
        action_description="Add ramps",
        action_owner=user,
        action_due="2026-12-31",
    )
    save(
        checklist,
        d,
        user,
        response="no",
        action_description="Set up a hotline",
        action_owner=user,
        action_due="2027-01-15",
    )


def test_complete_checklist_is_submitted_and_becomes_read_only(client, checklist, staff_a):
    fill_completely(checklist, staff_a)
    workflow.submit_checklist(checklist=checklist, user=staff_a)
    checklist.refresh_from_db()
    assert checklist.status == ChecklistStatus.SUBMITTED
    assert checklist.submitted_by == staff_a and checklist.submitted_at
    assert AuditEntry.objects.filter(
        checklist=checklist, action=AuditAction.CHECKLIST_SUBMITTED
    ).exists()

    client.force_login(staff_a)
    page = client.get(reverse("checklists:detail", args=[checklist.pk]))
    body = page.content.decode()
    assert "This checklist has been submitted: it is read-only." in body
    assert not response_inputs_in(body) and "Submit for review" not in body
    assert "Set up a hotline" in body

    # The server refuses changes whatever the page shows.
    answer = answers_of(checklist)[0]
    autosave = client.post(
        reverse("checklists:answer-save", args=[checklist.pk, answer.pk]),
        answer_data(answer, response="no"),
    )
    assert autosave.status_code == 409
    assert "can no longer be changed" in autosave.json()["message"]
    full = client.post(
        reverse("checklists:save", args=[checklist.pk]), answer_data(answer, response="no")
    )
    assert full.status_code == 302
    assert Answer.objects.get(pk=answer.pk).response == "yes"
    with pytest.raises(workflow.WorkflowError):
        workflow.submit_checklist(checklist=checklist, user=staff_a)


def test_returned_checklist_is_editable_again(checklist, staff_a):
    fill_completely(checklist, staff_a)
    Checklist.objects.filter(pk=checklist.pk).update(status=ChecklistStatus.RETURNED)
    answer = answers_of(checklist)[0]
    changed = save(
        checklist,
        answer,
        staff_a,
        response="partial",
        action_description="Fix",
        action_owner=staff_a,
        action_due="2026-12-01",
    ).changed
    assert changed
    workflow.submit_checklist(checklist=checklist, user=staff_a)
    checklist.refresh_from_db()
    assert checklist.status == ChecklistStatus.SUBMITTED


def test_answer_leaving_a_gap_withdraws_its_action_point_without_deleting_it(checklist, staff_a):
    answer = answers_of(checklist)[0]
    save(
        checklist,
        answer,
        staff_a,
        response="no",
        action_description="Do it",
        action_owner=staff_a,
        action_due="2026-12-01",
    )
    save(checklist, answer, staff_a, response="yes")
    action = Answer.objects.get(pk=answer.pk).action_point
    assert action.withdrawn_on is not None
    assert checklist.project.action_points.open().count() == 0
    save(
        checklist,
        answer,
        staff_a,
        response="no",
        action_description="Do it",
        action_owner=staff_a,
        action_due="2026-12-01",
    )
    action.refresh_from_db()
    assert action.withdrawn_on is None


def test_every_answer_change_is_in_the_audit_trail(checklist, staff_a):
    answer = answers_of(checklist)[0]
    save(checklist, answer, staff_a, response="yes", comment="Checked with the team")
    save(
        checklist,
        answer,
        staff_a,
        response="no",
        comment="Checked with the team",
        action_description="Redo",
        action_owner=staff_a,
        action_due="2026-12-01",
    )
    entries = list(AuditEntry.objects.filter(answer=answer).order_by("pk"))
    assert [e.actor for e in entries] == [staff_a, staff_a]
    assert entries[0].changes == {"response": ["", "yes"], "comment": ["", "Checked with the team"]}
    assert entries[1].changes["response"] == ["yes", "no"]
    assert entries[1].changes["action_owner"] == ["", staff_a.username]
    assert entries[1].changes["action_due"] == ["", "2026-12-01"]
    # Saving the same values again records nothing and keeps the version.
    version = Answer.objects.get(pk=answer.pk).version
    changed = save(
        checklist,
        answer,
        staff_a,
        response="no",
        comment="Checked with the team",
        action_description="Redo",
        action_owner=staff_a,
        action_due="2026-12-01",
    ).changed
    assert not changed
    assert Answer.objects.get(pk=answer.pk).version == version
    assert AuditEntry.objects.filter(answer=answer).count() == 2
