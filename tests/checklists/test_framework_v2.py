"""Framework v2 (fixtures/framework_v2.json): its coverage, and the rules it brings.

The content review (CONTENT-REVIEW.md) asked for data protection, voluntary movements,
PSEA, sector checklists and more; these tests hold the published content to it, and walk
the rules on "not applicable": some items never take it, and a critical item said not to
apply needs a real reason, which the reviewer reads first.
"""

import io
from collections import Counter

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from checklists import workflow
from checklists.models import (
    Answer,
    Checklist,
    Framework,
    FrameworkStatus,
    Item,
    Response,
    Topic,
)
from projects.models import Sector

from ..factories import answer_data, make_project

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
SECTORS = [
    "wash",
    "health",
    "shelter",
    "cccm",
    "food-security",
    "education",
    "cash",
    "transport",
    "migrant-centres",
    "dtm",
    "mhpss",
]


def v2_items():
    return Item.objects.filter(framework__code="iom-pm", framework__version=2)


def test_make_run_loads_v2_and_retires_it_and_v1_behind_v3():
    """v2 was the published version until v3 came (test_framework_v3.py); it stays, with
    its items, for the checklists started on it."""
    published = Framework.objects.get(code="iom-pm", status=FrameworkStatus.PUBLISHED)
    assert published.version == 3
    assert Framework.objects.get(code="iom-pm", version=2).status == FrameworkStatus.RETIRED
    assert Framework.objects.get(code="iom-pm", version=1).status == FrameworkStatus.RETIRED
    assert v2_items().count() == 154
    assert workflow.current_framework() == published


def test_every_phase_and_principle_has_at_least_five_items_for_every_project():
    common = v2_items().filter(sectors__isnull=True)
    cells = Counter(common.values_list("phase__code", "principle__code"))
    assert len(cells) == 16
    assert min(cells.values()) >= 5, cells


def test_every_sector_has_at_least_four_items():
    assert set(Sector.objects.values_list("code", flat=True)) == set(SECTORS)
    counts = Counter(v2_items().values_list("sectors__code", flat=True))
    for sector in SECTORS:
        assert counts[sector] >= 4, f"{sector} has {counts[sector]} items"


def test_every_topic_has_items_and_every_item_is_in_both_languages_with_its_source():
    for topic in Topic.objects.all():
        assert v2_items().filter(topics=topic).exists(), f"no v2 item on {topic.code}"
    for item in v2_items():
        for field in ("question", "guidance", "source"):
            for language in LANGUAGES:
                assert getattr(item, f"{field}_{language}").strip(), f"{item.code} {field}"
        assert item.question_en != item.question_fr, f"{item.code} French is a copy"
        assert item.question_en != item.question_es, f"{item.code} Spanish is a copy"
        assert item.question_en != item.question_ar, f"{item.code} Arabic is a copy"


def test_the_review_s_critical_items_are_there():
    critical = set(v2_items().filter(critical=True).values_list("code", flat=True))
    # PSEA at design and endorsement, referral pathways, data protection, voluntariness.
    assert {"DES-SAF-03", "END-SAF-02", "DES-SAF-05", "DES-SAF-06", "TRN-01"} <= critical
    voluntary = v2_items().get(code="TRN-01")
    assert "voluntary" in voluntary.question_en and "informed consent" in voluntary.question_en
    assert "volontaire" in voluntary.question_fr
    assert list(voluntary.sectors.values_list("code", flat=True)) == ["transport"]


def test_risky_v1_items_are_fixed_in_v2():
    watch = v2_items().get(code="IMP-PAR-04")
    assert "never armed or security groups" in watch.question_en
    assert "vigilance de quartier" not in watch.guidance_fr
    sea_cases = v2_items().get(code="EVA-SAF-03")
    assert "without reviewing individual cases" in sea_cases.question_en
    assert not v2_items().filter(code="END-ACT-03").exists()  # circular: removed
    washington = v2_items().get(code="DES-ACC-04").guidance_en
    assert "Child Functioning Module" in washington and "never to decide" in washington
    assert not v2_items().get(code="DES-SAF-02").sectors.exists()  # for every sector now


def test_psea_and_data_protection_items_can_never_be_not_applicable():
    sensitive = v2_items().filter(topics__code__in=["psea", "data-protection"]).distinct()
    assert sensitive.count() >= 15
    allowed = [item.code for item in sensitive if item.not_applicable_allowed]
    assert allowed == []


def test_french_uses_one_term_per_concept():
    texts = " ".join(
        getattr(item, f"{field}_fr") for item in v2_items() for field in ("question", "guidance")
    )
    assert "personnes handicapées" not in texts
    assert "en situation de handicap" in texts
    for calque in ("référer", "référencement", "réviseur", "avec handicap", "de résultat"):
        assert calque not in texts, calque


# -- the rules, walked through the workflow and the pages ---------------------------


