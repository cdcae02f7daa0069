"""The autosave endpoint and the no-JavaScript save path of the checklist page."""

import re
import zoneinfo

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import formats, timezone

from checklists.models import Answer, AuditEntry

from ..factories import answer_data, make_checklist, make_project, response_inputs_in

# An editable item of the checklist page (class "answer", with "has-problem" when it has one).
ITEM = re.compile(r'<fieldset class="?answer\b')

pytestmark = pytest.mark.django_db


@pytest.fixture
def checklist(project_a, staff_a):
    return make_checklist(project=project_a, user=staff_a, item_count=6)


def first_answer(checklist):
    return checklist.answers.select_related("item").order_by("item__order").first()


def autosave(client, checklist, answer, **values):
    return client.post(
        reverse("checklists:answer-save", args=[checklist.pk, answer.pk]),
        answer_data(answer, **values),
    )


def test_autosave_saves_one_answer_and_returns_live_scores(client, staff_a, checklist):
    client.force_login(staff_a)
    answer = first_answer(checklist)
    response = autosave(
        client,
        checklist,
        answer,
        response="partial",
        comment="Half done",
        action_description="Finish the audit",
        action_owner=staff_a.pk,
        action_due="2026-12-20",
    )
    assert response.status_code == 200
    payload = response.json()
    assert payload["status"] == "saved" and payload["version"] == 1
    assert payload["progress"]["answered"] == 1 and payload["progress"]["total"] == 6
    assert payload["progress"]["principles"]["safety"] == {
        "percent": 50,
        "rating": "amber",
        "label": "Amber: gaps to address",
    }
    answer.refresh_from_db()
    assert (answer.response, answer.comment, answer.version) == ("partial", "Half done", 1)
    assert answer.action_point.owner == staff_a
    assert str(answer.action_point.due_date) == "2026-12-20"
    assert AuditEntry.objects.filter(answer=answer).count() == 1


def test_stale_save_is_refused_with_the_other_persons_value(client, office_a, staff_a, checklist):
    from projects.models import Role

    from ..factories import make_user

    colleague = make_user(office=office_a, role=Role.STAFF, first_name="Omar", last_name="Saleh")
    answer = first_answer(checklist)
    client.force_login(colleague)
    assert autosave(client, checklist, answer, response="no", comment="Not done").status_code == 200

    client.force_login(staff_a)  # still has version 0 on their page
    response = autosave(client, checklist, answer, version=0, response="yes")
    assert response.status_code == 409
    payload = response.json()
    assert payload["status"] == "conflict"
    assert "Omar Saleh changed this answer" in payload["message"]
    assert payload["response"] == "No" and payload["comment"] == "Not done"
    assert payload["version"] == 1
    assert payload["yours"] is False  # someone else's: the page asks which to keep
    assert Answer.objects.get(pk=answer.pk).response == "no"

    # The user chooses to keep theirs: resend on the latest version.
    again = autosave(client, checklist, answer, version=payload["version"], response="yes")
    assert again.status_code == 200
    assert Answer.objects.get(pk=answer.pk).response == "yes"


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"response": "maybe"}, "response", "Select a valid choice"),
        ({"response": "no", "action_due": "2026-13-45"}, "action_due", "Enter a valid date"),
        ({"response": "no", "action_due": "1850-01-01"}, "action_due", "between 2000 and 2100"),
        ({"comment": "x" * 5001}, "comment", "at most 5000 characters"),
        ({"response": "no", "action_owner": "99999"}, "action_owner", "Select a valid choice"),
        ({"version": "-1"}, "version", "greater than or equal to 0"),
        ({"version": "abc"}, "version", "Enter a whole number"),
    ],
)
def test_garbage_is_refused_with_a_clear_message_and_changes_nothing(
    client, staff_a, checklist, values, field, message
):
    client.force_login(staff_a)
    answer = first_answer(checklist)
    response = autosave(client, checklist, answer, **values)
    assert response.status_code == 400
    payload = response.json()
    assert message in " ".join(payload["errors"][field])
    assert payload["message"]
    answer.refresh_from_db()
    assert (answer.response, answer.comment, answer.version) == ("", "", 0)
    assert not AuditEntry.objects.exists()


