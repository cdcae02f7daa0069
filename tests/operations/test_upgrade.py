"""Upgrades with data: a database made by the previous release (fixtures/upgrade/, made by
make_release_fixture.py with that release's code: every kind of record) is loaded into that
release's schema, brought to today's by today's migrations, and every checklist must still
open, score as it did, and print.

The database is one of its own (a file, or a database beside the test database), so a
failing migration never leaves the suite's database half-migrated.
"""

import json
import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from pypdf import PdfReader

from checklists import scoring
from checklists.models import Checklist, Evidence, Principle, ReportFile

UPGRADE = Path(__file__).resolve().parents[2] / "fixtures" / "upgrade"
RELEASE = "v0.9.0"


def release_records() -> list[dict]:
    return json.loads((UPGRADE / f"{RELEASE}.json").read_text())


def release_expectations() -> dict:
    return json.loads((UPGRADE / f"{RELEASE}.expected.json").read_text())


@pytest.fixture
def release_database(db, tmp_path):
    """A new, empty database of the suite's kind, as the default connection for the test
    (the suite's own stays open, in its transaction, untouched)."""
    original = connections["default"]
    settings_dict = dict(original.settings_dict)
    if original.vendor == "sqlite":
        settings_dict["NAME"] = str(tmp_path / "release.sqlite3")
    else:
        settings_dict["NAME"] = f"{original.settings_dict['NAME']}_upgrade"[:63]
        with original._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}"')
            cursor.execute(f'CREATE DATABASE "{settings_dict["NAME"]}"')
    database = original.__class__(settings_dict, alias="default")
    connections["default"] = database
    try:
        yield database
    finally:
        database.close()
        connections["default"] = original
        if original.vendor != "sqlite":
            with original._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}" WITH (FORCE)')


def load_with_release_models(database, targets: list[tuple[str, str]]) -> None:
    """Inserts the release's records through the models as they were at that release (the
    migrations' historical models), not today's: today's may have columns the release's
    tables do not."""
    state_apps = MigrationExecutor(database).loader.project_state(targets).apps
    objects, relations = {}, []
    for record in release_records():
        model = state_apps.get_model(record["model"])
        instance = model(pk=record["pk"])
        for field in model._meta.get_fields():
            if field.name not in record["fields"]:
                continue
            value = record["fields"][field.name]
            if field.many_to_many:
                relations.append((model, record["pk"], field, value))
            elif field.is_relation:
                setattr(instance, field.attname, value)
            else:
                setattr(instance, field.name, field.to_python(value))
        objects.setdefault(model, []).append(instance)
    # Foreign keys are checked at commit (deferred on PostgreSQL and SQLite alike), so the
    # order of the tables does not matter within the transaction.
    with transaction.atomic(using=database.alias):
        for model, instances in objects.items():
            model.objects.using(database.alias).bulk_create(instances, batch_size=200)
        for _model, pk, field, values in relations:
            through = field.remote_field.through
            source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
            through.objects.using(database.alias).bulk_create(
                through(**{f"{source}_id": pk, f"{target}_id": value}) for value in values
            )
        with database.cursor() as cursor:
            for statement in database.ops.sequence_reset_sql(no_style(), list(objects)):
                cursor.execute(statement)


def plain(score: scoring.Score | None) -> dict | None:
    if score is None:
        return None
    return {"percent": score.percent, "rating": score.rating, "counts": vars(score.counts)}


def pdf_text(content: bytes) -> str:
    import io

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_a_database_of_the_previous_release_upgrades_and_keeps_its_meaning(
    release_database, client, settings, tmp_path
):
    expected = release_expectations()
    targets = sorted(expected["migrations"].items())
    MigrationExecutor(release_database).migrate(targets)
    load_with_release_models(release_database, targets)
    settings.MEDIA_ROOT = tmp_path / "media"
    shutil.copytree(UPGRADE / f"{RELEASE}-media", settings.MEDIA_ROOT)

    # Today's migrations, as an operator runs them after installing the new release.
    call_command("migrate", verbosity=0, interactive=False)
    assert not MigrationExecutor(release_database).migration_plan(
        MigrationExecutor(release_database).loader.graph.leaf_nodes()
    )

    # Every checklist scores as it did, from its answers and from its tallies.
    assert Checklist.objects.count() == len(expected["checklists"]) == 10
    codes = dict(Principle.objects.values_list("pk", "code"))
    ids = [int(pk) for pk in expected["checklists"]]
    from_answers = scoring.scores_for_checklists(ids)
    from_tallies = scoring.tallied_scores(ids)
    for pk, was in expected["checklists"].items():
        for scores in (from_answers[int(pk)], from_tallies[int(pk)]):
            assert plain(scores.overall) == was["overall"], f"checklist {pk}"
            assert {codes[p]: plain(s) for p, s in scores.by_principle.items()} == was[
                "by_principle"
            ], f"checklist {pk}"
        assert Checklist.objects.get(pk=pk).status == was["status"]

    # Every checklist opens (for the headquarters manager, who sees every office), with
    # its project's code; its history and review pages too.
    client.force_login(User.objects.get(username="manager.hq"))
    for pk, was in expected["checklists"].items():
        page = client.get(reverse("checklists:detail", args=[pk]))
        assert page.status_code == 200, f"checklist {pk}"
        assert was["project"] in page.content.decode()
        history = client.get(reverse("checklists:checklist-history", args=[pk]))
        assert history.status_code == 200, f"history of checklist {pk}"

    # Every project prints, with its code and title.
    for pk, project in expected["projects"].items():
        report = client.get(reverse("checklists:project-report", args=[pk]))
        assert report.status_code == 200, f"project {pk}"
        assert report["Content-Type"] == "application/pdf"
        text = pdf_text(b"".join(report.streaming_content) if report.streaming else report.content)
        assert project["code"] in text

    # Evidence and report files still come back, byte for byte.
    client.force_login(User.objects.get(username="staff.iraq"))
    for evidence in Evidence.objects.all():
        download = client.get(
            reverse(
                "checklists:evidence-download", args=[evidence.answer.checklist_id, evidence.pk]
            )
        )
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == evidence.file.open("rb").read()
    report_file = ReportFile.objects.get()
    assert report_file.status == "done" and report_file.file.size > 0
