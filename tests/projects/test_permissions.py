"""Every project URL walked as each role, on a project of their own office and of another.

Outsiders get 404 (the project's existence is never confirmed), insiders without the
right role get 403, as DESIGN.md and projects/permissions.py say.
"""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROLES = ["staff_a", "focal_a", "manager_a", "outsider_b", "hq_manager"]

EXPECTED = {
    # url name: status for each role in ROLES order, on office A's project
    "checklists:project": [200, 200, 200, 404, 200],
    "projects:update": [200, 403, 403, 404, 403],
}
CREATE_EXPECTED = [200, 403, 403, 200, 403]


@pytest.mark.parametrize("url_name", EXPECTED)
@pytest.mark.parametrize("role_index", range(len(ROLES)))
def test_project_urls_by_role_and_office(client, request, project_a, url_name, role_index):
    user = request.getfixturevalue(ROLES[role_index])
    client.force_login(user)
    response = client.get(reverse(url_name, args=[project_a.pk]))
    assert response.status_code == EXPECTED[url_name][role_index]
    if response.status_code == 404:
        assert project_a.title not in response.content.decode()


@pytest.mark.parametrize("role_index", range(len(ROLES)))
def test_create_page_by_role(client, request, role_index):
    client.force_login(request.getfixturevalue(ROLES[role_index]))
    assert client.get(reverse("projects:create")).status_code == CREATE_EXPECTED[role_index]


# --- Every URL x every role of the project's own office: what each role may do ------------

