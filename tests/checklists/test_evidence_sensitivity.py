"""Evidence marked as holding personal data (the default): it opens only for the project's
office staff and focal points; managers and the API see that it exists, not its content."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from checklists.models import Evidence

from ..factories import start_project_checklist

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def answer(office_a, staff_a):
    _project, checklist = start_project_checklist(office=office_a, staff=staff_a)
    return checklist.answers.first()


def upload(client, answer, name, **extra):
    url = reverse("checklists:evidence", args=[answer.checklist_id, answer.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, PDF), **extra})


def download(client, evidence):
    url = reverse("checklists:evidence-download", args=[evidence.answer.checklist_id, evidence.pk])
    return client.get(url)


def test_the_uploader_chooses_and_the_default_is_personal_data(client, answer, staff_a):
    client.force_login(staff_a)
    page = client.get(reverse("checklists:evidence", args=[answer.checklist_id, answer.pk]))
    assert "Does this file contain personal data?" in page.content.decode()
    upload(client, answer, "families.pdf")  # as the checklist page's script sends it
    upload(client, answer, "list.pdf", contains_personal_data="yes")
    upload(client, answer, "site-plan.pdf", contains_personal_data="no")
    assert dict(Evidence.objects.values_list("name", "contains_personal_data")) == {
        "families.pdf": True,
        "list.pdf": True,
        "site-plan.pdf": False,
    }


def test_a_new_version_can_be_marked_without_personal_data(client, answer, staff_a):
    client.force_login(staff_a)
    upload(client, answer, "site-plan.pdf")
    first = Evidence.objects.get()
    page = client.get(reverse("checklists:evidence", args=[answer.checklist_id, answer.pk]))
    assert f'id="personal-{first.pk}"' in page.content.decode()
    upload(client, answer, "site-plan-v2.pdf", replaces=first.pk, contains_personal_data="no")
    assert Evidence.objects.get(replaces=first).contains_personal_data is False


@pytest.mark.parametrize(
    ("role", "personal", "plain"),
    [
        ("staff_a", 200, 200),
        ("focal_a", 200, 200),
        ("manager_a", 403, 200),
        ("hq_manager", 403, 200),
        ("outsider_b", 404, 404),
    ],
)
def test_who_opens_a_file_with_personal_data(
    client, request, answer, staff_a, role, personal, plain
):
    client.force_login(staff_a)
    upload(client, answer, "families.pdf")
    upload(client, answer, "site-plan.pdf", contains_personal_data="no")
    client.force_login(request.getfixturevalue(role))
    assert download(client, Evidence.objects.get(name="families.pdf")).status_code == personal
    assert download(client, Evidence.objects.get(name="site-plan.pdf")).status_code == plain


def test_a_manager_sees_the_file_exists_without_a_link(client, answer, staff_a, manager_a):
    client.force_login(staff_a)
    upload(client, answer, "families.pdf")
    evidence = Evidence.objects.get()
    link = reverse("checklists:evidence-download", args=[answer.checklist_id, evidence.pk])
    client.force_login(manager_a)
    for url in (
        reverse("checklists:evidence", args=[answer.checklist_id, answer.pk]),
        reverse("checklists:detail", args=[answer.checklist_id]),
    ):
        page = client.get(url).content.decode()
        assert "families.pdf" in page
        assert link not in page
    client.force_login(staff_a)
    assert (
        link
        in client.get(
            reverse("checklists:evidence", args=[answer.checklist_id, answer.pk])
        ).content.decode()
    )


def test_the_api_says_a_file_exists_never_its_content(client, answer, staff_a):
    client.force_login(staff_a)
    upload(client, answer, "families.pdf")
    data = client.get(reverse("api:answer-detail", args=[answer.pk])).json()
    [file] = data["evidence"]
    assert file["name"] == "families.pdf"
    assert file["contains_personal_data"] is True
    assert set(file) == {
        "id",
        "name",
        "content_type",
        "size",
        "contains_personal_data",
        "uploaded_at",
    }
