"""Office items (issue 30): an office's own items, versioned like the framework, added after
the framework's items in the checklists of that office and the offices under it, scored
apart so that the framework score stays comparable."""

import pytest
from django.core.exceptions import ValidationError

from checklists import scoring, tallies, workflow
from checklists.models import (
    Answer,
    Checklist,
    Framework,
    FrameworkStatus,
    Item,
    Phase,
    Principle,
    PrincipleTally,
    Response,
)

from ..factories import Role, make_office, make_project, make_user

pytestmark = pytest.mark.django_db


def add_item(office, user, code, *, phase="design", principle="safety", **fields):
    """An item added to the office's draft through the workflow."""
    draft = workflow.start_office_draft(office=office, user=user)
    item = Item(
        framework=draft,
        code=code,
        phase=Phase.objects.get(code=phase),
        principle=Principle.objects.get(code=principle),
        order=fields.pop("order", 1),
        question_en=fields.pop("question_en", f"Question {code}?"),
        guidance_en=fields.pop("guidance_en", f"Guidance {code}."),
        **fields,
    )
    return workflow.save_office_item(item=item, user=user, changes={}, sectors=[])


def publish(office, user):
    return workflow.publish_office_items(framework=workflow.office_draft(office), user=user)


@pytest.fixture
def iraq_items(office_a, focal_a):
    add_item(office_a, focal_a, "IRQ-01")
    add_item(office_a, focal_a, "IRQ-02", principle="access")
    add_item(office_a, focal_a, "IRQ-03", phase="implementation")
    return publish(office_a, focal_a)


def office_codes(checklist):
    return [
        a.item.code
        for a in checklist.answers.for_page(framework_id=checklist.framework_id)
        if a.item.added_by is not None
    ]


def test_office_items_come_after_the_framework_items_in_the_office_checklists(
    iraq_items, project_a, staff_a
):
    checklist = workflow.start_checklist(project=project_a, user=staff_a)
    answers = checklist.answers.for_page(framework_id=checklist.framework_id)
    # The design items of the office, not the implementation one; after the framework's.
    assert office_codes(checklist) == ["IRQ-01", "IRQ-02"]
    assert [a.item.code for a in answers[-2:]] == ["IRQ-01", "IRQ-02"]
    assert answers[0].item.added_by is None
    assert answers[-1].item.added_by.code == "IRQ"
    # The checklist keeps its (organisation) framework.
    assert checklist.framework.office is None


def test_office_items_reach_the_offices_under_it_never_another_office(
    iraq_items, office_a, office_b, staff_a, outsider_b
):
    sub_office = make_office(code="IRQ-DHK", name="Duhok sub-office", parent=office_a)
    sub_staff = make_user(office=sub_office, role=Role.STAFF)
    sub_project = make_project(office=sub_office)
    other_project = make_project(office=office_b)
    sub_checklist = workflow.start_checklist(project=sub_project, user=sub_staff)
    other_checklist = workflow.start_checklist(project=other_project, user=outsider_b)
    assert office_codes(sub_checklist) == ["IRQ-01", "IRQ-02"]
    assert office_codes(other_checklist) == []
    # Nor do the sub-office's own items reach its parent office.
    sub_focal = make_user(office=sub_office, role=Role.FOCAL_POINT)
    add_item(sub_office, sub_focal, "IRQ-DHK-01")
    publish(sub_office, sub_focal)
    parent_checklist = workflow.start_checklist(project=make_project(office=office_a), user=staff_a)
    assert office_codes(parent_checklist) == ["IRQ-01", "IRQ-02"]
    second = workflow.start_checklist(project=make_project(office=sub_office), user=sub_staff)
    assert sorted(office_codes(second)) == ["IRQ-01", "IRQ-02", "IRQ-DHK-01"]


def test_a_draft_office_item_is_not_in_new_checklists(office_a, focal_a, project_a, staff_a):
    add_item(office_a, focal_a, "IRQ-01")
    checklist = workflow.start_checklist(project=project_a, user=staff_a)
    assert office_codes(checklist) == []