OWN_ROLES = ["staff_a", "focal_a", "manager_a", "hq_manager"]
# name: (object the URL is about, GET status per role, POST status per role or None),
# roles in OWN_ROLES order. 405: the method is refused whoever asks.
OWN_OFFICE = {
    "checklists:home": (None, [200, 200, 200, 200], None),
    "checklists:guidance": (None, [200, 200, 200, 200], None),
    # What lets the app work offline: the same for everyone, signed in or not.
    "checklists:service-worker": (None, [200, 200, 200, 200], [405, 405, 405, 405]),
    "checklists:offline": (None, [200, 200, 200, 200], None),
    "checklists:manifest": (None, [200, 200, 200, 200], None),
    "projects:settings": (None, [200, 200, 200, 200], [302, 302, 302, 302]),
    "projects:create": (None, [200, 403, 403, 403], [200, 403, 403, 403]),
    "projects:update": ("project", [200, 403, 403, 403], [200, 403, 403, 403]),
    "checklists:project": ("project", [200, 200, 200, 200], None),
    "checklists:project-history": ("project", [200, 200, 200, 200], None),
    "checklists:project-report": ("project", [200, 200, 200, 200], None),
    "checklists:project-record": ("project", [200, 200, 200, 200], None),
    # Who read the project's data: its focal points and managers.
    "checklists:project-access": ("project", [403, 200, 200, 200], None),
    "checklists:project-access-csv": ("project", [403, 200, 200, 200], None),
    "checklists:action-points": ("project", [200, 200, 200, 200], None),
    # The protection risk analysis: everyone reads it; staff and focal points change it.
    "checklists:risk-analysis": ("project", [200] * 4, [400, 400, 403, 403]),
    "checklists:risk-row": ("risk_row", [200, 200, 403, 403], [400, 400, 403, 403]),
    "checklists:risk-row-remove": ("risk_row", [405] * 4, [302, 302, 403, 403]),
    "checklists:risk-row-action-point": ("risk_row", [405] * 4, [302, 302, 403, 403]),
    "api:project-risk-analysis": ("project", [200] * 4, [405] * 4),
    "checklists:start": ("project", [405] * 4, [302, 403, 403, 403]),
    "checklists:move-to-evaluation": ("project", [405] * 4, [302, 403, 403, 403]),
    "checklists:detail": ("draft", [200, 200, 200, 200], None),
    "checklists:checklist-history": ("draft", [200, 200, 200, 200], None),
    "checklists:checklist-guidance": ("draft", [200, 200, 200, 200], None),
    "checklists:save": ("draft", [405] * 4, [302, 403, 403, 403]),
    "checklists:answer-save": ("answer", [405] * 4, [200, 403, 403, 403]),
    "checklists:review": ("submitted", [403, 200, 403, 403], [403, 302, 403, 403]),
    # Acting focal points: a focal point names one for their offices; ending one is theirs.
    "checklists:acting": (None, [403, 200, 403, 403], [403, 400, 403, 403]),
    "checklists:acting-end": ("acting", [405] * 4, [403, 302, 403, 403]),
    "checklists:action-point-done": ("action_point", [405] * 4, [302, 403, 403, 403]),
    "checklists:dashboard": (None, [403, 403, 200, 200], None),
    "checklists:portfolio-projects-csv": (None, [403, 403, 200, 200], None),
    "checklists:portfolio-answers-csv": (None, [403, 403, 200, 200], None),
    "checklists:portfolio-file-request": (None, [405] * 4, [403, 403, 302, 302]),
    # A report is private to who asked for it (manager_a here).
    "checklists:portfolio-file": ("report", [403, 403, 200, 404], None),
    "checklists:portfolio-file-download": ("report", [403, 403, 200, 404], None),
    "checklists:portfolio-file-retry": ("report", [405] * 4, [403, 403, 302, 404]),
    # Framework authoring: the HQ protection unit only (tests/checklists/test_authoring.py).
    "checklists:frameworks": (None, [403] * 4, None),
    "checklists:framework-import": (None, [405] * 4, [403] * 4),
    "checklists:framework": ("framework", [403] * 4, None),
    "checklists:framework-export-xlsx": ("framework", [403] * 4, None),
    "checklists:framework-export-json": ("framework", [403] * 4, None),
    "checklists:framework-compare": ("framework", [403] * 4, None),
    "checklists:framework-publish": ("framework", [405] * 4, [403] * 4),
    "checklists:framework-new-draft": ("framework", [405] * 4, [403] * 4),
    "checklists:framework-item-add": ("framework", [403] * 4, [403] * 4),
    "checklists:framework-item": ("framework_item", [403] * 4, [403] * 4),
    "checklists:framework-item-retire": ("framework_item", [405] * 4, [403] * 4),
    # Office items: the office's focal points write them (tests/checklists/test_office_items).
    "checklists:office-items-index": (None, [403, 200, 403, 403], None),
    "checklists:office-items": ("office", [403, 200, 403, 403], None),
    "checklists:office-item-add": ("office", [403, 200, 403, 403], [403, 400, 403, 403]),
    "checklists:office-item": ("office_item", [403, 200, 403, 403], [403, 400, 403, 403]),
    "checklists:office-item-agree": ("office_item", [405] * 4, [403] * 4),
    "checklists:office-items-new-draft": ("office", [405] * 4, [403, 302, 403, 403]),
    "checklists:office-items-publish": ("office", [405] * 4, [403, 302, 403, 403]),
    # Evidence files: the office reads them, programme staff change them.
    "checklists:evidence": ("answer", [200] * 4, [400, 403, 403, 403]),
    # A file holding personal data (the default) opens for the office's staff and focal
    # points only; managers see that it exists (tests/checklists/test_evidence_sensitivity.py
    # walks a file without personal data).
    "checklists:evidence-download": ("evidence", [200, 200, 403, 403], [405] * 4),
    "checklists:evidence-remove": ("evidence", [405] * 4, [302, 403, 403, 403]),
    # The read API: everyone reads what is in their scope, nobody writes (405).
    "projects:access-tokens": (None, [200] * 4, [400] * 4),
    "projects:access-token-revoke": ("access_token", [405] * 4, [302, 404, 404, 404]),
    # Each person's own second factor and sessions. The HQ manager must keep theirs on; new
    # recovery codes are for someone who has the app set up (nobody here yet).
    "projects:second-factor": (None, [200] * 4, [405] * 4),
    "projects:recovery-codes": (None, [405] * 4, [403] * 4),
    "projects:second-factor-off": (None, [405] * 4, [302, 302, 302, 403]),
    "projects:sessions": (None, [200] * 4, [405] * 4),
    "projects:session-end": ("session", [405] * 4, [302, 404, 404, 404]),
    "projects:sessions-end-others": (None, [405] * 4, [302] * 4),
    "api:schema": (None, [200] * 4, [405] * 4),
    "api:unknown": (None, [404] * 4, [404] * 4),
    "api:project-list": (None, [200] * 4, [405] * 4),
    "api:project-detail": ("project", [200] * 4, [405] * 4),
    "api:checklist-list": (None, [200] * 4, [405] * 4),
    "api:checklist-detail": ("draft", [200] * 4, [405] * 4),
    "api:answer-list": (None, [200] * 4, [405] * 4),
    "api:answer-detail": ("api_answer", [200] * 4, [405] * 4),
    "api:action-point-list": (None, [200] * 4, [405] * 4),
    "api:action-point-detail": ("action_point", [200] * 4, [405] * 4),
    "api:review-list": (None, [200] * 4, [405] * 4),
    "api:review-detail": ("review", [200] * 4, [405] * 4),
}


