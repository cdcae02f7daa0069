"""Framework authoring by the HQ protection unit: export, import, compare, edit, publish.

The round trip (export the published version, import the file unchanged) must give a draft
identical to it in every field and language; a file with problems creates nothing and says
what is wrong, by row and column, in the user's language.
"""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from checklists import workflow
from checklists.framework_workbook import framework_content
from checklists.models import (
    Framework,
    FrameworkAuditAction,
    FrameworkAuditEntry,
    FrameworkStatus,
    Item,
)
from projects.models import Sector

from ..factories import make_project

pytestmark = pytest.mark.django_db


def published() -> Framework:
    return Framework.objects.get(code="iom-pm", status=FrameworkStatus.PUBLISHED)


def without_version(content: dict) -> dict:
    return {key: value for key, value in content.items() if key != "version"}


def export(client, framework, file_format="xlsx") -> bytes:
    response = client.get(
        reverse(f"checklists:framework-export-{file_format}", args=[framework.pk])
    )
    assert response.status_code == 200
    return response.content


def upload(client, name, data):
    return client.post(
        reverse("checklists:framework-import"), {"file": SimpleUploadedFile(name, data)}
    )


@pytest.mark.parametrize("file_format", ["xlsx", "json"])
def test_round_trip_gives_a_draft_identical_to_the_published_version(
    client, framework_editor, file_format
):
    client.force_login(framework_editor)
    source = published()
    data = export(client, source, file_format)
    response = upload(client, f"framework.{file_format}", data)
    assert response.status_code == 302
    draft = Framework.objects.get(code="iom-pm", status=FrameworkStatus.DRAFT)
    assert draft.version == source.version + 1
    assert response["Location"] == reverse("checklists:framework-compare", args=[draft.pk])
    assert without_version(framework_content(draft)) == without_version(framework_content(source))
    # Every field in every language, compared item by item.
    fields = ["phase_id", "principle_id", "order", "critical", "not_applicable_allowed"]
    fields += [f"{t}_{lang}" for t in ("question", "guidance", "source") for lang in ("en", "fr")]
    for old in source.items.all():
        new = draft.items.get(code=old.code)
        for name in fields:
            assert getattr(new, name) == getattr(old, name), (old.code, name)
        assert set(new.sectors.all()) == set(old.sectors.all())
        assert set(new.topics.all()) == set(old.topics.all())
    assert draft.items.count() == source.items.count()
    compare = client.get(response["Location"]).content.decode()
    assert "0 added, 0 removed, 0 changed." in compare


def test_the_workbook_explains_its_columns_and_offers_lists(client, framework_editor):
    client.force_login(framework_editor)
    workbook = load_workbook(io.BytesIO(export(client, published())))
    assert workbook.sheetnames[:2] == ["Read me", "Items"]
    assert {"Principles", "Phases", "Sectors", "Topics", "Good practices"} <= set(
        workbook.sheetnames
    )
    about = [row for row in workbook["Read me"].iter_rows(values_only=True)]
    assert ("framework", "iom-pm") in about
    assert any(row[0] == "question::fr" and row[1] for row in about)
    header = [cell.value for cell in workbook["Items"][1]]
    assert header[:6] == ["code", "phase", "principle", "order", "critical", "not_applicable"]
    validated = {
        str(v.sqref).split(":")[0][0] for v in workbook["Items"].data_validations.dataValidation
    }
    assert {"B", "C", "E", "G"} <= validated  # phase, principle, critical, sector