def test_unknown_item_or_item_of_another_checklist_is_refused(client, staff_a, checklist, office_a):
    other = make_checklist(project=make_project(office=office_a), user=staff_a, item_count=2)
    client.force_login(staff_a)
    foreign_answer = other.answers.first()
    url = reverse("checklists:answer-save", args=[checklist.pk, foreign_answer.pk])
    response = client.post(url, answer_data(foreign_answer, response="yes"))
    assert response.status_code == 404
    assert "not part of this checklist" in response.json()["message"]
    assert Answer.objects.get(pk=foreign_answer.pk).response == ""
    url = reverse("checklists:answer-save", args=[checklist.pk, 987654])
    assert client.post(url, {"a987654-version": 0}).status_code == 404


def test_a_save_that_fails_half_way_changes_nothing(client, staff_a, checklist, monkeypatch):
    from checklists import tallies

    def broken(**_kwargs):
        raise RuntimeError("tally exploded")

    # Fails after the answer and its action point are written, before the audit entry.
    monkeypatch.setattr(tallies, "change_tally", broken)
    client.raise_request_exception = False
    client.force_login(staff_a)
    answer = first_answer(checklist)
    response = autosave(client, checklist, answer, response="yes")
    assert response.status_code == 500
    assert Answer.objects.get(pk=answer.pk).response == ""  # the save's transaction rolled back
    assert not AuditEntry.objects.exists()


def test_autosave_refuses_get(client, staff_a, checklist):
    client.force_login(staff_a)
    answer = first_answer(checklist)
    url = reverse("checklists:answer-save", args=[checklist.pk, answer.pk])
    assert client.get(url).status_code == 405


@pytest.mark.parametrize(
    ("user_fixture", "status"), [("focal_a", 403), ("manager_a", 403), ("outsider_b", 404)]
)
def test_only_staff_of_the_office_may_save(client, request, checklist, user_fixture, status):
    client.force_login(request.getfixturevalue(user_fixture))
    answer = first_answer(checklist)
    assert autosave(client, checklist, answer, response="yes").status_code == status
    full = client.post(
        reverse("checklists:save", args=[checklist.pk]), answer_data(answer, response="yes")
    )
    assert full.status_code == status
    assert Answer.objects.get(pk=answer.pk).response == ""


@pytest.mark.parametrize(
    ("user_fixture", "status"), [("focal_a", 200), ("manager_a", 200), ("outsider_b", 404)]
)
def test_focal_points_and_managers_read_the_checklist(
    client, request, checklist, user_fixture, status
):
    client.force_login(request.getfixturevalue(user_fixture))
    response = client.get(reverse("checklists:detail", args=[checklist.pk]))
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert "Only programme staff of the project's office can change it." in body
        assert not response_inputs_in(body)


# --- The no-JavaScript path -------------------------------------------------------------


def test_save_button_posts_every_answer_and_nothing_is_lost(client, staff_a, checklist):
    client.force_login(staff_a)
    answers = list(checklist.answers.order_by("item__order"))
    data = {"action": "save"}
    data.update(answer_data(answers[0], response="yes", comment="Done with women's groups"))
    data.update(answer_data(answers[1], response="na", not_applicable_reason="No site work"))
    data.update(
        answer_data(
            answers[2],
            response="no",
            action_description="Budget ramps",
            action_owner=staff_a.pk,
            action_due="2027-02-01",
        )
    )
    response = client.post(reverse("checklists:save", args=[checklist.pk]), data)
    assert response.status_code == 302
    saved = {a.pk: a for a in checklist.answers.select_related("action_point")}
    assert saved[answers[0].pk].comment == "Done with women's groups"
    assert saved[answers[1].pk].not_applicable_reason == "No site work"
    assert saved[answers[2].pk].action_point.description == "Budget ramps"
    page = client.get(response["Location"])
    assert "Your answers are saved." in page.content.decode()
    assert "3 of 6 items answered" in page.content.decode()