@pytest.fixture
def own_office(project_a, staff_a, focal_a, manager_a, office_a):
    import datetime

    from django.core.files.base import ContentFile

    from checklists import workflow
    from checklists.models import ActionPoint, ReportFile, ReportStatus

    from ..factories import answer_data, make_checklist, make_project

    draft = make_checklist(project=project_a, user=staff_a, item_count=2)
    answer = draft.answers.first()
    submitted = make_checklist(project=make_project(office=office_a), user=staff_a, item_count=1)
    workflow.save_answer(
        checklist=submitted,
        answer_id=submitted.answers.get().pk,
        user=staff_a,
        values=workflow.AnswerInput(response="yes"),
        based_on_version=0,
    )
    workflow.submit_checklist(checklist=submitted, user=staff_a)
    submitted.refresh_from_db()
    action_point = ActionPoint.objects.create(
        project=project_a,
        description="Own point",
        owner=staff_a,
        due_date=datetime.date(2026, 12, 1),
    )
    report = ReportFile.objects.create(
        kind="portfolio_xlsx", requested_by=manager_a, language="en", status=ReportStatus.DONE
    )
    report.file.save("own.xlsx", ContentFile(b"PK"), save=True)
    report.filename = "own.xlsx"
    report.save()
    prefix = f"ap{action_point.pk}"
    from checklists.models import Framework, Review
    from projects.access_tokens import issue_token

    review = Review.objects.create(  # test data: a decision on record, made directly
        checklist=submitted, decision="approved", reviewer=focal_a
    )
    # ... in an earlier round (before the submission), so focal_a may decide in this one.
    Review.objects.filter(pk=review.pk).update(
        decided_at=submitted.submitted_at - datetime.timedelta(hours=1)
    )
    access_token, _secret = issue_token(user=staff_a, name="staff's", lifetime_days=30)
    from django.test import Client

    from projects.models import SignedInSession

    Client().force_login(staff_a)  # staff's session on another computer
    session = SignedInSession.objects.get(user=staff_a)
    from django.core.files.uploadedfile import SimpleUploadedFile

    evidence = workflow.attach_evidence(
        checklist=draft,
        answer_id=answer.pk,
        user=staff_a,
        upload=SimpleUploadedFile("minutes.pdf", b"%PDF-1.7 minutes"),
    )

    risk_row = workflow.save_risk_row(
        project=project_a,
        user=staff_a,
        values={name: "Own risk" for name in workflow.RISK_FIELDS}
        | {"likelihood": 2, "impact": 3, "owner": staff_a, "review_date": None}
        | {name: False for name in ("by_age", "by_gender", "by_disability", "by_other_diversity")},
    )
    from checklists.models import ActingAssignment

    from ..factories import make_user

    acting = ActingAssignment.objects.create(
        focal_point=focal_a,
        acting=make_user(office=office_a, role="staff"),
        office=office_a,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2099, 1, 1),
    )
    framework = Framework.objects.get(status="published")
    office_item = _office_item(office_a, focal_a)
    objects = {
        "risk_row": {"project_pk": project_a.pk, "pk": risk_row.pk},
        "office": {"office_pk": office_a.pk},
        "office_item": {"office_pk": office_a.pk, "item_pk": office_item.pk},
        "acting": {"pk": acting.pk},
        "framework": {"pk": framework.pk},
        "framework_item": {"pk": framework.pk, "item_pk": framework.items.first().pk},
        "project": {"pk": project_a.pk},
        "draft": {"pk": draft.pk},
        "answer": {"pk": draft.pk, "answer_pk": answer.pk},
        "submitted": {"pk": submitted.pk},
        "action_point": {"pk": action_point.pk},
        "report": {"pk": report.pk},
        "review": {"pk": review.pk},
        "api_answer": {"pk": answer.pk},
        "access_token": {"pk": access_token.pk},
        "session": {"pk": session.pk},
        "evidence": {"pk": draft.pk, "evidence_pk": evidence.pk},
    }
    post_data = {
        "projects:settings": {"language": "en", "time_zone": "UTC"},
        "checklists:answer-save": answer_data(answer, response="yes"),
        "checklists:review": {
            "decision": "approved",
            "condition-TOTAL_FORMS": "0",
            "condition-INITIAL_FORMS": "0",
        },
        "checklists:action-point-done": {f"{prefix}-done_on": "2026-11-01"},
        "checklists:portfolio-file-request": {"kind": "portfolio_pdf"},
    }
    return objects, post_data


