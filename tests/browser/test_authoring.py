"""Framework authoring in a real browser, in English and French: export the published
version, edit the workbook with a spreadsheet library, import it, compare, publish."""

import io

import openpyxl
import pytest

from checklists.models import Framework, FrameworkStatus
from projects.models import Profile, Role

from ..factories import make_office, make_user

WORDS = {
    "en": {"import": "Import as a draft", "publish": "Publish", "published": "is published"},
    "fr": {"import": "Importer comme brouillon", "publish": "Publier", "published": "est publié"},
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_export_edit_import_compare_publish(open_page, transactional_db, language, tmp_path):
    hq = make_office(code="HQ", name="Headquarters", is_headquarters=True)
    editor = make_user(office=hq, role=Role.FRAMEWORK_EDITOR, username="fatima")
    Profile.objects.create(user=editor, language=language)
    published = Framework.objects.get(status=FrameworkStatus.PUBLISHED)
    page = open_page("fatima", language=language)
    page.click("nav >> a[href='/frameworks/']")
    with page.expect_download() as download:
        page.click(f"a[href='/frameworks/{published.pk}/export.xlsx']")
    path = tmp_path / "framework.xlsx"
    download.value.save_as(path)

    # The protection unit edits the workbook: rewords one item, adds one, in every language.
    workbook = openpyxl.load_workbook(path)
    items = workbook["Items"]
    header = [cell.value for cell in items[1]]
    column = {name: header.index(name) + 1 for name in header}
    items.cell(row=2, column=column["question::en"], value="Is the risk analysis written down?")
    items.cell(
        row=2, column=column["question::fr"], value="L'analyse des risques est-elle écrite ?"
    )
    new = items.max_row + 1
    for name, value in {
        "code": "WASH-06",
        "phase": "implementation",
        "principle": "access",
        "order": 9,
        "critical": "no",
        "not_applicable": "yes",
        "sector_1": "wash",
        "question::en": "Are water points open at times that suit women?",
        "question::fr": "Les points d'eau ouvrent-ils à des heures qui conviennent aux femmes ?",
        "guidance::en": "Opening hours were agreed with women.",
        "guidance::fr": "Les horaires ont été convenus avec les femmes.",
        "question::es": "¿Abren los puntos de agua en horarios que convienen a las mujeres?",
        "guidance::es": "Los horarios se acordaron con las mujeres.",
        "question::ar": "هل تفتح نقاط المياه في أوقات تناسب النساء؟",
        "guidance::ar": "اتُّفق على ساعات العمل مع النساء.",
    }.items():
        items.cell(row=new, column=column[name], value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    edited = tmp_path / "edited.xlsx"
    edited.write_bytes(buffer.getvalue())

    page.set_input_files("input[type=file]", str(edited))
    with page.expect_navigation():
        page.click(f"text={WORDS[language]['import']}")
    body = page.content()
    assert "WASH-06" in body
    assert (
        "1 added, 0 removed, 1 changed."
        if language == "en"
        else "Ajoutés : 1 ; retirés : 0 ; modifiés : 1."
    ) in body
    if language == "fr":
        assert (
            "L&#x27;analyse des risques est-elle écrite ?" in body
            or "L'analyse des risques est-elle écrite ?" in body
        )
    with page.expect_navigation():
        page.click("main form[action$='/publish/'] button")
    assert WORDS[language]["published"] in page.content()
    draft = Framework.objects.get(status=FrameworkStatus.PUBLISHED)
    assert draft.version == published.version + 1
    assert draft.items.get(code="WASH-06").sectors.get().code == "wash"
    assert Framework.objects.get(pk=published.pk).status == FrameworkStatus.RETIRED