def test_a_published_office_item_never_changes_a_change_is_a_new_version(
    iraq_items, office_a, focal_a, project_a, staff_a
):
    started = workflow.start_checklist(project=project_a, user=staff_a)
    item = iraq_items.items.get(code="IRQ-01")
    item.question_en = "Changed?"
    with pytest.raises(workflow.WorkflowError):
        workflow.save_office_item(item=item, user=focal_a, changes={}, sectors=[])
    assert Item.objects.get(pk=item.pk).question_en == "Question IRQ-01?"
    # A change goes into a new draft version; once published, the old one is retired.
    draft = workflow.start_office_draft(office=office_a, user=focal_a)
    assert draft.pk != iraq_items.pk and draft.version == 2
    new_item = draft.items.get(code="IRQ-01")
    new_item.question_en = "Changed?"
    workflow.save_office_item(item=new_item, user=focal_a, changes={}, sectors=[])
    publish(office_a, focal_a)
    assert Framework.objects.get(pk=iraq_items.pk).status == FrameworkStatus.RETIRED
    assert Item.objects.get(pk=item.pk).question_en == "Question IRQ-01?"
    # The started checklist keeps the items it started with; a new one gets the new version.
    kept = started.answers.get(item__code="IRQ-01").item
    assert kept.pk == item.pk
    other = workflow.start_checklist(project=make_project(office=office_a), user=staff_a)
    assert other.answers.get(item__code="IRQ-01").item.question_en == "Changed?"


def test_publishing_refuses_a_code_without_the_office_prefix_or_english(office_a, focal_a):
    add_item(office_a, focal_a, "JOR-01")
    add_item(office_a, focal_a, "IRQ-02", guidance_en="")
    with pytest.raises(ValidationError) as error:
        publish(office_a, focal_a)
    text = " ".join(error.value.messages)
    assert "must start with IRQ-" in text
    assert "guidance in English is missing" in text
    assert workflow.office_draft(office_a) is not None  # still a draft


def test_a_focal_point_only_asks_for_critical_the_editor_agrees(
    office_a, focal_a, framework_editor
):
    item = add_item(office_a, focal_a, "IRQ-01", critical=True, critical_requested=True)
    assert Item.objects.get(pk=item.pk).critical is False
    workflow.agree_critical(item=item, user=framework_editor)
    item.refresh_from_db()
    assert item.critical is True and item.critical_agreed_by == framework_editor
    # Changing the question asks for a new agreement.
    item.question_en = "Another question?"
    workflow.save_office_item(item=item, user=focal_a, changes={"question_en": "x"}, sectors=[])
    item.refresh_from_db()
    assert item.critical is False


def _answer_all(checklist, user, response):
    for answer in checklist.answers.all():
        workflow.save_answer(
            checklist=checklist,
            answer_id=answer.pk,
            user=user,
            values=workflow.AnswerInput(
                response=response,
                not_applicable_reason="Does not apply here at all." if response == "na" else "",
            ),
            based_on_version=answer.version,
        )


def _answer_office_items(checklist, user, response):
    for answer in checklist.answers.exclude(item__framework__office=None):
        workflow.save_answer(
            checklist=checklist,
            answer_id=answer.pk,
            user=user,
            values=workflow.AnswerInput(
                response=response,
                action_description="Fix it",
                action_owner=user,
                action_due=answer.checklist.started_at.date(),
            ),
            based_on_version=answer.version,
        )


def test_the_framework_score_is_the_same_with_or_without_office_items(
    office_a, focal_a, staff_a, framework_editor
):
    add_item(office_a, focal_a, "IRQ-01", critical_requested=True)
    item = add_item(office_a, focal_a, "IRQ-02")
    workflow.agree_critical(item=Item.objects.get(code="IRQ-01"), user=framework_editor)
    without = workflow.start_checklist(project=make_project(office=office_a), user=staff_a)
    publish(office_a, focal_a)
    with_items = workflow.start_checklist(project=make_project(office=office_a), user=staff_a)
    assert item.pk in set(with_items.answers.values_list("item_id", flat=True))
    for checklist in (without, with_items):
        _answer_all(checklist, staff_a, "yes")
    _answer_office_items(with_items, staff_a, Response.NO)  # a critical gap among them
    a, b = (
        scoring.score_answers(c.answers.for_page(framework_id=c.framework_id))
        for c in (without, with_items)
    )
    assert a.overall.percent == b.overall.percent == 100
    assert a.overall.rating == b.overall.rating == scoring.Rating.GREEN
    stored = scoring.scores_for_checklists([without.pk, with_items.pk])
    tallied = scoring.tallied_scores([without.pk, with_items.pk])
    for scores in (stored, tallied):
        assert scores[without.pk].overall.counts == scores[with_items.pk].overall.counts
        assert scores[with_items.pk].overall.rating == scoring.Rating.GREEN
    assert sum(t.no for t in PrincipleTally.objects.filter(checklist=with_items)) == 0
    # The office items' own score, beside it.
    office = scoring.office_score(with_items.answers.for_page(framework_id=with_items.framework_id))
    assert office.percent == 0 and office.rating == scoring.Rating.RED
    assert scoring.office_scores_for_checklists([with_items.pk])[with_items.pk].percent == 0
    assert without.pk not in scoring.office_scores_for_checklists([without.pk])
    tallies.refresh_tallies([with_items.pk])  # a recount agrees
    assert scoring.tallied_scores([with_items.pk])[with_items.pk].overall.percent == 100