def _office_item(office, focal_point):
    from checklists import workflow
    from checklists.models import Item, Phase, Principle

    item = Item(
        framework=workflow.start_office_draft(office=office, user=focal_point),
        code="IRQ-01",
        phase=Phase.objects.get(code="design"),
        principle=Principle.objects.get(code="safety"),
        question_en="Own question?",
        guidance_en="Own guidance.",
    )
    return workflow.save_office_item(item=item, user=focal_point, changes={}, sectors=[])


def _own_url(name, objects):
    from django.urls import NoReverseMatch

    about = OWN_OFFICE[name][0]
    kwargs = objects[about] if about else {}
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:  # URLs below a project name it project_pk
        return reverse(name, kwargs={"project_pk": kwargs["pk"]})


@pytest.mark.parametrize("name", OWN_OFFICE)
@pytest.mark.parametrize("role_index", range(len(OWN_ROLES)))
def test_every_url_by_role_of_the_own_office(client, request, own_office, name, role_index):
    objects, post_data = own_office
    _about, get_statuses, post_statuses = OWN_OFFICE[name]
    client.force_login(request.getfixturevalue(OWN_ROLES[role_index]))
    url = _own_url(name, objects)
    assert client.get(url).status_code == get_statuses[role_index], ("GET", name)
    if post_statuses is not None:
        response = client.post(url, post_data.get(name, {}))
        assert response.status_code == post_statuses[role_index], ("POST", name)


def test_the_own_office_matrix_covers_every_url():
    from tests.test_security import app_url_names

    assert {name for name, _converters in app_url_names()} <= set(OWN_OFFICE)


# --- The endorsement chain's levels and acting focal points (issue 29) --------------------


