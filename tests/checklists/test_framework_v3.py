"""Framework v3 (fixtures/framework_v3.json): the second content review's corrections.

The review (CONTENT-V2-2026-12.md) would not sign v2 off: a critical Arabic item asked
whether deportations were voluntary, some wordings could harm if followed, some items
could not be answered without knowing of SEA cases, some N/A and critical rules were
wrong, and whole subjects were missing. These tests hold v3 to each named correction,
and show that checklists started on v2 keep working once v3 is published.
"""

import io
import json
import re
from itertools import combinations
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from checklists import workflow
from checklists.models import (
    Checklist,
    ChecklistStatus,
    Framework,
    FrameworkStatus,
    GoodPractice,
    Item,
    Phase,
    Principle,
    Topic,
)
from projects.models import Sector

from ..factories import answer_data, make_project

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
FIXTURES = Path(settings.BASE_DIR) / "fixtures"
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
# Each subject the review found missing, and the v3 items that cover it.
MISSING_SUBJECTS = {
    "remote management and third-party monitoring": ["IMP-ACT-06", "END-SAF-07"],
    "anti-fraud measures that exclude people": ["IMP-ACC-08", "END-ACT-06"],
    "climate and disaster displacement": ["CCM-05", "CCM-06", "IMP-ACC-09"],
    "sexual orientation and gender identity (SOGIESC)": ["IMP-SAF-13"],
    "older persons": ["IMP-ACC-07"],
    "minorities and indigenous peoples": ["IMP-PAR-08"],
    "men and boys who survive sexual violence": ["IMP-SAF-14"],
    "data demands from authorities and courts": ["IMP-SAF-15"],
    "no child held for migration reasons": ["MIG-06"],
    "conflict sensitivity (diversion, gatekeepers)": ["DES-SAF-11", "IMP-SAF-12", "IMP-PAR-07"],
    "durable solutions and conditions in areas of return": ["TRN-06", "TRN-07"],
}
# What each subject's items must speak of (English question or guidance).
SUBJECT_WORDS = {
    "remote management and third-party monitoring": ["remotely", "third party"],
    "anti-fraud measures that exclude people": ["fraud"],
    "climate and disaster displacement": ["evacuation", "early warning", "climate"],
    "sexual orientation and gender identity (SOGIESC)": ["SOGIESC", "criminalised"],
    "older persons": ["older persons", "chronic illness"],
    "minorities and indigenous peoples": ["indigenous peoples", "Afro-descendant"],
    "men and boys who survive sexual violence": ["men and boys"],
    "data demands from authorities and courts": ["authorities or courts", "Legal"],
    "no child held for migration reasons": ["no child held", "migration reasons"],
    "conflict sensitivity (diversion, gatekeepers)": ["diversion", "gatekeepers"],
    "durable solutions and conditions in areas of return": ["durable solution", "go-and-see"],
}
# v2 codes that v3 no longer has: merged (review §3.4) or replaced by a new meaning.
GONE_FROM_V2 = {
    "DES-ACT-05": "DES-SAF-06",  # the data notice, merged
    "CSH-01": "DES-ACC-09",  # documents, merged
    "HLT-04": "DES-ACC-09",  # documents (fees and distance: HLT-06)
    "IMP-ACT-05": "IMP-ACT-07",  # SEA complaints: now a readiness check
    "IMP-SAF-10": "IMP-SAF-16",  # SEA survivors: now a readiness check
}
# Developers' words shown to users in v2 ("the groups the seed manual names"), and kin.
JARGON = {
    "en": ["seed manual", "seed text", "the seed", "fixture", "the manual names"],
    "fr": ["que nomme le manuel :", "manuel de référence", "texte source"],
    "es": ["manual de referencia", "texto semilla"],
    "ar": ["الدليل المرجعي", "النص المرجعي"],
}


def items_of(version):
    return Item.objects.filter(framework__code="iom-pm", framework__version=version)


def v3_items():
    return items_of(3)


def v3(code) -> Item:
    return v3_items().get(code=code)