def test_the_framework_list_and_new_checklists_ignore_office_versions(iraq_items):
    assert workflow.current_framework().office is None
    assert Checklist.objects.count() == 0
    assert Answer.objects.count() == 0


# --- The pages: focal points of the office write, framework editors agree ----------------

OFFICE_URLS = [
    ("checklists:office-items", False),
    ("checklists:office-item-add", False),
    ("checklists:office-item", True),
    ("checklists:office-item-agree", True),
    ("checklists:office-items-new-draft", False),
    ("checklists:office-items-publish", False),
]


def _url(name, office, item=None, with_item=False):
    from django.urls import reverse

    kwargs = {"office_pk": office.pk}
    if with_item:
        kwargs["item_pk"] = item.pk
    return reverse(name, kwargs=kwargs)


def _item_form(code="IRQ-05", **values):
    return {
        "code": code,
        "phase": Phase.objects.get(code="design").pk,
        "principle": Principle.objects.get(code="safety").pk,
        "order": 5,
        "question_en": "Are civil documents checked safely?",
        "guidance_en": "Refer people without documents to legal aid.",
        **values,
    }


@pytest.mark.parametrize("role", [Role.FOCAL_POINT, Role.STAFF, Role.MANAGER])
def test_a_user_of_another_office_gets_404_on_every_office_items_page(
    client, office_a, office_b, focal_a, role
):
    item = add_item(office_a, focal_a, "IRQ-01", critical_requested=True)
    client.force_login(make_user(office=office_b, role=role))
    for name, with_item in OFFICE_URLS:
        url = _url(name, office_a, item, with_item)
        assert client.get(url).status_code in (404, 405), name
        assert client.post(url, _item_form()).status_code == 404, name
    item.refresh_from_db()
    assert item.code == "IRQ-01" and item.critical is False
    assert Item.objects.filter(framework__office=office_a).count() == 1


def test_an_item_of_another_office_is_404_from_ones_own(client, office_a, office_b, focal_a):
    other_focal = make_user(office=office_b, role=Role.FOCAL_POINT)
    item = add_item(office_b, other_focal, "JOR-01")
    client.force_login(focal_a)
    url = _url("checklists:office-item", office_a, item, True)
    assert client.get(url).status_code == 404
    assert client.post(url, _item_form("IRQ-09")).status_code == 404


def test_a_focal_point_drafts_and_publishes_in_the_pages(client, office_a, focal_a):
    client.force_login(focal_a)
    page = client.get(_url("checklists:office-item-add", office_a))
    assert "Starts with IRQ-" in page.content.decode()
    response = client.post(_url("checklists:office-item-add", office_a), _item_form("JOR-01"))
    assert response.status_code == 400
    assert "must start with IRQ-" in response.content.decode()
    response = client.post(_url("checklists:office-item-add", office_a), _item_form())
    assert response.status_code == 302
    item = Item.objects.get(framework__office=office_a, code="IRQ-05")
    page = client.get(_url("checklists:office-item", office_a, item, True)).content.decode()
    assert "Missing:" in page and "in French" in page and "in Arabic" in page
    listing = client.get(_url("checklists:office-items", office_a)).content.decode()
    assert "IRQ-05" in listing and "Publish the draft" in listing
    client.post(_url("checklists:office-items-publish", office_a))
    assert item.framework.__class__.objects.get(pk=item.framework_id).status == "published"


