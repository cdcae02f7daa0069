"""Evidence files from the checklist page itself, in a real browser: "Add evidence" opens an
upload in the item; a refused file says why there; the answer's page keeps the versions."""

from pathlib import Path

import pytest

from checklists.models import Evidence
from projects.models import Role

from ..factories import make_office, make_user, photo, start_project_checklist

PDF = b"%PDF-1.7\n% minutes of the community consultation\n%%EOF\n"


@pytest.fixture
def draft(transactional_db, framework):
    office = make_office(code="IRQ", name="Iraq country office")
    staff = make_user(office=office, role=Role.STAFF, username="layla", first_name="Layla")
    _project, checklist = start_project_checklist(office=office, staff=staff, code="IRQ-EV-01")
    return checklist


def test_a_file_is_added_from_the_checklist_page(open_page, draft, axe_source):
    from .test_accessibility import violations

    answer = draft.answers.order_by("item__order").first()
    page = open_page("layla")
    page.goto(f"/checklists/{draft.pk}/")
    item = page.locator(f"#item-{answer.item.code}")
    item.get_by_role("link", name="Add evidence").click()
    upload = item.locator(".evidence-upload")
    assert upload.locator("input[type=file]").evaluate("node => node === document.activeElement")
    # Nothing chosen yet: said in the item, nothing sent.
    upload.get_by_role("button", name="Upload").click()
    assert upload.get_by_role("status").inner_text() == "Choose a file to upload."
    upload.get_by_label("Add a file as evidence").set_input_files(
        files=[{"name": "consultation.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    # Personal data unless the uploader says otherwise: here, a file without any.
    upload.get_by_label("Does this file contain personal data?").select_option("no")
    upload.get_by_role("button", name="Upload").click()
    page.wait_for_function(
        "node => node.textContent.includes('is saved')",
        arg=upload.get_by_role("status").element_handle(),
    )
    assert item.locator(".evidence-link").inner_text() == "Evidence files (1)"
    evidence = Evidence.objects.get()
    assert (evidence.answer_id, evidence.name) == (answer.pk, "consultation.pdf")
    assert evidence.contains_personal_data is False
    assert violations(page, axe_source) == []
    # A program renamed .pdf is refused, with the reason, where the user is.
    upload.get_by_label("Add a file as evidence").set_input_files(
        files=[{"name": "tool.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00"}]
    )
    upload.get_by_role("button", name="Upload").click()
    page.wait_for_function(
        "node => node.textContent.includes('not what its name says')",
        arg=upload.get_by_role("status").element_handle(),
    )
    assert Evidence.objects.count() == 1
    # The answer's page of files is one link away, with the file to download.
    upload.get_by_role("link", name="See, replace or remove this answer's files").click()
    page.wait_for_url(f"**/checklists/{draft.pk}/answers/{answer.pk}/evidence/")
    with page.expect_download() as download:
        page.get_by_role("link", name="consultation.pdf").click()
    assert Path(download.value.path()).read_bytes() == PDF


def test_without_javascript_the_link_leads_to_the_answers_files(open_page, draft):
    answer = draft.answers.order_by("item__order").first()
    page = open_page("layla", javascript=False)
    page.goto(f"/checklists/{draft.pk}/")
    page.locator(f"#item-{answer.item.code}").get_by_role("link", name="Add evidence").click()
    page.wait_for_url(f"**/checklists/{draft.pk}/answers/{answer.pk}/evidence/")
    page.locator("#id_file").set_input_files(
        files=[{"name": "site-photo.png", "mimeType": "image/png", "buffer": photo("PNG")}]
    )
    page.get_by_role("button", name="Upload").click()
    assert "“site-photo.png” is saved." in page.content()
    assert Evidence.objects.get().name == "site-photo.png"
