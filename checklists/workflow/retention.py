"""The retention schedule (settings RETENTION_*; `manage.py apply_retention`, daily).

- A project is closed once its end date has passed. RETENTION_EVIDENCE_YEARS after that,
  its evidence files (every version, from the database and from the storage) and its
  free-text comments (answers' comments and not-applicable reasons, review comments,
  notes on done action points, and those texts in its audit trail) are deleted. Answers,
  scores, action points, reviews and the audit trail's other entries stay: the record of
  what was decided outlives what was said about named people.
- Access log entries older than RETENTION_ACCESS_LOG_YEARS are deleted.
- Report files: REPORT_FILES_KEEP_DAYS (workflow/reports.expire_report_files).

Each deletion leaves a DeletionReceipt: what, when, which rule, the SHA-256 of what went,
never the content. A project under an active legal hold (LegalHold) is skipped.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from projects.models import Project

from ..models import (
    AccessLogEntry,
    ActionPoint,
    Answer,
    AuditEntry,
    DeletedKind,
    DeletionReceipt,
    Evidence,
    LegalHold,
    Review,
    ReviewComment,
)

# Free-text fields deleted from a closed project: (model, field) pairs, and the keys that
# hold the same texts in the audit trail's recorded changes.
COMMENT_FIELDS = [
    (Answer, "comment", "checklist__project"),
    (Answer, "not_applicable_reason", "checklist__project"),
    (ReviewComment, "text", "review__checklist__project"),
    (Review, "comment", "checklist__project"),
    (ActionPoint, "done_note", "project"),
]
AUDITED_TEXTS = ("comment", "not_applicable_reason", "done_note")


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclass
class ProjectDue:
    project: Project
    evidence: list = field(default_factory=list)
    comments: int = 0


@dataclass
class RetentionRun:
    projects: list[ProjectDue] = field(default_factory=list)
    held: list[Project] = field(default_factory=list)
    access_log_entries: int = 0


def evidence_rule(project: Project) -> str:
    return (
        f"RETENTION_EVIDENCE_YEARS={settings.RETENTION_EVIDENCE_YEARS}: "
        f"project {project.code} ended {project.end_date.isoformat()}"
    )


def closed_projects(today: datetime.date):
    """Projects whose end date is RETENTION_EVIDENCE_YEARS or more in the past."""
    cutoff = years_before(today, settings.RETENTION_EVIDENCE_YEARS)
    held = Exists(LegalHold.objects.active().filter(project=OuterRef("pk")))
    return Project.objects.filter(end_date__lte=cutoff).annotate(held=held).order_by("code")


def _comments_of(project: Project):
    for model, name, path in COMMENT_FIELDS:
        yield model, name, model.objects.filter(**{path: project}).exclude(**{name: ""})


def plan(today: datetime.date) -> RetentionRun:
    """What is due today, without changing anything (`--dry-run` prints it)."""
    run = RetentionRun()
    for project in closed_projects(today):
        if project.held:
            run.held.append(project)
            continue
        due = ProjectDue(
            project=project,
            evidence=list(
                Evidence.objects.filter(answer__checklist__project=project).order_by("pk")
            ),
            comments=sum(rows.count() for _m, _n, rows in _comments_of(project)),
        )
        if due.evidence or due.comments:
            run.projects.append(due)
    cutoff = timezone.now() - datetime.timedelta(days=365 * settings.RETENTION_ACCESS_LOG_YEARS)
    run.access_log_entries = AccessLogEntry.objects.filter(created_at__lt=cutoff).count()
    return run


def plan_today() -> RetentionRun:
    return plan(timezone.localdate())


def _sha256_of(evidence: Evidence) -> str:
    digest = hashlib.sha256()
    try:
        with evidence.file.open("rb") as content:
            for chunk in content.chunks():
                digest.update(chunk)
    except FileNotFoundError:
        return ""  # already gone from the storage: the receipt says so (no hash)
    return digest.hexdigest()


def _delete_evidence(due: ProjectDue, rule: str) -> None:
    files = due.evidence
    for evidence in files:
        DeletionReceipt.objects.create(
            project=due.project,
            kind=DeletedKind.EVIDENCE_FILE,
            rule=rule,
            sha256=_sha256_of(evidence),
            details={
                "evidence": evidence.pk,
                "answer": evidence.answer_id,
                "content_type": evidence.content_type,
                "size": evidence.size,
                "uploaded_at": evidence.uploaded_at.isoformat(),
                "contains_personal_data": evidence.contains_personal_data,
            },
        )
    # Versions point at each other (PROTECT): unlink, then delete rows, then the files.
    Evidence.objects.filter(pk__in=[f.pk for f in files]).update(replaces=None)
    Evidence.objects.filter(pk__in=[f.pk for f in files]).delete()
    for evidence in files:
        evidence.file.storage.delete(evidence.file.name)


def _delete_comments(project: Project, rule: str) -> None:
    for model, name, rows in _comments_of(project):
        for pk, text in rows.values_list("pk", name):
            DeletionReceipt.objects.create(
                project=project,
                kind=DeletedKind.COMMENT,
                rule=rule,
                sha256=hashlib.sha256(text.encode()).hexdigest(),
                details={"model": model._meta.label_lower, "id": pk, "field": name},
            )
        rows.update(**{name: ""})
    has_texts = Q()
    for key in AUDITED_TEXTS:
        has_texts |= Q(changes__has_key=key)
    for entry in AuditEntry.objects.filter(has_texts, project=project):
        for key in AUDITED_TEXTS:
            if key in entry.changes:
                entry.changes[key] = [None, None]
        entry.save(update_fields=["changes"])


def apply(today: datetime.date | None = None) -> RetentionRun:
    """Delete what is due, one project per transaction, each locked against a legal hold
    set meanwhile; then old access log entries. Returns what was deleted."""
    today = today or timezone.localdate()
    run = plan(today)
    for due in run.projects:
        with transaction.atomic():
            project = Project.objects.select_for_update().get(pk=due.project.pk)
            if LegalHold.objects.active().filter(project=project).exists():
                continue
            rule = evidence_rule(project)
            _delete_evidence(due, rule)
            _delete_comments(project, rule)
    _delete_access_log(run.access_log_entries)
    return run


def _delete_access_log(expected: int) -> None:
    if not expected:
        return
    years = settings.RETENTION_ACCESS_LOG_YEARS
    cutoff = timezone.now() - datetime.timedelta(days=365 * years)
    with transaction.atomic():
        deleted, _by_model = AccessLogEntry.objects.filter(created_at__lt=cutoff).delete()
        DeletionReceipt.objects.create(
            kind=DeletedKind.ACCESS_LOG,
            rule=f"RETENTION_ACCESS_LOG_YEARS={years}",
            details={"entries_before": cutoff.isoformat(), "rows": deleted},
        )