def test_a_focal_point_cannot_mark_an_item_critical(client, office_a, focal_a):
    client.force_login(focal_a)
    form = client.get(_url("checklists:office-item-add", office_a)).content.decode()
    assert 'name="critical"' not in form and 'name="critical_requested"' in form
    # Tampering: a "critical" field posted anyway changes nothing.
    client.post(
        _url("checklists:office-item-add", office_a),
        _item_form(critical="on", critical_requested="on", critical_agreed_by=focal_a.pk),
    )
    item = Item.objects.get(framework__office=office_a)
    assert item.critical is False and item.critical_requested is True
    assert item.critical_agreed_by is None
    # Nor may they agree themselves.
    agree = _url("checklists:office-item-agree", office_a, item, True)
    assert client.post(agree).status_code == 403
    item.refresh_from_db()
    assert item.critical is False


def test_the_framework_editor_agrees_to_a_critical_item(
    client, office_a, focal_a, framework_editor
):
    item = add_item(office_a, focal_a, "IRQ-01", critical_requested=True)
    client.force_login(framework_editor)
    waiting = client.get(_url("checklists:office-items", office_a)).content.decode()
    assert "Agree: critical" in waiting
    assert (
        client.post(_url("checklists:office-item-agree", office_a, item, True)).status_code == 302
    )
    item.refresh_from_db()
    assert item.critical is True and item.critical_agreed_by == framework_editor


def test_a_published_office_item_cannot_change_through_the_page(
    client, iraq_items, office_a, focal_a
):
    item = iraq_items.items.get(code="IRQ-01")
    client.force_login(focal_a)
    url = _url("checklists:office-item", office_a, item, True)
    response = client.post(url, _item_form("IRQ-01", question_en="Changed?"), follow=True)
    assert "cannot change" in response.content.decode()
    item.refresh_from_db()
    assert item.question_en == "Question IRQ-01?"


def test_the_office_items_page_reads_the_same_queries_at_two_sizes(
    client, office_a, focal_a, query_count
):
    client.force_login(focal_a)
    url = _url("checklists:office-items", office_a)

    def fill(count, start):
        for n in range(start, start + count):
            add_item(office_a, focal_a, f"IRQ-{n:02d}")

    fill(2, 1)
    small, _ = query_count(lambda: client.get(url))
    fill(8, 3)
    large, response = query_count(lambda: client.get(url))
    assert response.status_code == 200 and "IRQ-10" in response.content.decode()
    assert small == large


def test_the_checklist_and_project_pages_say_which_items_the_office_added(
    client, iraq_items, project_a, staff_a, manager_a
):
    from django.urls import reverse

    checklist = workflow.start_checklist(project=project_a, user=staff_a)
    for user in (staff_a, manager_a):  # editing and reading
        client.force_login(user)
        page = client.get(reverse("checklists:detail", args=[checklist.pk])).content.decode()
        assert page.count("Added by Iraq country office") == 2, user
        assert (
            "The office&#x27;s own items, scored apart" in page or "own items, scored apart" in page
        )
        assert page.index("IRQ-01") > page.index("DES-SAF-01")
    _answer_office_items(checklist, staff_a, Response.YES)
    project_page = client.get(reverse("checklists:project", args=[project_a.pk])).content.decode()
    assert "Office items (scored apart)" in project_page


def test_the_pdf_spreadsheet_and_api_say_which_items_the_office_added(
    client, iraq_items, project_a, staff_a, manager_a, hq_manager
):
    import io

    import openpyxl
    from django.urls import reverse

    from checklists.reports.project import build_project_report
    from checklists.reports.spreadsheet import workbook_bytes
    from projects.models import Project

    checklist = workflow.start_checklist(project=project_a, user=staff_a)
    _answer_all(checklist, staff_a, "yes")
    _answer_office_items(checklist, staff_a, Response.NO)
    # The PDF's data and template.
    report = build_project_report(project_a, language="en", generated_by=manager_a)
    assert report["office_items"] and report["summary_rows"][0]["office_score"].percent == 0
    assert report["summary_rows"][0]["overall"].percent == 100
    from django.template.loader import render_to_string

    html = render_to_string("reports/project.html", report)
    assert "Office items (scored apart)" in html and "Added by Iraq country office" in html
    # The spreadsheet: a column says which office added the item.
    today = checklist.started_at.date()
    workbook = openpyxl.load_workbook(
        io.BytesIO(workbook_bytes(Project.objects.all(), today=today))
    )
    rows = list(workbook["Answers"].iter_rows(values_only=True))
    assert rows[0][-1] == "Office item, added by"
    added = {row[5]: row[-1] for row in rows[1:]}
    assert added["IRQ-01"] == "IRQ" and added["DES-SAF-01"] in ("", None)
    assert [row[5] for row in rows[1:]][-2:] == ["IRQ-01", "IRQ-02"]
    # The API: which answers are office items, and the office items' score apart.
    client.force_login(manager_a)
    detail = client.get(reverse("api:checklist-detail", args=[checklist.pk])).json()
    assert detail["score"]["percent"] == 100
    assert detail["office_items_score"]["percent"] == 0
    answers = client.get(reverse("api:answer-list"), {"page_size": 200}).json()["results"]
    by_code = {a["item"]: a["added_by_office"] for a in answers}
    assert by_code["IRQ-01"] == "IRQ" and by_code["DES-SAF-01"] is None