def test_invalid_value_in_the_full_form_keeps_everything_typed(client, staff_a, checklist):
    client.force_login(staff_a)
    answers = list(checklist.answers.order_by("item__order"))
    data = {"action": "save"}
    data.update(answer_data(answers[0], response="yes", comment="Kept comment"))
    data.update(
        answer_data(
            answers[1], response="no", action_description="Typed action", action_due="not a date"
        )
    )
    response = client.post(reverse("checklists:save", args=[checklist.pk]), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Some answers were not saved" in body
    assert "Enter a valid date." in body
    assert "Typed action" in body  # what the user typed is on the page again
    assert Answer.objects.get(pk=answers[0].pk).comment == "Kept comment"  # valid ones saved
    assert Answer.objects.get(pk=answers[1].pk).response == ""


def test_conflict_in_the_full_form_shows_theirs_and_keeps_mine(
    client, office_a, staff_a, checklist
):
    from projects.models import Role

    from ..factories import make_user

    colleague = make_user(office=office_a, role=Role.STAFF, first_name="Omar", last_name="Saleh")
    answer = checklist.answers.order_by("item__order").first()
    client.force_login(colleague)
    autosave(client, checklist, answer, response="no", comment="Their comment")
    client.force_login(staff_a)
    data = {
        "action": "save",
        **answer_data(answer, version=0, response="yes", comment="My comment"),
    }
    response = client.post(reverse("checklists:save", args=[checklist.pk]), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Omar Saleh changed this answer" in body
    assert "Their comment" in body and "My comment" in body
    assert Answer.objects.get(pk=answer.pk).comment == "Their comment"
    # Saving again with the form as re-rendered (latest version) keeps mine.
    data[f"a{answer.pk}-version"] = 1
    assert client.post(reverse("checklists:save", args=[checklist.pk]), data).status_code == 302
    assert Answer.objects.get(pk=answer.pk).comment == "My comment"


def test_submit_with_gaps_lists_and_links_each_blocking_item(client, staff_a, checklist):
    client.force_login(staff_a)
    answers = list(checklist.answers.select_related("item").order_by("item__order"))
    data = {"action": "submit"}
    data.update(answer_data(answers[0], response="no"))
    response = client.post(reverse("checklists:save", args=[checklist.pk]), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "The checklist was not submitted: 6 items need your attention." in body
    for answer in answers:
        assert f'href="#item-{answer.item.code}"' in body
    assert "Complete the action point: what will be done, owner and due date." in body
    assert Answer.objects.get(pk=answers[0].pk).response == "no"  # typed answers were saved


def test_submit_through_the_form_when_everything_is_ready(client, staff_a, checklist):
    client.force_login(staff_a)
    data = {"action": "submit"}
    for answer in checklist.answers.all():
        data.update(answer_data(answer, response="yes"))
    response = client.post(reverse("checklists:save", args=[checklist.pk]), data)
    assert response.status_code == 302
    checklist.refresh_from_db()
    assert checklist.status == "submitted"
    assert "Checklist submitted for review." in client.get(response["Location"]).content.decode()


def test_filters_show_unanswered_critical_or_one_principle(client, staff_a, project_a):
    from ..factories import make_framework_items

    _framework, items = make_framework_items(8, critical_every=4)
    checklist = make_checklist(project=project_a, user=staff_a, items=items)
    Answer.objects.filter(checklist=checklist, item=items[1]).update(response="yes")
    client.force_login(staff_a)
    url = reverse("checklists:detail", args=[checklist.pk])
    unanswered = client.get(url, {"show": "unanswered"}).content.decode()
    assert (
        f'id="item-{items[1].code}"' not in unanswered
        and f'id="item-{items[2].code}"' in unanswered
    )
    critical = client.get(url, {"show": "critical"}).content.decode()
    assert len(ITEM.findall(critical)) == 2  # items 0 and 4
    safety = client.get(url, {"principle": "safety"}).content.decode()
    assert f'id="item-{items[0].code}"' in safety and f'id="item-{items[1].code}"' not in safety


def test_checklist_page_in_french(client, staff_a, checklist):
    client.force_login(staff_a)
    client.post(reverse("switch-language"), {"language": "fr", "next": "/"})
    body = client.get(reverse("checklists:detail", args=[checklist.pk])).content.decode()
    assert "Partiellement" in body and "Sans objet" in body
    assert "Soumettre pour examen" in body
    assert "Question 0 ?" in body


# --- Query counts -----------------------------------------------------------------------


def test_checklist_page_runs_a_fixed_number_of_queries(client, staff_a, project_a, query_count):
    client.force_login(staff_a)
    counts = []
    for item_count in (20, 150):
        project = make_project(office=project_a.office)
        checklist = make_checklist(project=project, user=staff_a, item_count=item_count)
        for answer in checklist.answers.all()[: item_count // 2]:
            Answer.objects.filter(pk=answer.pk).update(response="yes")
        url = reverse("checklists:detail", args=[checklist.pk])
        queries, response = query_count(lambda url=url: client.get(url))
        assert response.status_code == 200
        assert len(ITEM.findall(response.content.decode())) == item_count
        counts.append(queries)
    assert counts[0] == counts[1] <= 16, counts


def test_autosave_runs_a_fixed_number_of_queries(client, staff_a, project_a, query_count):
    client.force_login(staff_a)
    counts = []
    for item_count in (20, 150):
        project = make_project(office=project_a.office)
        checklist = make_checklist(project=project, user=staff_a, item_count=item_count)
        answer = checklist.answers.first()
        data = answer_data(
            answer,
            response="no",
            action_description="Act",
            action_owner=staff_a.pk,
            action_due="2026-12-01",
        )
        url = reverse("checklists:answer-save", args=[checklist.pk, answer.pk])
        queries, response = query_count(lambda url=url, data=data: client.post(url, data))
        assert response.status_code == 200
        counts.append(queries)
    assert counts[0] == counts[1] <= 20, counts


# --- Retries, time stamps, and locks held only for the write ------------------------------


def test_a_retried_save_whose_reply_was_lost_is_not_a_conflict(client, staff_a, checklist):
    client.force_login(staff_a)
    answer = first_answer(checklist)
    first = autosave(client, checklist, answer, response="yes", comment="Checked")
    assert first.json()["version"] == 1
    # The reply was lost: the browser sends the same values again, based on version 0.
    again = autosave(client, checklist, answer, response="yes", comment="Checked")
    assert again.status_code == 200
    assert again.json()["status"] == "unchanged" and again.json()["version"] == 1
    assert AuditEntry.objects.filter(answer=answer).count() == 1
    # Another value based on the old version is still a conflict.
    other = autosave(client, checklist, answer, response="no")
    assert other.status_code == 409 and other.json()["status"] == "conflict"
    # The newer version is their own: the page sends theirs again on it, without asking.
    assert other.json()["yours"] is True


def test_saved_time_is_said_in_the_users_zone_and_format_like_the_page(client, staff_a, checklist):
    from projects.models import Profile

    Profile.objects.create(user=staff_a, time_zone="Asia/Baghdad")
    client.post(reverse("login"), {"username": "staff_a", "password": "pw"})
    answer = first_answer(checklist)
    saved_at = autosave(client, checklist, answer, response="yes").json()["saved_at"]
    page = client.get(reverse("checklists:detail", args=[checklist.pk])).content.decode()
    assert f"Last saved by staff_a: {saved_at}" in page
    answer.refresh_from_db()
    baghdad = timezone.localtime(answer.updated_at, zoneinfo.ZoneInfo("Asia/Baghdad"))
    assert formats.date_format(baghdad, "DATETIME_FORMAT") == saved_at


@pytest.mark.django_db(transaction=True)
def test_no_transaction_is_open_while_the_reply_is_built(
    client, framework, staff_a, project_a, monkeypatch
):
    """Row locks last as long as the write: the scores of the reply are read after it."""
    from checklists.views import filling

    seen = []
    real = filling.scores_payload

    def watching(*args):
        seen.append(connection.in_atomic_block)
        return real(*args)

    monkeypatch.setattr(filling, "scores_payload", watching)
    checklist = make_checklist(project=project_a, user=staff_a, item_count=2)
    client.force_login(staff_a)
    assert autosave(client, checklist, first_answer(checklist), response="yes").status_code == 200
    assert seen == [False]


@pytest.mark.django_db(transaction=True)
def test_no_transaction_is_open_while_a_pdf_renders(
    client, framework, staff_a, project_a, monkeypatch
):
    from checklists.reports import pdf

    seen = []
    real = pdf.render_pdf

    def watching(*args, **kwargs):
        seen.append(connection.in_atomic_block)
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf, "render_pdf", watching)
    client.force_login(staff_a)
    response = client.get(reverse("checklists:project-report", args=[project_a.pk]))
    assert response.status_code == 200
    assert seen == [False]
