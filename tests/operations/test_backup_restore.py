"""bin/backup and bin/restore, proven: a database with projects, answers, evidence and audit
entries is backed up, restored into another database and another storage, and every table's
rows and every file's SHA-256 compared. On the suite's database (SQLite, or PostgreSQL when
DATABASE_URL says so: CI runs both), with the files in a local folder and in an S3 bucket
(moto's server)."""

import hashlib
import io
import json
import shutil
import sqlite3
import tarfile
import uuid
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from checklists import workflow
from checklists.models import AuditEntry, Checklist, Evidence
from operations.backup import create_backup
from projects.models import Project

from ..factories import photo
from .databases import ROOT, database_url, run

PDF = b"%PDF-1.7\n% minutes of the community consultation\n%%EOF\n"
# A real photo: evidence photos are opened and saved again (without their metadata).
PNG = photo("PNG", size=(120, 90))


def require_postgresql_tools():
    if connection.vendor == "postgresql" and not shutil.which("pg_dump"):
        pytest.fail("pg_dump is missing: apt-get install postgresql-client")


def make_records():
    """The demo data (projects in every phase, answers, action points, reviews, audit
    entries), and evidence files: two on one answer, one of them replaced."""
    call_command("load_demo_data", allow_production=True, stdout=io.StringIO())
    staff = User.objects.get(username="staff.iraq")
    checklist = Checklist.objects.filter(started_by=staff, status="draft").first()
    answers = list(checklist.answers.order_by("pk")[:2])
    first = workflow.attach_evidence(
        checklist=checklist,
        answer_id=answers[0].pk,
        user=staff,
        upload=SimpleUploadedFile("consultation minutes.pdf", PDF),
    )
    workflow.attach_evidence(
        checklist=checklist,
        answer_id=answers[0].pk,
        user=staff,
        upload=SimpleUploadedFile("consultation minutes.pdf", PDF + b"% v2\n"),
        replaces_id=first.pk,
    )
    workflow.attach_evidence(
        checklist=checklist,
        answer_id=answers[1].pk,
        user=staff,
        upload=SimpleUploadedFile("site photo.png", PNG),
    )
    assert Project.objects.count() >= 4
    assert Evidence.objects.count() == 3
    assert AuditEntry.objects.count() > 10


# --- Reading both sides ---------------------------------------------------------------------


def rows_of_every_table(cursor, tables) -> dict[str, list]:
    rows = {}
    for table in tables:
        cursor.execute(f'SELECT * FROM "{table}"')
        rows[table] = sorted(repr(tuple(row)) for row in cursor.fetchall())
    return rows


def rows_in(target) -> dict[str, list]:
    """Every row of every table of a database of the suite's kind, read with the driver
    alone (the same way on both sides, without Django's conversions)."""
    if connection.vendor == "sqlite":
        database = sqlite3.connect(target)
        cursor = database.cursor()
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    else:
        import psycopg2

        settings = connection.settings_dict
        database = psycopg2.connect(
            dbname=target,
            user=settings["USER"],
            password=settings["PASSWORD"],
            host=settings["HOST"],
            port=settings["PORT"] or None,
        )
        cursor = database.cursor()
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
        )
    try:
        tables = [row[0] for row in cursor.fetchall()]
        return rows_of_every_table(cursor, tables)
    finally:
        database.close()


