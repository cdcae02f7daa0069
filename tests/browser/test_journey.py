"""The whole journey in a real browser, in English and in French."""

import io
import re

import openpyxl
import pypdf
import pytest

from checklists.models import Checklist, ChecklistStatus, EndorsementRule, Phase
from projects.models import Profile, Project, Role

from ..factories import make_office, make_user
from .answers import expected_in_full, lost, shown_values, stored_values

CODE = "IRQ-BRW-2026-01"


@pytest.fixture
def cast(transactional_db, framework):
    hq = make_office(code="HQ", name="Headquarters", is_headquarters=True)
    # The endorsement chain on: the region endorses after the country (docs/endorsement.md).
    region = make_office(code="MENA", name="Middle East and North Africa", parent=hq)
    office = make_office(code="IRQ", name="Iraq country office", parent=region)
    EndorsementRule.objects.create(
        office=region, phase=Phase.objects.get(code="endorsement"), level_office=region
    )
    return {
        "regional": make_user(
            office=region, role=Role.FOCAL_POINT, username="yusuf", first_name="Yusuf"
        ),
        "staff": make_user(office=office, role=Role.STAFF, username="layla", first_name="Layla"),
        "focal": make_user(
            office=office, role=Role.FOCAL_POINT, username="omar", first_name="Omar"
        ),
        "manager": make_user(office=hq, role=Role.MANAGER, username="ana", first_name="Ana"),
    }


def wait_until_saved(page):
    page.wait_for_function(
        "() => !document.querySelector('.save-status.is-pending')"
        " && !document.querySelector('.save-status.is-error')"
    )


def answer_all_yes(page, *, first_no=False) -> dict[int, dict[str, str]]:
    """Answer every item "yes" (the first "no" with its action point, when asked), without
    pausing; returns what was typed, item by item."""
    items = page.locator(".answer[data-answer]")
    typed = {}
    for index in range(items.count()):
        item = items.nth(index)
        if first_no and index == 0:
            item.locator("input[type=radio][value=no]").check()
            item.locator("textarea[name$=action_description]").fill("Map referral pathways")
            owner = item.locator("select[name$=action_owner] option").nth(1).get_attribute("value")
            item.locator("select[name$=action_owner]").select_option(owner)
            item.locator("input[name$=action_due]").fill("2027-01-15")
            item.locator("input[name$=action_due]").press("Tab")
            values = {
                "response": "no",
                "action_description": "Map referral pathways",
                "action_owner": owner,
                "action_due": "2027-01-15",
            }
        else:
            item.locator("input[type=radio][value=yes]").check()
            values = {"response": "yes"}
        typed[int(item.get_attribute("data-answer"))] = values
    wait_until_saved(page)
    return expected_in_full(typed)


def submit(page):
    with page.expect_navigation():
        page.click("button[name=action][value=submit]")


def decide(page, checklist_pk, decision, comment=""):
    page.goto(f"/checklists/{checklist_pk}/review/")
    page.check(f"input[name=decision][value={decision}]")
    if comment:
        page.fill("#id_comment", comment)
    with page.expect_navigation():
        page.click("main form button[type=submit]")