def test_the_demo_iraq_office_has_three_published_office_items():
    import io

    from django.core.management import call_command

    from projects.models import Office

    for _time in range(2):  # idempotent
        call_command("load_demo_data", "--allow-production", stdout=io.StringIO())
    iraq = Office.objects.get(code="IRQ")
    published = workflow.office_published(iraq)
    assert sorted(published.items.values_list("code", flat=True)) == ["IRQ-01", "IRQ-02", "IRQ-03"]
    assert Framework.objects.filter(office=iraq).count() == 1
    for item in published.items.all():
        assert item.question_fr and item.guidance_fr and item.question_ar and item.question_es
    iraq_answers = Answer.objects.filter(checklist__project__office=iraq, item__code="IRQ-01")
    assert iraq_answers.exists()
    jordan = Answer.objects.filter(checklist__project__office__code="JOR")
    assert not jordan.filter(item__framework__office__isnull=False).exists()


def test_the_review_page_shows_the_office_items_score_apart(
    client, iraq_items, project_a, staff_a, focal_a
):
    from django.urls import reverse

    checklist = workflow.start_checklist(project=project_a, user=staff_a)
    _answer_all(checklist, staff_a, "yes")
    workflow.submit_checklist(checklist=checklist, user=staff_a)
    client.force_login(focal_a)
    page = client.get(reverse("checklists:review", args=[checklist.pk])).content.decode()
    assert "Office items (scored apart)" in page
    assert page.count("Added by Iraq country office") == 2


def test_the_autosave_counts_office_items_in_the_progress_and_scores_them_apart(
    client, iraq_items, project_a, staff_a
):
    from django.urls import reverse

    from ..factories import answer_data

    checklist = workflow.start_checklist(project=project_a, user=staff_a)
    total = checklist.answers.count()
    office_answer = checklist.answers.get(item__code="IRQ-01")
    client.force_login(staff_a)
    url = reverse("checklists:answer-save", args=[checklist.pk, office_answer.pk])
    progress = client.post(url, answer_data(office_answer, response="yes")).json()["progress"]
    assert progress["answered"] == 1 and progress["total"] == total
    assert progress["principles"]["office-items"]["percent"] == 100
    assert progress["overall"]["percent"] is None  # the framework score did not move
    framework_answer = checklist.answers.filter(item__framework__office=None).first()
    url = reverse("checklists:answer-save", args=[checklist.pk, framework_answer.pk])
    progress = client.post(url, answer_data(framework_answer, response="no")).json()["progress"]
    assert progress["answered"] == 2 and progress["total"] == total
    assert progress["overall"]["percent"] == 0
    assert progress["principles"]["office-items"]["percent"] == 100


def test_a_checklist_without_office_items_saves_without_asking_for_their_score(
    client, iraq_items, project_b, office_b, monkeypatch
):
    """The autosave asks for the office items' score only where a checklist has some: the
    fact is recorded when it starts (Jordan has none of Iraq's items)."""
    from django.urls import reverse

    from checklists import scoring

    from ..factories import Role, answer_data, make_user

    asked = []
    real = scoring.office_score_of
    monkeypatch.setattr(scoring, "office_score_of", lambda pk: asked.append(pk) or real(pk))
    staff_b = make_user(office=office_b, role=Role.STAFF)
    checklist = workflow.start_checklist(project=project_b, user=staff_b)
    assert checklist.has_office_items is False
    answer = checklist.answers.first()
    client.force_login(staff_b)
    url = reverse("checklists:answer-save", args=[checklist.pk, answer.pk])
    progress = client.post(url, answer_data(answer, response="yes")).json()["progress"]
    assert progress["answered"] == 1
    assert "office-items" not in progress["principles"]
    assert asked == []