def local_files(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


def bucket_files(client, bucket_name) -> dict[str, str]:
    files = {}
    for item in client.list_objects_v2(Bucket=bucket_name).get("Contents", []):
        body = client.get_object(Bucket=bucket_name, Key=item["Key"])["Body"].read()
        files[item["Key"]] = hashlib.sha256(body).hexdigest()
    return files


# --- The other database ---------------------------------------------------------------------


@pytest.fixture
def other_database(tmp_path):
    """An empty database of the suite's kind, dropped afterwards."""
    if connection.vendor == "sqlite":
        yield str(tmp_path / "restored.sqlite3")
        return
    name = f"{connection.settings_dict['NAME']}_restore"[:63]
    # A connection of its own, outside the test's transaction (CREATE DATABASE needs that).
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def s3_environment(endpoint, bucket_name) -> dict:
    return {
        "S3_BUCKET": bucket_name,
        "S3_ENDPOINT_URL": endpoint,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "test",
        "S3_SECRET_ACCESS_KEY": "test",
    }


# --- The round trip -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("storage", ["local", "s3"])
def test_backup_and_restore_give_back_every_row_and_every_file(
    storage, framework, other_database, tmp_path, settings, request
):
    require_postgresql_tools()
    if storage == "s3":
        s3, source_bucket = request.getfixturevalue("bucket")
        endpoint = request.getfixturevalue("s3_server")
        target_bucket = f"pmapp-restore-{uuid.uuid4().hex[:12]}"
        s3.create_bucket(Bucket=target_bucket)
        source_env = s3_environment(endpoint, source_bucket)
        target_env = s3_environment(endpoint, target_bucket)
    else:
        source_env = {"MEDIA_ROOT": str(settings.MEDIA_ROOT)}
        target_env = {"MEDIA_ROOT": str(tmp_path / "restored-media")}
    make_records()

    backups = tmp_path / "backups"
    done = run([str(ROOT / "bin" / "backup"), str(backups)], env=source_env)
    assert done.returncode == 0, done.stderr
    archives = list(backups.glob("pmapp-backup-*.tar"))
    assert len(archives) == 1 and "Backup written" in done.stdout
    assert not list(backups.glob(".*")), "no partial file or work folder is left"

    done = run(
        [str(ROOT / "bin" / "restore"), str(archives[0])],
        env={"DATABASE_URL": database_url(other_database), **target_env},
    )
    assert done.returncode == 0, done.stderr
    assert "each checked against the manifest" in done.stdout

    before = rows_in(connection.settings_dict["NAME"])
    after = rows_in(other_database)
    assert set(before) == set(after)
    for table in before:
        assert before[table] == after[table], f"{table} differs after the restore"
    for table in ("projects_project", "checklists_answer", "checklists_evidence"):
        assert before[table], f"{table} was empty: the test proved nothing"
    assert any("auditentry" in table and before[table] for table in before)

    if storage == "s3":
        files_before = bucket_files(s3, source_bucket)
        files_after = bucket_files(s3, target_bucket)
    else:
        files_before = local_files(Path(settings.MEDIA_ROOT))
        files_after = local_files(tmp_path / "restored-media")
    assert len(files_before) == 3
    assert files_before == files_after
    assert sorted(files_before) == sorted(Evidence.objects.values_list("file", flat=True))


# --- Refusals -------------------------------------------------------------------------------


def two_files():
    default_storage.save("evidence/1/minutes.pdf", ContentFile(PDF))
    default_storage.save("evidence/1/photo.png", ContentFile(PNG))


@pytest.mark.django_db
def test_restore_refuses_a_database_that_is_not_empty(tmp_path, settings, project_a):
    require_postgresql_tools()
    two_files()
    summary = create_backup(tmp_path / "backups")
    projects = Project.objects.count()
    settings.MEDIA_ROOT = tmp_path / "empty-media"
    with pytest.raises(CommandError, match="The database is not empty"):
        call_command("restore", str(summary.path))
    assert Project.objects.count() == projects


def damaged_copy(archive: Path, tmp_path: Path, *, change) -> Path:
    """A copy of the archive with one part's bytes changed by ``change``."""
    copy = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(copy, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("files/"):
                data = change(data)
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    return copy


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [lambda data: data[:-1] + bytes([data[-1] ^ 1]), lambda data: data + b"!"],
    ids=["a flipped bit", "a longer file"],
)
def test_restore_refuses_a_damaged_archive_before_touching_anything(
    tmp_path, settings, change, other_database
):
    require_postgresql_tools()
    two_files()
    archive = create_backup(tmp_path / "backups").path
    damaged = damaged_copy(archive, tmp_path, change=change)
    done = run(
        [str(ROOT / "bin" / "restore"), str(damaged)],
        env={
            "DATABASE_URL": database_url(other_database),
            "MEDIA_ROOT": str(tmp_path / "restored-media"),
        },
    )
    assert done.returncode != 0
    assert "does not match the manifest: the archive is damaged" in done.stderr
    assert not (tmp_path / "restored-media").exists()
    assert rows_in(other_database) == {}


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path):
    stray = tmp_path / "notes.tar"
    with tarfile.open(stray, "w") as archive:
        archive.add(ROOT / "README.md", arcname="README.md")
    with pytest.raises(CommandError, match="not a pmapp backup"):
        call_command("restore", str(stray))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("restore", str(ROOT / "README.md"))


@pytest.mark.django_db
def test_restore_refuses_a_backup_of_a_newer_version(tmp_path, other_database):
    require_postgresql_tools()
    archive = create_backup(tmp_path / "backups").path
    with tarfile.open(archive) as source, tarfile.open(tmp_path / "newer.tar", "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                manifest["app_version"] = "9.0.0"
                manifest["migrations"]["checklists"].append("9999_from_the_future")
                data = json.dumps(manifest).encode()
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    done = run(
        [str(ROOT / "bin" / "restore"), str(tmp_path / "newer.tar")],
        env={
            "DATABASE_URL": database_url(other_database),
            "MEDIA_ROOT": str(tmp_path / "restored-media"),
        },
    )
    assert done.returncode != 0
    assert "made by a newer version (9.0.0)" in done.stderr
    assert rows_in(other_database) == {}