@pytest.fixture
def chain(project_a, office_a, staff_a, focal_a):
    """Iraq under a region (MENA) under HQ; the region endorses design checklists after
    Iraq; one checklist approved at level 1, waiting for the region."""
    from checklists import workflow
    from checklists.models import EndorsementRule, Phase

    from ..factories import make_office, make_user
    from ..projects.test_permissions_helpers import submit_one

    hq = make_office(code="HQX", name="HQ", is_headquarters=True)
    mena = make_office(code="MENAX", name="MENA", parent=hq)
    office_a.parent = mena
    office_a.save()
    EndorsementRule.objects.create(
        office=mena, phase=Phase.objects.get(code="design"), level_office=mena
    )
    checklist = submit_one(project_a, staff_a)
    workflow.decide_checklist(checklist=checklist, reviewer=focal_a, decision="approved")
    checklist.refresh_from_db()
    people = {
        "regional_focal": make_user(office=mena, role=Role.FOCAL_POINT),
        "hq_focal": make_user(office=hq, role=Role.FOCAL_POINT),
        "regional_manager": make_user(office=mena, role=Role.MANAGER),
        "regional_staff": make_user(office=mena, role=Role.STAFF),
        "other_region_focal": make_user(
            office=make_office(code="LACX", parent=hq), role=Role.FOCAL_POINT
        ),
        "country_focal": focal_a,
        "country_staff": staff_a,
    }
    return checklist, people


from projects.models import Role  # noqa: E402

# Who may open the review page (GET) and decide (POST) at level 2 (the region): its focal
# points and those above it; the country focal point who decided at level 1 may not decide
# again; other roles 403; another region 404.
LEVEL_TWO = {
    "regional_focal": (200, 302),
    "hq_focal": (200, 302),
    "country_focal": (200, 409),
    "regional_manager": (403, 403),
    "regional_staff": (403, 403),
    "country_staff": (403, 403),
    "other_region_focal": (404, 404),
}


@pytest.mark.parametrize("who", LEVEL_TWO)
def test_the_review_page_at_the_second_level_by_role(client, chain, who):
    checklist, people = chain
    client.force_login(people[who])
    url = reverse("checklists:review", args=[checklist.pk])
    get_status, post_status = LEVEL_TWO[who]
    assert client.get(url).status_code == get_status
    response = client.post(
        url, {"decision": "approved", "condition-TOTAL_FORMS": "0", "condition-INITIAL_FORMS": "0"}
    )
    assert response.status_code == post_status
    checklist.refresh_from_db()
    assert (checklist.status == "approved") == (post_status == 302)


def test_an_acting_person_decides_at_the_second_level_only_while_acting(client, chain):
    import datetime

    from checklists.models import ActingAssignment

    checklist, people = chain
    deputy = people["regional_staff"]
    client.force_login(deputy)
    url = reverse("checklists:review", args=[checklist.pk])
    assert client.get(url).status_code == 403
    ActingAssignment.objects.create(
        focal_point=people["regional_focal"],
        acting=deputy,
        office=checklist.waiting_office,
        starts_on=datetime.date.today() - datetime.timedelta(days=1),
        ends_on=datetime.date.today() + datetime.timedelta(days=1),
    )
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"decision": "approved", "condition-TOTAL_FORMS": "0", "condition-INITIAL_FORMS": "0"}
    )
    assert response.status_code == 302
    review = checklist.reviews.get(level=2)
    assert (review.reviewer, review.acting_for) == (deputy, people["regional_focal"])


def test_acting_assignments_of_another_office_are_404(client, chain):
    import datetime

    from checklists.models import ActingAssignment

    checklist, people = chain
    assignment = ActingAssignment.objects.create(
        focal_point=people["regional_focal"],
        acting=people["regional_staff"],
        office=checklist.waiting_office,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2099, 1, 1),
    )
    client.force_login(people["other_region_focal"])
    assert client.post(reverse("checklists:acting-end", args=[assignment.pk])).status_code == 404
    client.force_login(people["regional_focal"])
    assert client.post(reverse("checklists:acting-end", args=[assignment.pk])).status_code == 302
    assignment.refresh_from_db()
    assert assignment.ends_on < datetime.date.today()