def texts(item, language, fields=("question", "guidance")) -> str:
    return " ".join(getattr(item, f"{field}_{language}") for field in fields)


def glossary() -> dict:
    return json.loads((FIXTURES / "glossary.json").read_text(encoding="utf-8"))


def catalogue(language) -> polib.POFile:
    return polib.pofile(
        str(Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES/django.po")
    )


def reference_texts(language):
    """Principles, phases, sectors, topics and good practices: (row, field) in ``language``."""
    for model, fields in (
        (Principle, ("name", "description")),
        (Phase, ("name", "description")),
        (Sector, ("name",)),
        (Topic, ("name",)),
        (GoodPractice, ("country", "text")),
    ):
        for row in model.objects.all():
            for field in fields:
                yield row, f"{field}_{language}"


def translations(entry) -> list[str]:
    return [entry.msgstr, *entry.msgstr_plural.values()]


# -- publication ----------------------------------------------------------------------


def test_v3_is_the_published_version_and_v2_is_retired_with_its_items():
    published = Framework.objects.get(code="iom-pm", status=FrameworkStatus.PUBLISHED)
    assert published.version == 3
    assert workflow.current_framework() == published
    assert Framework.objects.get(code="iom-pm", version=2).status == FrameworkStatus.RETIRED
    assert items_of(2).count() == 154  # v2 keeps every item its checklists answered
    assert v3_items().count() == len(
        json.loads((FIXTURES / "framework_v3.json").read_text(encoding="utf-8"))["items"]
    )


def test_a_code_keeps_its_meaning_and_a_new_meaning_gets_a_new_code():
    v2_codes = set(items_of(2).values_list("code", flat=True))
    v3_codes = set(v3_items().values_list("code", flat=True))
    assert v2_codes - v3_codes == set(GONE_FROM_V2)
    assert set(GONE_FROM_V2.values()) <= v3_codes
    assert "readiness" in v3("IMP-ACT-07").guidance_en
    assert "readiness" in v3("IMP-SAF-16").guidance_en


# -- critical flags and "not applicable" -------------------------------------------------


def test_the_review_s_critical_flags():
    critical = set(v3_items().filter(critical=True).values_list("code", flat=True))
    named = {"TRN-03", "TRN-05", "DES-SAF-10", "SHL-04", "DTM-01", "END-ACT-05"}
    assert named <= critical
    # New critical items: no armed groups, no child held, data demands, SEA readiness.
    assert {"IMP-PAR-07", "MIG-06", "IMP-SAF-15", "IMP-ACT-07", "DTM-04"} <= critical
    # v2's critical items stay critical, but for one: "critical" means a risk to people,
    # and sharing evaluation results (EVA-ACT-02) is good practice rather than that.
    v2_critical = set(items_of(2).filter(critical=True).values_list("code", flat=True))
    assert v2_critical - critical == {"EVA-ACT-02", "IMP-ACT-05"}
    assert not v3("EVA-ACT-02").critical


def test_the_review_s_not_applicable_rules():
    # Critical items that apply to every project: never "not applicable".
    for code in ("DES-SAF-05", "DES-PAR-01", "END-PAR-01", "EVA-SAF-01"):
        assert v3(code).critical and not v3(code).not_applicable_allowed, code
    assert "after-action review" in v3("EVA-SAF-01").question_en
    # A project IOM implements itself has no partner agreement: it no longer has to say "no".
    partners = v3("END-ACT-05")
    assert partners.not_applicable_allowed
    assert "no implementing partner" in partners.guidance_en
    commitments = v3("END-SAF-02")  # always applies: the proposal; partners where there are
    assert commitments.critical and not commitments.not_applicable_allowed
    assert "where there are implementing partners" in commitments.question_en
    assert "answers on the proposal alone" in commitments.guidance_en
    # Explosive ordnance: "not applicable" only where there is no contamination.
    for code in ("DES-SAF-10", "SHL-04"):
        assert v3(code).not_applicable_allowed
        assert "no contamination is known" in v3(code).guidance_en
    # The readiness checks depend on nothing having happened: never "not applicable".
    for code in ("IMP-ACT-07", "IMP-SAF-16", "TRN-05", "MIG-02", "MIG-06", "IMP-PAR-07"):
        assert not v3(code).not_applicable_allowed, code


def test_psea_and_data_items_refuse_not_applicable_except_where_they_name_their_condition():
    sensitive = v3_items().filter(topics__code__in=["psea", "data-protection"]).distinct()
    allowed = {item.code: item for item in sensitive if item.not_applicable_allowed}
    assert set(allowed) == {"END-ACT-05", "END-SAF-07"}
    for item in allowed.values():
        assert re.search(r"Answer \"not applicable\" only (when|if) IOM", item.guidance_en)


# -- Arabic, French and Spanish terms -----------------------------------------------------


def test_trn01_no_longer_lists_deportation_among_voluntary_movements():
    movement = v3("TRN-01")
    for field in ("question", "guidance", "source"):
        assert "الترحيل" not in getattr(movement, f"{field}_ar")
    assert "النقل إلى موقع آخر" in movement.question_ar
    assert "relocalisation" in movement.question_fr
    assert "réinstallation" not in texts(movement, "fr")
    assert not any("الترحيل" in texts(item, "ar") for item in v3_items())


def test_no_munassiq_for_focal_point_anywhere_in_arabic():
    for item in v3_items():
        assert "منسق" not in texts(item, "ar", ("question", "guidance", "source")), item.code
    for row, field in reference_texts("ar"):
        assert "منسق" not in getattr(row, field), (row, field)
    for entry in catalogue("ar"):
        for text in translations(entry):
            assert "منسق" not in text, entry.msgid
    [term] = [term for term in glossary()["terms"] if term["key"] == "focal-point"]
    assert catalogue("ar").find("Protection focal point").msgstr == term["ar"]
    assert "جهة الاتصال المعنية بالحماية" in v3("MIG-08").guidance_ar


def test_the_review_s_other_arabic_corrections():
    assert "تُحقِّق مع" not in v3("DES-SAF-10").question_ar  # "interrogate"
    assert "الإجراءات المتعلقة بالألغام" in v3("DES-SAF-10").question_ar
    assert "البيانات البيومترية" in v3("DES-SAF-06").guidance_ar
    assert "مال، أو علاقات جنسية" in v3("DES-SAF-08").guidance_ar
    everything = " ".join(texts(item, "ar") for item in v3_items())
    assert "البيانات الحيوية" not in everything  # vital statistics, not biometrics
    assert not re.search(r"(^|[\s(،])جنس[،,)]", everything)  # "sex" alone
    assert "استخلاص المعلومات" not in everything  # an intelligence debriefing
    assert "العدادون" not in everything and "العدادين" not in everything


def test_the_review_s_french_and_spanish_corrections():
    french = " ".join(texts(item, "fr") for item in v3_items())
    for wrong in ("réinstallation", "sans papiers", "du IASC", "moins bien servis", "référer"):
        assert wrong not in french, wrong
    assert "procédure relative à l'intérêt supérieur (PIS)" in v3("TRN-03").question_fr
    spanish = " ".join(texts(item, "es") for item in v3_items())
    for wrong in ("mesa de ayuda", "vía de derivación", "violencia de género", "El revisor"):
        assert wrong not in spanish, wrong
    assert "debriefing" not in v3("MHP-01").guidance_es.replace("(debriefing)", "")
    assert "¿Consideró justos la comunidad" in v3("EVA-ACC-06").question_es


def test_no_internal_jargon_in_any_language():
    for item in v3_items():
        for language, words in JARGON.items():
            text = texts(item, language).lower()
            for word in words:
                assert word not in text, (item.code, language, word)
    guidance = v3("DES-ACC-01").guidance_en
    assert "the groups the IOM Emergency Manual names" in guidance


def test_the_glossary_has_every_term_in_four_languages_and_its_avoided_words_are_gone():
    terms = glossary()["terms"]
    assert len(terms) >= 15  # the review's section 4.5, and the terms its corrections fixed
    catalogues = {language: catalogue(language) for language in ("fr", "es", "ar")}
    for term in terms:
        for language in LANGUAGES:
            assert term[language].strip(), (term["key"], language)
        for language, words in term["avoid"].items():
            titles = term["official_titles"].get(language, [])
            for word in words:
                for item in v3_items():
                    assert word not in texts(item, language), (term["key"], item.code, word)
                for row, field in reference_texts(language):
                    text = getattr(row, field)
                    for title in titles:
                        text = text.replace(title, "")
                    assert word not in text, (term["key"], row, field)
                for entry in catalogues.get(language, []):
                    for text in translations(entry):
                        for title in titles:
                            text = text.replace(title, "")
                        assert word not in text, (term["key"], language, entry.msgid)
    # English report titles speak of progress, not compliance (review 4.12).
    for entry in catalogues["fr"]:
        assert "compliance" not in entry.msgid.lower(), entry.msgid


# -- wordings that could harm, and items nobody could answer ---------------------------


def test_the_harmful_wordings_are_rewritten():
    detention = v3("MIG-02").guidance_en
    assert "decided by an authority" not in detention
    assert "If anyone cannot leave" in detention and 'answer "no"' in detention
    speak = v3("IMP-PAR-05")
    assert "risk to the people who speak has been assessed as acceptable" in speak.question_en
    assert "anonymous or intermediary channels" in speak.guidance_en
    tenure = v3("SHL-01").guidance_en
    assert "owner's written agreement" not in tenure
    assert "no one is excluded for lack of formal title" in tenure
    assert "secondary occupant" in tenure
    data = v3("DES-SAF-06").guidance_en
    assert "can refuse without losing assistance" in data
    assert "another legitimate basis is recorded" in data
    provider = v3("CSH-02").guidance_en
    assert "may not pass it to authorities" not in provider
    assert "legal duties to disclose" in provider
    movement = v3("TRN-01").guidance_en
    assert "A signature alone is not evidence" in movement
    assert "IOM does not carry out the movement" in movement
    # Each rewritten text is rewritten in every language, not only in English.
    for code, field in (
        ("MIG-02", "guidance"),
        ("IMP-PAR-05", "question"),
        ("SHL-01", "guidance"),
        ("DES-SAF-06", "guidance"),
        ("CSH-02", "guidance"),
        ("TRN-01", "guidance"),
    ):
        before = items_of(2).get(code=code)
        for language in LANGUAGES:
            after = getattr(v3(code), f"{field}_{language}")
            assert after != getattr(before, f"{field}_{language}"), (code, language)


def test_the_unanswerable_and_circular_items_are_readiness_checks():
    assert not v3_items().filter(code__in=["IMP-ACT-05", "IMP-SAF-10"]).exists()
    complaints = v3("IMP-ACT-07")
    assert "know to pass it on" in complaints.question_en
    assert "tested in the last six months" in complaints.question_en
    assert complaints.critical
    survivors = v3("IMP-SAF-16")
    assert "offered whatever happens to the complaint" in survivors.question_en
    strategy = v3("END-ACC-05")
    for language in LANGUAGES:
        assert getattr(strategy, f"guidance_{language}") != getattr(
            items_of(2).get(code="END-ACC-05"), f"guidance_{language}"
        )
    assert "focal point" not in strategy.guidance_en  # staff answer before the focal point


def test_the_sources_the_review_found_wrong_are_corrected():
    sources = {item.code: item.source_en for item in v3_items()}
    assert not [
        code for code, source in sources.items() if "Victims of Trafficking (2007)" in source
    ]
    assert "Migrants Vulnerable to Violence" in sources["MIG-03"]
    assert sources["MIG-04"].endswith("objective 3")  # information, not detention
    assert sources["TRN-02"].endswith("(principle 17)")  # family unity
    assert "Assisted Voluntary Return" in sources["TRN-04"]
    assert "Assisted Voluntary Return" in sources["TRN-01"]  # cross-border returns too
    assert "Clinical Management of Rape" not in sources["HLT-01"] + sources["HLT-03"]
    assert "Data Protection" not in sources["DTM-02"]  # women enumerators
    assert "ILO" in sources["IMP-PAR-06"] and "ILO" in sources["FSL-03"]


# Items that asked two things (review §3.1): the question keeps one, the guidance the other.
SPLIT = {
    "WASH-01": "lit",
    "EDU-03": "menstrual hygiene",
    "SHL-03": "partitions",
    "WASH-04": "action",
    "HLT-02": "know where to find it",
    "MHP-01": "IASC MHPSS guidelines",
    "TRN-04": "Medical escorts",
    "MIG-03": "referred with their consent",
    "IMP-PAR-03": "held regularly",
    "EVA-ACC-01": "never reached",
    "EVA-ACT-03": "written down",
    "FSL-03": "Pay and minimum age",
}


@pytest.mark.parametrize("code", sorted(SPLIT))
def test_an_item_that_asked_two_things_asks_one(code):
    item = v3(code)
    assert SPLIT[code] in item.guidance_en
    assert SPLIT[code].lower() not in item.question_en.lower()
    assert item.question_en != items_of(2).get(code=code).question_en


# -- coverage --------------------------------------------------------------------------


@pytest.mark.parametrize("subject", sorted(MISSING_SUBJECTS))
def test_each_missing_subject_is_covered(subject):
    items = [v3(code) for code in MISSING_SUBJECTS[subject]]
    text = " ".join(item.question_en + " " + item.guidance_en for item in items)
    for word in SUBJECT_WORDS[subject]:
        assert word in text, (subject, word)


@pytest.mark.parametrize("sector", SECTORS)
def test_every_sector_has_an_item_at_endorsement_and_at_evaluation(sector):
    mine = v3_items().filter(sectors__code=sector)
    assert mine.filter(phase__code="endorsement").exists(), sector
    assert mine.filter(phase__code="evaluation").exists(), sector


def test_every_item_is_written_in_the_four_languages():
    assert set(LANGUAGES) == {"en", "fr", "es", "ar"}
    for item in v3_items():
        for field in ("question", "guidance", "source"):
            for language in LANGUAGES:
                assert getattr(item, f"{field}_{language}").strip(), (item.code, field, language)
        for language in ("fr", "es", "ar"):
            assert getattr(item, f"question_{language}") != item.question_en, item.code
            assert getattr(item, f"guidance_{language}") != item.guidance_en, item.code
        assert re.search("[\u0600-\u06ff]", item.question_ar), item.code


def test_every_phase_and_principle_keeps_four_items_for_every_project():
    common = v3_items().filter(sectors__isnull=True)
    for phase in Phase.objects.all():
        for principle in Principle.objects.all():
            count = common.filter(phase=phase, principle=principle).count()
            assert count >= 4, (phase.code, principle.code, count)


def design_length(version, sectors) -> int:
    design = items_of(version).filter(phase__code="design")
    return (
        design.filter(sectors__isnull=True).count()
        + design.filter(sectors__code__in=sectors).distinct().count()
    )


def test_the_design_checklist_is_no_longer_than_v2_s_for_the_same_sectors():
    projects = [[]] + [[sector] for sector in SECTORS] + [list(p) for p in combinations(SECTORS, 2)]
    for sectors in projects + [SECTORS]:
        assert design_length(3, sectors) <= design_length(2, sectors), sectors
    # The overlaps the review listed (§3.4) are merged, without dropping their subject.
    assert "how to ask for their data to be corrected or deleted" in v3("DES-SAF-06").guidance_en
    documents = v3("DES-ACC-09").guidance_en
    assert "SIM cards or bank accounts" in documents and "In health" in documents
    assert "cost and distance" in v3("HLT-06").question_en


# -- the rules, walked through the workflow ---------------------------------------------


@pytest.fixture
def endorsement_checklist(office_a, staff_a):
    project = make_project(
        office=office_a,
        sectors=[Sector.objects.get(code="cash")],
        current_phase=Phase.objects.get(code="endorsement"),
    )
    return workflow.start_checklist(project=project, user=staff_a)


def test_a_directly_implemented_project_answers_partner_psea_not_applicable(
    staff_a, endorsement_checklist
):
    assert endorsement_checklist.framework.version == 3
    answers = {a.item.code: a for a in endorsement_checklist.answers.select_related("item")}
    reason = "IOM implements the whole project itself, with no implementing partner."
    partners = answers["END-ACT-05"]
    workflow.save_answer(
        checklist=endorsement_checklist,
        answer_id=partners.pk,
        user=staff_a,
        values=workflow.AnswerInput(response="na", not_applicable_reason=reason),
        based_on_version=partners.version,
    )
    partners.refresh_from_db()
    assert partners.response == "na"
    commitments = answers["END-SAF-02"]
    with pytest.raises(workflow.RefusedResponse):
        workflow.save_answer(
            checklist=endorsement_checklist,
            answer_id=commitments.pk,
            user=staff_a,
            values=workflow.AnswerInput(response="na", not_applicable_reason=reason),
            based_on_version=commitments.version,
        )
    assert "CSH-06" in answers  # the cash project's endorsement item


# -- a v2 checklist started before v3 ----------------------------------------------------


@pytest.fixture
def v2_install(db):
    """An install that has v2 published and no v3 yet, as before this release."""
    Item.objects.filter(framework__version=3).delete()
    Framework.objects.filter(version=3).delete()
    Framework.objects.filter(version=2).update(status=FrameworkStatus.PUBLISHED)


def test_a_v2_checklist_started_before_v3_opens_fills_submits_and_prints(
    client, v2_install, office_a, staff_a, focal_a, manager_a
):
    project = make_project(office=office_a, sectors=[Sector.objects.get(code="cash")])
    old = workflow.start_checklist(project=project, user=staff_a)
    assert old.framework.version == 2
    codes = set(old.answers.values_list("item__code", flat=True))
    assert {"DES-ACT-05", "CSH-01"} <= codes  # v2 items that v3 merged
    answers = list(old.answers.select_related("item").order_by("pk"))
    half = len(answers) // 2
    for answer in answers[:half]:
        workflow.save_answer(
            checklist=old,
            answer_id=answer.pk,
            user=staff_a,
            values=workflow.AnswerInput(response="yes"),
            based_on_version=answer.version,
        )

    call_command("load_framework", stdout=io.StringIO())  # the release brings v3

    assert Framework.objects.get(code="iom-pm", status=FrameworkStatus.PUBLISHED).version == 3
    old.refresh_from_db()
    assert old.framework.version == 2
    assert set(old.answers.values_list("item__code", flat=True)) == codes
    client.force_login(staff_a)
    # Opens: the page shows v2's items, merged ones included.
    page = client.get(reverse("checklists:detail", args=[old.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="item-DES-ACT-05"' in body and 'id="item-CSH-01"' in body
    assert 'id="item-DES-SAF-11"' not in body  # a v3 item
    # Fills: the rest of the answers, through the page as a browser sends them.
    for answer in answers[half:]:
        answer.refresh_from_db()
        reply = client.post(
            reverse("checklists:answer-save", args=[old.pk, answer.pk]),
            answer_data(answer, response="yes", comment="Checked."),
        )
        assert reply.status_code == 200, reply.content
    # Submits.
    reply = client.post(reverse("checklists:save", args=[old.pk]), {"action": "submit"})
    assert reply.status_code == 302
    old.refresh_from_db()
    assert old.status == ChecklistStatus.SUBMITTED
    assert old.framework.version == 2
    # Prints: the project report names the version each checklist was filled against.
    client.force_login(manager_a)
    pdf = client.get(reverse("checklists:project-report", args=[project.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    import pypdf

    text = re.sub(
        r"\s+",
        " ",
        " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages),
    )
    assert f"{old.framework.name} v2" in text
    # And the project's next checklist, like every new one, uses v3.
    other = make_project(office=office_a, sectors=[Sector.objects.get(code="cash")])
    assert workflow.start_checklist(project=other, user=staff_a).framework.version == 3
    assert Checklist.objects.get(pk=old.pk).answers.filter(item__framework__version=3).count() == 0