def broken_workbook(client) -> bytes:
    """The exported workbook with one of each problem."""
    workbook = load_workbook(io.BytesIO(export(client, published())))
    items = workbook["Items"]
    header = [cell.value for cell in items[1]]
    col = {name: header.index(name) + 1 for name in header}
    items.cell(row=2, column=col["phase"], value="planning")  # unknown phase
    items.cell(row=3, column=col["code"], value=items.cell(row=4, column=col["code"]).value)
    items.cell(row=5, column=col["question::fr"], value="")  # missing French
    items.cell(row=6, column=col["sector_1"], value="fisheries")  # unknown sector
    items.cell(row=7, column=col["guidance::en"], value="=1+1")  # a formula
    # Take the evaluation x participation items for every project out: too few left.
    for row in range(items.max_row, 1, -1):
        phase = items.cell(row=row, column=col["phase"]).value
        principle = items.cell(row=row, column=col["principle"]).value
        sector = items.cell(row=row, column=col["sector_1"]).value
        if (phase, principle, sector) == ("evaluation", "participation", None):
            items.delete_rows(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_workbook_with_problems_creates_nothing_and_names_each_one(client, framework_editor):
    client.force_login(framework_editor)
    before = (Framework.objects.count(), Item.objects.count())
    response = upload(client, "edited.xlsx", broken_workbook(client))
    assert response.status_code == 400
    assert (Framework.objects.count(), Item.objects.count()) == before
    body = response.content.decode()
    assert "Nothing was created." in body
    for message in (
        "“planning” is not a phase code. Choose one from the list.",
        "is already used on row 3.",
        "The question in French is missing.",
        "There is no sector “fisheries”.",
        "This cell holds a formula; type the text itself.",
        "evaluation × participation has 0 items for every project; it needs at least 4.",
    ):
        assert message in body, message
    assert "<td>question::fr</td>" in body and "<td>5</td>" in body  # row and column


def test_problems_are_said_in_french(client, framework_editor):
    client.force_login(framework_editor)
    client.post(reverse("switch-language"), {"language": "fr", "next": "/"})
    response = upload(client, "edited.xlsx", broken_workbook(client))
    body = response.content.decode()
    assert response.status_code == 400
    assert "Rien n&#x27;a été créé." in body or "Rien n'a été créé." in body
    assert "Le champ « question » en français est manquant." in body
    assert "« planning » n&#x27;est pas un code de phase." in body


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.xlsx", b"these are not the droids", "This is not an Excel workbook (.xlsx)"),
        ("framework.json", b"{not json", "This is not a framework file in JSON"),
        ("big.xlsx", b"x" * (5 * 1024 * 1024 + 10), "The file is larger than 5 MB."),
    ],
)
def test_files_that_cannot_be_read_are_refused_clearly(
    client, framework_editor, name, data, message
):
    client.force_login(framework_editor)
    before = Framework.objects.count()
    response = upload(client, name, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Framework.objects.count() == before


def test_a_json_file_with_values_of_the_wrong_type_names_them_and_creates_nothing(
    client, framework_editor
):
    client.force_login(framework_editor)
    content = json.loads(export(client, published(), "json"))
    content["items"][2]["order"] = "third"
    content["items"][4]["question"] = "One question, no languages"
    before = (Framework.objects.count(), Item.objects.count())
    response = upload(client, "edited.json", json.dumps(content).encode())
    assert response.status_code == 400
    body = response.content.decode()
    assert "Write a whole number, 0 or more." in body
    assert "The question in French is missing." in body
    assert "<td>3</td>" in body and "<td>5</td>" in body  # the items' places in the file
    assert (Framework.objects.count(), Item.objects.count()) == before


def test_a_file_with_too_many_items_is_refused(client, framework_editor):
    client.force_login(framework_editor)
    content = json.loads(export(client, published(), "json"))
    content["items"] = [{**content["items"][0], "code": f"X-{n}"} for n in range(1001)]
    # Written as the export writes it (UTF-8, not \u escapes): under the size limit.
    response = upload(client, "many.json", json.dumps(content, ensure_ascii=False).encode())
    assert response.status_code == 400
    assert (
        "The file has 1001 items; a framework may have at most 1000." in response.content.decode()
    )
    assert Framework.objects.count() == 3  # v1, v2 and v3 from fixtures/: nothing created


def test_edit_a_draft_compare_and_publish(client, framework_editor, office_a, staff_a):
    client.force_login(framework_editor)
    source = published()
    in_progress = workflow.start_checklist(
        project=make_project(office=office_a, sectors=list(Sector.objects.filter(code="cash"))),
        user=staff_a,
    )
    response = client.post(reverse("checklists:framework-new-draft", args=[source.pk]))
    draft = Framework.objects.get(status=FrameworkStatus.DRAFT)
    assert response["Location"] == reverse("checklists:framework", args=[draft.pk])
    # Change an item's French question, add one, take one out.
    item = draft.items.get(code="DES-SAF-04")
    form = client.get(reverse("checklists:framework-item", args=[draft.pk, item.pk]))
    assert form.status_code == 200
    data = {
        "code": item.code,
        "phase": item.phase_id,
        "principle": item.principle_id,
        "order": item.order,
        "question_en": item.question_en,
        "question_fr": "Le risque de tensions a-t-il été évalué ?",
        "guidance_en": item.guidance_en,
        "guidance_fr": item.guidance_fr,
        "source_en": item.source_en,
        "source_fr": item.source_fr,
        "question_es": item.question_es,
        "guidance_es": item.guidance_es,
        "source_es": item.source_es,
        "question_ar": item.question_ar,
        "guidance_ar": item.guidance_ar,
        "source_ar": item.source_ar,
        "not_applicable_allowed": "on",
    }
    saved = client.post(reverse("checklists:framework-item", args=[draft.pk, item.pk]), data)
    assert saved.status_code == 302
    new_item = {
        **data,
        "code": "DES-SAF-99",
        "question_en": "Is a new thing checked?",
        "question_fr": "Une nouvelle chose est-elle vérifiée ?",
        "question_es": "¿Se comprueba algo nuevo?",
        "question_ar": "هل يُتحقق من شيء جديد؟",
        "sectors": ["1"],
    }
    added = client.post(reverse("checklists:framework-item-add", args=[draft.pk]), new_item)
    assert added.status_code == 302
    assert list(draft.items.get(code="DES-SAF-99").sectors.values_list("pk", flat=True)) == [1]
    taken = draft.items.get(code="DES-SAF-10")
    client.post(reverse("checklists:framework-item-retire", args=[draft.pk, taken.pk]))
    page = client.get(reverse("checklists:framework-compare", args=[draft.pk])).content.decode()
    assert "1 added, 1 removed, 1 changed." in page
    assert "Le risque de tensions a-t-il été évalué ?" in page
    assert "1 checklist in progress uses" in page
    csv = client.get(
        reverse("checklists:framework-compare", args=[draft.pk]),
        {"with": source.pk, "format": "csv"},
    )
    assert "DES-SAF-99" in csv.content.decode() and "question_fr" not in csv.content.decode()
    assert client.post(reverse("checklists:framework-publish", args=[draft.pk])).status_code == 302
    draft.refresh_from_db()
    assert draft.status == FrameworkStatus.PUBLISHED
    assert Framework.objects.get(pk=source.pk).status == FrameworkStatus.RETIRED
    in_progress.refresh_from_db()
    assert in_progress.framework_id == source.pk  # keeps its version
    actions = list(
        FrameworkAuditEntry.objects.filter(framework=draft).values_list("action", flat=True)
    )
    for action in (
        FrameworkAuditAction.DRAFT_STARTED,
        FrameworkAuditAction.ITEM_CHANGED,
        FrameworkAuditAction.ITEM_ADDED,
        FrameworkAuditAction.ITEM_RETIRED,
        FrameworkAuditAction.PUBLISHED,
    ):
        assert action in actions, action
    assert FrameworkAuditEntry.objects.filter(framework=draft, actor=framework_editor).count() == 5


def test_a_published_version_cannot_be_edited(client, framework_editor):
    client.force_login(framework_editor)
    source = published()
    item = source.items.first()
    response = client.post(
        reverse("checklists:framework-item", args=[source.pk, item.pk]),
        {"code": item.code, "question_en": "Changed?"},
        follow=True,
    )
    assert "cannot change" in response.content.decode()
    item.refresh_from_db()
    assert item.question_en != "Changed?"
    client.post(reverse("checklists:framework-item-retire", args=[source.pk, item.pk]))
    assert Item.objects.filter(pk=item.pk).exists()


def test_export_is_in_the_audit_trail(client, framework_editor):
    client.force_login(framework_editor)
    export(client, published(), "json")
    entry = FrameworkAuditEntry.objects.get(action=FrameworkAuditAction.EXPORTED)
    assert entry.actor == framework_editor and entry.changes == {"format": "json"}
    assert json.loads(export(client, published(), "json"))["code"] == "iom-pm"


@pytest.mark.parametrize("role", ["staff_a", "focal_a", "manager_a", "hq_manager"])
def test_only_framework_editors_reach_the_framework_pages(client, request, role):
    client.force_login(request.getfixturevalue(role))
    source = published()
    item = source.items.first()
    for url in (
        reverse("checklists:frameworks"),
        reverse("checklists:framework", args=[source.pk]),
        reverse("checklists:framework-export-xlsx", args=[source.pk]),
        reverse("checklists:framework-compare", args=[source.pk]),
        reverse("checklists:framework-item", args=[source.pk, item.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert upload(client, "x.json", b"{}").status_code == 403
    assert (
        client.post(reverse("checklists:framework-new-draft", args=[source.pk])).status_code == 403
    )
    assert Framework.objects.count() == 3  # v1, v2 and v3 from fixtures/: nothing created
    assert "Frameworks" not in client.get(reverse("checklists:home")).content.decode()
    assert not FrameworkAuditEntry.objects.exists()


def test_editors_find_the_pages_in_the_navigation(client, framework_editor):
    client.force_login(framework_editor)
    home = client.get(reverse("checklists:frameworks")).content.decode()
    assert 'href="/frameworks/" aria-current="page">Frameworks</a>' in home
    assert "iom-pm" not in home or "IOM protection mainstreaming checklist v2" in home


def test_a_file_far_above_the_cap_is_refused_before_it_is_read(client, framework_editor):
    client.force_login(framework_editor)
    response = upload(client, "huge.xlsx", b"x" * (7 * 1024 * 1024))
    assert response.status_code == 413
    assert "The app accepts up to 6 MB at a time." in response.content.decode()
    assert Framework.objects.count() == 3


def test_an_item_in_every_sector_with_formula_like_texts_exports_and_imports_unchanged(
    client, framework_editor
):
    """The Items sheet has as many sector columns as the framework's items need (it had
    three, and a fourth sector shifted every later column); texts that start like a formula
    are written as text, never as a formula, and come back as typed."""
    source = published()
    item = source.items.get(code="DES-SAF-04")
    item.sectors.set(Sector.objects.all())
    type(item).objects.filter(pk=item.pk).update(
        question_en='=HYPERLINK("http://example.org","Read")', guidance_fr="+33 1 23 45 67"
    )
    client.force_login(framework_editor)
    data = export(client, source)
    workbook = load_workbook(io.BytesIO(data))
    cells = [cell for sheet in workbook for line in sheet.iter_rows() for cell in line]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    header = [cell.value for cell in workbook["Items"][1]]
    assert header.count("code") == 1
    assert len([c for c in header if c.startswith("sector_")]) == Sector.objects.count() > 3
    response = upload(client, "framework.xlsx", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    draft = Framework.objects.get(code="iom-pm", status=FrameworkStatus.DRAFT)
    assert without_version(framework_content(draft)) == without_version(framework_content(source))
    copy = draft.items.get(code="DES-SAF-04")
    assert set(copy.sectors.all()) == set(Sector.objects.all())
    assert copy.question_en == '=HYPERLINK("http://example.org","Read")'
    assert copy.guidance_fr == "+33 1 23 45 67"


def test_a_framework_code_cannot_break_the_download_header(client, framework_editor):
    source = published()
    Framework.objects.filter(pk=source.pk).update(code='iom"pm\r\nSet-Cookie: x=1')
    client.force_login(framework_editor)
    for file_format in ("xlsx", "json"):
        response = client.get(
            reverse(f"checklists:framework-export-{file_format}", args=[source.pk])
        )
        assert response.status_code == 200
        header = response["Content-Disposition"]
        assert header.startswith("attachment; filename")
        assert "\r" not in header and "\n" not in header
        assert not response.has_header("Set-Cookie") or "x=1" not in response["Set-Cookie"]


def test_the_item_form_keeps_the_rules_of_a_file(client, framework_editor):
    """One item validator (framework_rules.item_problems) for the form, the import and
    publishing: guidance missing in one language is refused at its field."""
    client.force_login(framework_editor)
    client.post(reverse("checklists:framework-new-draft", args=[published().pk]))
    draft = Framework.objects.get(status=FrameworkStatus.DRAFT)
    item = draft.items.get(code="DES-SAF-04")
    data = {
        "code": item.code,
        "phase": item.phase_id,
        "principle": item.principle_id,
        "order": item.order,
        **{
            f"{text}_{lang}": getattr(item, f"{text}_{lang}")
            for text in ("question", "guidance", "source")
            for lang in ("en", "fr", "es", "ar")
        },
        "guidance_ar": "",
        "not_applicable_allowed": "on",
    }
    response = client.post(reverse("checklists:framework-item", args=[draft.pk, item.pk]), data)
    assert response.status_code == 400
    assert "The guidance in Arabic is missing." in response.content.decode()
    item.refresh_from_db()
    assert item.guidance_ar