@pytest.mark.parametrize("language", ["en", "fr", "es", "ar"])
def test_full_journey(open_page, cast, language, live_server):
    for user in cast.values():
        Profile.objects.create(user=user, language=language)
    staff = open_page("layla", language=language)
    assert staff.locator("html").get_attribute("lang") == language

    # Staff create a project.
    staff.goto("/projects/new/")
    staff.fill("#id_code", CODE)
    staff.fill("#id_title", "Winter shelter kits")
    staff.check("input[name=sectors][value='1']")
    staff.fill("#id_start_date", "2026-01-01")
    staff.fill("#id_end_date", "2026-12-31")
    staff.fill("#id_population_female_60_plus_with_disability", "12")
    staff.click("main form button[type=submit]")
    project = Project.objects.get(code=CODE)
    assert staff.url.endswith(f"/projects/{project.pk}/")

    # ...start and fill the design checklist; autosave keeps answers across a reload.
    staff.click(f"form[action='/projects/{project.pk}/checklists/start/'] button")
    staff.wait_for_url(re.compile(r"/checklists/\d+/$"))
    typed = answer_all_yes(staff, first_no=True)
    staff.reload()
    assert lost(typed, shown_values(staff, typed)) == []
    assert lost(typed, stored_values(typed)) == []
    submit(staff)
    design = Checklist.objects.get(project=project, phase__code="design")
    assert design.status == ChecklistStatus.SUBMITTED

    # The focal point returns it with a comment.
    focal = open_page("omar", language=language)
    assert CODE in focal.locator("#review-queue").inner_text()
    decide(focal, design.pk, "returned", "Say who was consulted")
    design.refresh_from_db()
    assert design.status == ChecklistStatus.RETURNED

    # Staff see the comment, fix and resubmit.
    staff.goto(f"/checklists/{design.pk}/")
    assert "Say who was consulted" in staff.content()
    first = staff.locator(".answer").first
    first.locator("details.comment summary").click()  # comments open on demand
    first.locator("textarea[name$=comment]").fill(
        "Women's groups and older persons were consulted."
    )
    first.locator("textarea[name$=comment]").press("Tab")
    wait_until_saved(staff)
    first_pk = int(first.get_attribute("data-answer"))
    typed[first_pk]["comment"] = "Women's groups and older persons were consulted."
    staff.reload()
    assert lost(typed, shown_values(staff, typed)) == []
    assert lost(typed, stored_values(typed)) == []
    submit(staff)

    # The focal point approves: the project moves to endorsement.
    decide(focal, design.pk, "approved")
    project.refresh_from_db()
    assert project.current_phase.code == "endorsement"

    # Endorsement checklist filled and approved: the project is endorsed.
    staff.goto(f"/projects/{project.pk}/")
    staff.click(f"form[action='/projects/{project.pk}/checklists/start/'] button")
    staff.wait_for_url(re.compile(r"/checklists/\d+/$"))
    answer_all_yes(staff)
    submit(staff)
    endorsement = Checklist.objects.get(project=project, phase__code="endorsement")
    decide(focal, endorsement.pk, "approved")
    # The country approved; the region decides last, on the same review page.
    endorsement.refresh_from_db()
    assert (endorsement.status, endorsement.waiting_level) == (ChecklistStatus.SUBMITTED, 2)
    regional = open_page("yusuf", language=language)
    assert CODE in regional.locator("#review-queue").inner_text()
    decide(regional, endorsement.pk, "approved")
    project.refresh_from_db()
    assert project.current_phase.code == "implementation"
    focal.goto(f"/projects/{project.pk}/")
    endorsed = focal.locator("#endorsement").inner_text()
    assert {"en": "Endorsed on", "fr": "Validé le", "es": "Validado el", "ar": "أُقرّ في"}[
        language
    ] in endorsed

    # The manager opens the dashboard and downloads the project PDF and the spreadsheet.
    manager = open_page("ana", language=language)
    manager.goto("/portfolio/")
    assert CODE in manager.locator("#portfolio-projects").inner_text()
    manager.goto(f"/projects/{project.pk}/")
    with manager.expect_download() as pdf_download:
        manager.click(f"a[href='/projects/{project.pk}/report.pdf']")
    pdf = pypdf.PdfReader(pdf_download.value.path())
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert CODE in text
    assert {
        "en": "Protection mainstreaming progress report",
        "fr": "Rapport de suivi de l'intégration de la protection",
        "es": "Informe de avance en la transversalización de la protección",
        "ar": "تقرير التقدم في تعميم الحماية",
    }[language] in text
    manager.goto("/portfolio/")
    manager.click("button[name=kind][value=portfolio_xlsx]")
    manager.locator("#report-download").wait_for(state="visible")
    with manager.expect_download() as xlsx_download:
        manager.click("#report-download")
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_download.value.path().read_bytes()))
    codes = {row[0] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert CODE in codes
    assert workbook.worksheets[1].max_row > 20  # the answers, in long format


def test_checklist_with_the_keyboard_alone(open_page, cast, live_server):
    from checklists import workflow

    project = Project.objects.create(
        code="KBD-1",
        title="Keyboard",
        office=cast["staff"].memberships.first().office,
        start_date="2026-01-01",
        end_date="2026-12-31",
        current_phase_id=__import__("checklists.models", fromlist=["Phase"])
        .Phase.objects.get(code="design")
        .pk,
    )
    project.sectors.set([1])
    checklist = workflow.start_checklist(project=project, user=cast["staff"])
    total = checklist.answers.count()
    page = open_page("layla")
    page.goto(f"/checklists/{checklist.pk}/")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"
    page.keyboard.press("Enter")
    answered = 0
    for _ in range(total * 12):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement;"
            " return {type: e.type || '', name: e.name || '', value: e.value || '',"
            " checked: !!e.checked, action: e.getAttribute('value') || ''}; }"
        )
        if (
            focused["type"] == "radio"
            and focused["name"].endswith("-response")
            and not focused["checked"]
        ):
            page.keyboard.press("Space")  # the first radio of the group is "Yes"
            answered += 1
        if focused["type"] == "submit" and focused["action"] == "submit":
            break
    assert answered == total
    wait_until_saved(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Checklist submitted for review." in page.locator("main").inner_text()
    checklist.refresh_from_db()
    assert checklist.status == ChecklistStatus.SUBMITTED
    # Focus is visible: the focused control draws an outline.
    page.goto("/")
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
