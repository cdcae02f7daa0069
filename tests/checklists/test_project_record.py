"""A project's complete record: one ZIP with the report, answers, history, reviews and
evidence; files with personal data only for those who may open them; access-logged."""

import csv
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from checklists import workflow
from checklists.models import AccessKind, AccessLogEntry, Review

from ..factories import start_project_checklist

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% consultation minutes\n%%EOF\n"


@pytest.fixture
def checklist(office_a, staff_a, focal_a):
    _project, checklist = start_project_checklist(office=office_a, staff=staff_a)
    answer = checklist.answers.first()
    workflow.save_answer(
        checklist=checklist,
        answer_id=answer.pk,
        user=staff_a,
        values=workflow.AnswerInput(response="yes", comment="Met the women's committee"),
        based_on_version=0,
    )
    for name, personal in (("families.pdf", True), ("site-plan.pdf", False)):
        workflow.attach_evidence(
            checklist=checklist,
            answer_id=answer.pk,
            user=staff_a,
            upload=SimpleUploadedFile(name, PDF),
            contains_personal_data=personal,
        )
    Review.objects.create(  # test data: a decision on record
        checklist=checklist, decision="returned", reviewer=focal_a, comment="Add the budget line"
    )
    return checklist


def download(client, user, project):
    client.force_login(user)
    response = client.get(reverse("checklists:project-record", args=[project.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def rows(archive, name):
    return list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


def test_the_record_holds_report_answers_history_reviews_and_evidence(client, checklist, staff_a):
    project = checklist.project
    archive = download(client, staff_a, project)
    names = archive.namelist()
    assert archive.read(f"{project.code}-report.pdf").startswith(b"%PDF")
    assert any("Met the women's committee" in row for row in rows(archive, "answers.csv"))
    assert any("answer_changed" in row for row in rows(archive, "history.csv"))
    assert any("Add the budget line" in row for row in rows(archive, "reviews.csv"))
    evidence = [name for name in names if name.startswith("evidence/")]
    assert len(evidence) == 2
    assert {name.endswith(("-families.pdf", "-site-plan.pdf")) for name in evidence} == {True}
    assert all(archive.read(name) == PDF for name in evidence)
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.kind, entry.project) == (staff_a, AccessKind.PROJECT_RECORD, project)


def test_a_manager_gets_the_record_without_files_of_personal_data(client, checklist, manager_a):
    archive = download(client, manager_a, checklist.project)
    evidence = [name for name in archive.namelist() if name.startswith("evidence/")]
    assert len(evidence) == 1 and evidence[0].endswith("site-plan.pdf")
    listed = {row[4]: row[-1] for row in rows(archive, "evidence.csv")[1:]}
    assert listed["families.pdf"] == "withheld: personal data"
    assert listed["site-plan.pdf"] == evidence[0]


def test_another_office_gets_404_and_nothing_is_logged(client, checklist, outsider_b):
    client.force_login(outsider_b)
    url = reverse("checklists:project-record", args=[checklist.project_id])
    assert client.get(url).status_code == 404
    assert not AccessLogEntry.objects.exists()
