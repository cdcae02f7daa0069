"""A project's complete record, for an auditor or a donor: one ZIP with the project's
report (PDF), its answers and history as CSV, its reviews, and its evidence files (every
version). A file holding personal data goes in only when the requester may open it
(projects/permissions.py); otherwise evidence.csv lists it as withheld.

Written into a file-like ``output`` (the view gives a temporary file that spills to disk),
the evidence streamed from the storage one file at a time: ten files of 10 MB never sit in
memory together.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Iterator

from django.contrib.auth.models import User
from django.utils import timezone

from projects import permissions
from projects.models import Project

from ..models import AuditEntry, Evidence, Review, ReviewComment
from .project import project_report_pdf
from .spreadsheet import answer_lines, csv_rows


def _csv(lines: Iterator[list]) -> bytes:
    return "".join(csv_rows(lines)).encode()


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def history_lines(project: Project) -> Iterator[list]:
    yield ["when", "who", "what", "checklist", "item", "changes"]
    entries = (
        AuditEntry.objects.filter(project=project)
        .select_related("actor", "answer__item")
        .order_by("created_at", "pk")
    )
    for entry in entries.iterator(chunk_size=500):
        yield [
            entry.created_at.isoformat(),
            _person(entry.actor),
            entry.action,
            entry.checklist_id or "",
            entry.answer.item.code if entry.answer_id else "",
            json.dumps(entry.changes, ensure_ascii=False, default=str),
        ]


def review_lines(project: Project) -> Iterator[list]:
    """Each decision, then the focal point's comments on single items under it."""
    yield [
        "review",
        "checklist",
        "phase",
        "round",
        "decided",
        "reviewer",
        "decision",
        "item",
        "comment",
    ]
    reviews = (
        Review.objects.filter(checklist__project=project)
        .select_related("checklist__phase", "reviewer")
        .order_by("decided_at", "pk")
    )
    comments: dict[int, list] = {}
    for comment in ReviewComment.objects.filter(review__checklist__project=project).select_related(
        "answer__item"
    ):
        comments.setdefault(comment.review_id, []).append(comment)
    for review in reviews:
        checklist = review.checklist
        common = [review.pk, checklist.pk, checklist.phase.code, checklist.round]
        when, who = review.decided_at.isoformat(), _person(review.reviewer)
        yield [*common, when, who, review.decision, "", review.comment]
        for comment in comments.get(review.pk, []):
            yield [*common, when, who, "", comment.answer.item.code, comment.text]


def _evidence_path(evidence: Evidence) -> str:
    return f"evidence/{evidence.answer.item.code}/{evidence.pk}-{evidence.name}"


def _evidence_files(project: Project, user: User) -> list[tuple[Evidence, bool]]:
    files = (
        Evidence.objects.filter(answer__checklist__project=project)
        .select_related("answer__item", "answer__checklist__phase")
        .order_by("pk")
    )
    return [(file, permissions.may_open_evidence(user, file, project)) for file in files]


def evidence_lines(files: list[tuple[Evidence, bool]]) -> Iterator[list]:
    yield [
        "file",
        "checklist",
        "phase",
        "item",
        "name",
        "type",
        "size",
        "uploaded",
        "current",
        "personal data",
        "in this record",
    ]
    for file, included in files:
        yield [
            file.pk,
            file.answer.checklist_id,
            file.answer.checklist.phase.code,
            file.answer.item.code,
            file.name,
            file.content_type,
            file.size,
            file.uploaded_at.isoformat(),
            "yes" if file.withdrawn_at is None else "no",
            "yes" if file.contains_personal_data else "no",
            _evidence_path(file) if included else "withheld: personal data",
        ]


def write_project_record(project: Project, *, user: User, language: str, output) -> str:
    """Write the project's record as a ZIP into ``output``; returns its file name."""
    today = timezone.localdate()
    files = _evidence_files(project, user)
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            f"{project.code}-report.pdf",
            project_report_pdf(project, language=language, generated_by=user),
        )
        single = Project.objects.filter(pk=project.pk)
        archive.writestr("answers.csv", _csv(answer_lines(single, today=today)))
        archive.writestr("history.csv", _csv(history_lines(project)))
        archive.writestr("reviews.csv", _csv(review_lines(project)))
        archive.writestr("evidence.csv", _csv(evidence_lines(files)))
        for file, included in files:
            if not included:
                continue
            with file.file.open("rb") as source, archive.open(_evidence_path(file), "w") as target:
                shutil.copyfileobj(source, target, 1024 * 1024)
    return f"{project.code}-record-{today:%Y-%m-%d}.zip"