@pytest.fixture
def design_checklist(office_a, staff_a):
    project = make_project(office=office_a, sectors=list(Sector.objects.filter(code="cash")))
    return workflow.start_checklist(project=project, user=staff_a)


def answer_of(checklist, code) -> Answer:
    return checklist.answers.select_related("item").get(item__code=code)


def test_a_data_protection_item_refuses_not_applicable_everywhere(
    client, staff_a, design_checklist
):
    answer = answer_of(design_checklist, "DES-SAF-06")
    with pytest.raises(workflow.RefusedResponse):
        workflow.save_answer(
            checklist=design_checklist,
            answer_id=answer.pk,
            user=staff_a,
            values=workflow.AnswerInput(response="na", not_applicable_reason="No data at all."),
            based_on_version=0,
        )
    client.force_login(staff_a)
    url = reverse("checklists:answer-save", args=[design_checklist.pk, answer.pk])
    reply = client.post(url, answer_data(answer, response="na", not_applicable_reason="None."))
    assert reply.status_code == 400
    assert "cannot be answered “not applicable”" in reply.json()["message"]
    # The page without JavaScript says it on the item and keeps the rest of what was typed.
    other = answer_of(design_checklist, "DES-SAF-04")
    data = {"action": "save"}
    data.update(answer_data(answer, response="na", not_applicable_reason="None."))
    data.update(answer_data(other, response="yes", comment="Checked with both groups."))
    page = client.post(reverse("checklists:save", args=[design_checklist.pk]), data)
    assert page.status_code == 400
    assert "cannot be answered “not applicable”" in page.content.decode()
    answer.refresh_from_db()
    assert answer.response == "" and answer.version == 0
    assert Answer.objects.get(pk=other.pk).comment == "Checked with both groups."
    # And the page never offers it.
    body = client.get(reverse("checklists:detail", args=[design_checklist.pk])).content.decode()
    item_html = body[body.index('id="item-DES-SAF-06"') :]
    item_html = item_html[: item_html.index("</fieldset>")]
    assert f"name=a{answer.pk}-response value=yes" in item_html
    assert "value=na" not in item_html
    cash_item = body[body.index('id="item-DES-ACC-05"') :]
    assert "value=na" in cash_item[: cash_item.index("</fieldset>")]


def answer_all_yes_but(checklist, user, **special):
    for answer in checklist.answers.select_related("item"):
        values = special.get(answer.item.code, workflow.AnswerInput(response="yes"))
        workflow.save_answer(
            checklist=checklist,
            answer_id=answer.pk,
            user=user,
            values=values,
            based_on_version=answer.version,
        )


def test_a_critical_item_said_not_to_apply_needs_a_sentence(staff_a, design_checklist):
    assert answer_of(design_checklist, "DES-ACC-01").item.critical
    short = workflow.AnswerInput(response="na", not_applicable_reason="No need")
    answer_all_yes_but(design_checklist, staff_a, **{"DES-ACC-01": short})
    with pytest.raises(workflow.SubmissionBlocked) as refused:
        workflow.submit_checklist(checklist=design_checklist, user=staff_a)
    [blocker] = refused.value.blockers
    assert blocker.answer.item.code == "DES-ACC-01"
    assert "full sentence" in blocker.message
    # A non-critical item takes a short reason.
    assert not answer_of(design_checklist, "DES-ACC-05").item.critical
    answer = answer_of(design_checklist, "DES-ACC-01")
    workflow.save_answer(
        checklist=design_checklist,
        answer_id=answer.pk,
        user=staff_a,
        values=workflow.AnswerInput(
            response="na",
            not_applicable_reason="Everyone in the camp receives the same kit, with no selection.",
        ),
        based_on_version=answer.version,
    )
    workflow.submit_checklist(checklist=design_checklist, user=staff_a)
    assert Checklist.objects.get(pk=design_checklist.pk).status == "submitted"


def test_the_reviewer_reads_critical_items_said_not_to_apply_first(
    client, staff_a, focal_a, design_checklist
):
    reason = "Everyone in the camp receives the same kit, with no selection."
    answer_all_yes_but(
        design_checklist,
        staff_a,
        **{"DES-ACC-01": workflow.AnswerInput(response="na", not_applicable_reason=reason)},
    )
    workflow.submit_checklist(checklist=design_checklist, user=staff_a)
    client.force_login(focal_a)
    body = client.get(reverse("checklists:review", args=[design_checklist.pk])).content.decode()
    section = body.index("Critical items said not to apply")
    assert section < body.index('id="review-principle-safety"')
    assert body.index(reason) > section
    assert body.index(reason) < body.index('id="review-principle-safety"')
    assert body.count('id="critical-item-DES-ACC-01"') == 1
    assert 'id="item-DES-ACC-01"' not in body  # not repeated under its principle
    assert "1 critical item said not to apply" in body


