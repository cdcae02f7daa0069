"""Report files and evidence on S3-compatible object storage, against a real S3 server
process (moto's server mode, started here) over HTTP: the path production takes with
S3_BUCKET set, not a patched client."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from checklists.models import Evidence, ReportFile
from pmapp.settings import s3_storage

from .factories import start_project_checklist
from .processes import free_port, wait_until_listening

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% minutes of the consultation\n%%EOF\n"
CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server on a loopback port, for the whole test session."""
    port = free_port()
    server = Path(sys.executable).parent / "moto_server"
    process = subprocess.Popen(
        [str(server), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "MOTO_ALLOW_NONEXISTENT_REGION": "true"},
    )
    wait_until_listening(process, port, "moto_server")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait()


@pytest.fixture
def bucket(s3_server, settings):
    """A new private bucket, as the app's default storage."""
    name = f"pmapp-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1", **CREDENTIALS)
    client.create_bucket(Bucket=name)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage(
            name,
            endpoint_url=s3_server,
            region_name="us-east-1",
            access_key="test",
            secret_key="test",
        ),
    }
    return client, name


def keys(client, bucket_name) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=bucket_name).get("Contents", [])]


def test_evidence_goes_to_the_bucket_and_comes_back_through_the_app(
    client, bucket, office_a, staff_a, focal_a, settings
):
    s3, name = bucket
    _project, checklist = start_project_checklist(office=office_a, staff=staff_a)
    answer = checklist.answers.first()
    client.force_login(staff_a)
    url = reverse("checklists:evidence", args=[checklist.pk, answer.pk])
    response = client.post(url, {"file": SimpleUploadedFile("minutes.pdf", PDF)})
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    stored = keys(s3, name)
    assert stored == [evidence.file.name]
    assert stored[0].startswith(f"evidence/{checklist.pk}/")
    assert s3.get_object(Bucket=name, Key=stored[0])["Body"].read() == PDF
    assert not Path(settings.MEDIA_ROOT).exists() or not any(Path(settings.MEDIA_ROOT).rglob("*"))
    # Private: nobody but the owner has a grant on the object.
    grants = s3.get_object_acl(Bucket=name, Key=stored[0])["Grants"]
    assert all(grant["Grantee"].get("Type") == "CanonicalUser" for grant in grants)
    client.force_login(focal_a)
    download = client.get(reverse("checklists:evidence-download", args=[checklist.pk, evidence.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    # A new version is a new object: the earlier one is still in the bucket.
    client.force_login(staff_a)
    client.post(
        url, {"file": SimpleUploadedFile("minutes.pdf", PDF + b"v2"), "replaces": evidence.pk}
    )
    assert len(keys(s3, name)) == 2


def test_signed_links_are_short_lived(bucket, office_a, staff_a):
    from checklists import workflow

    _project, checklist = start_project_checklist(office=office_a, staff=staff_a)
    evidence = workflow.attach_evidence(
        checklist=checklist,
        answer_id=checklist.answers.first().pk,
        user=staff_a,
        upload=SimpleUploadedFile("minutes.pdf", PDF),
    )
    link = evidence.file.url
    assert "X-Amz-Expires=60" in link and "X-Amz-Signature=" in link


def test_portfolio_report_file_is_written_to_the_bucket(
    client, bucket, manager_a, project_a, django_capture_on_commit_callbacks
):
    s3, name = bucket
    client.force_login(manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("checklists:portfolio-file-request"), {"kind": "portfolio_xlsx"})
    report = ReportFile.objects.get()
    assert report.status == "done", report.error
    assert keys(s3, name) == [report.file.name]
    download = client.get(reverse("checklists:portfolio-file-download", args=[report.pk]))
    assert download.status_code == 200
    body = b"".join(download.streaming_content)
    assert (
        body[:2] == b"PK"
        and body == s3.get_object(Bucket=name, Key=report.file.name)["Body"].read()
    )