def test_guidance_names_its_source_from_the_checklist_page(client, staff_a, design_checklist):
    """Each item's "Guidance" leads to its text and source on the checklist's guidance page
    (which the page's script shows in the item)."""
    answers = design_checklist.answers.order_by("item__order", "item__code")
    item = answers.filter(item__source_en__startswith="IOM Data Protection").first().item
    client.force_login(staff_a)
    body = client.get(reverse("checklists:detail", args=[design_checklist.pk])).content.decode()
    guidance_url = reverse("checklists:checklist-guidance", args=[design_checklist.pk])
    assert f'<a class=guidance-link href="{guidance_url}#g-{item.code}">Guidance</a>' in body
    guidance = client.get(guidance_url).content.decode()
    section = guidance[guidance.index(f'id="g-{item.code}"') :]
    section = section[: section.index("</section>")]
    assert item.guidance_en.replace("'", "&#x27;") in section
    assert "Source: <cite>IOM Data Protection Principles" in section
    client.cookies["django_language"] = "fr"
    guidance = client.get(guidance_url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Principes de l&#x27;OIM relatifs à la protection des données" in guidance


def test_loading_v2_changes_no_v1_checklist(tmp_path, settings, office_a, staff_a):
    """An install that holds v1 checklists, then receives fixtures/framework_v2.json (and,
    since this release, framework_v3.json with it)."""
    Item.objects.filter(framework__version__in=[2, 3]).delete()
    Framework.objects.filter(version__in=[2, 3]).delete()
    Framework.objects.filter(version=1).update(status=FrameworkStatus.PUBLISHED)
    project = make_project(office=office_a, sectors=list(Sector.objects.filter(code="cash")))
    old = workflow.start_checklist(project=project, user=staff_a)
    assert old.framework.version == 1
    answer_all_yes_but(old, staff_a)
    before = sorted(old.answers.values_list("pk", "item_id", "item__code", "response", "version"))
    v1_items = sorted(Item.objects.filter(framework__version=1).values_list("pk", "question_en"))

    call_command("load_framework", stdout=io.StringIO())

    old.refresh_from_db()
    assert old.framework.version == 1
    after = sorted(old.answers.values_list("pk", "item_id", "item__code", "response", "version"))
    assert after == before
    assert (
        sorted(Item.objects.filter(framework__version=1).values_list("pk", "question_en"))
        == v1_items
    )
    assert Framework.objects.get(version=1).status == FrameworkStatus.RETIRED
    assert Framework.objects.get(version=2).status == FrameworkStatus.RETIRED
    # The project's next checklist, and every new project's, uses the newest file (v3).
    other = make_project(office=office_a, sectors=list(Sector.objects.filter(code="cash")))
    new = workflow.start_checklist(project=other, user=staff_a)
    assert new.framework.version == 3
    assert new.answers.filter(item__code="DES-SAF-06").exists()
    assert Response.NOT_APPLICABLE  # the four responses are unchanged across versions


def test_a_language_added_later_is_written_into_the_published_version(db):
    """An install that published v2 before Spanish existed gets its Spanish texts on the next
    load_framework, without a new version: no question changes in any other language."""
    from pathlib import Path

    from django.conf import settings

    from checklists.framework_file import load_framework_file

    framework = v2_items().first().framework
    framework.items.update(
        question_es="", guidance_es="", source_es="", question_ar="", guidance_ar="", source_ar=""
    )
    path = Path(settings.BASE_DIR) / "fixtures" / "framework_v2.json"
    _framework, outcome = load_framework_file(path)
    assert outcome == "translated"
    item = v2_items().get(code="TRN-01")
    assert "voluntario" in item.question_es and "طوعي" in item.question_ar
    assert load_framework_file(path)[1] == "unchanged"


def test_a_changed_english_text_still_needs_a_new_version(db):
    from pathlib import Path

    from django.conf import settings
    from django.core.exceptions import ValidationError

    from checklists.framework_file import load_framework_file

    framework = v2_items().first().framework
    framework.items.update(question_es="")
    framework.items.filter(code="TRN-01").update(question_en="Something else?")
    with pytest.raises(ValidationError):
        load_framework_file(Path(settings.BASE_DIR) / "fixtures" / "framework_v2.json")


def test_reference_data_is_in_every_language(db):
    from checklists.models import GoodPractice, Phase, Principle
    from projects.models import Sector as ProjectSector

    checks = [
        (Principle, ("name", "description")),
        (Phase, ("name", "description")),
        (ProjectSector, ("name",)),
        (Topic, ("name",)),
        (GoodPractice, ("country", "text")),
    ]
    for model, fields in checks:
        assert model.objects.exists(), model
        for row in model.objects.all():
            for field in fields:
                for language in LANGUAGES:
                    value = getattr(row, f"{field}_{language}")
                    assert value and value.strip(), (model.__name__, row.pk, field, language)
