"""Evidence files on answers: added, replaced by a new version, removed; each audited.

Files change with the answers they support: only while the checklist can be edited, by
those who may fill it (the views check who), under the answer's row lock, so that a
submission waits for an upload in progress and an upload after it is refused. Nothing is
deleted: a replaced or removed file is withdrawn and stays with the checklist's history.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..evidence_files import cleaned
from ..models import (
    EVIDENCE_TYPES,
    MAX_FILES_PER_ANSWER,
    AuditAction,
    AuditEntry,
    Checklist,
    Evidence,
    evidence_problem,
)
from ..models.evidence import display_name, extension_of
from .errors import WorkflowError
from .filling import editing_refusal
from .locks import lock_answer


def _audit(*, checklist: Checklist, answer_id: int, user: User, action, before, after) -> None:
    AuditEntry.objects.create(
        project_id=checklist.project_id,
        checklist=checklist,
        answer_id=answer_id,
        actor=user,
        action=action,
        changes={"file": [before, after]},
    )


@transaction.atomic
def attach_evidence(
    *,
    checklist: Checklist,
    answer_id: int,
    user: User,
    upload,
    replaces_id: int | None = None,
    contains_personal_data: bool = True,
) -> Evidence:
    """Keep ``upload`` as evidence for the answer, or as the new version of one of its
    files (``replaces_id``), marked as holding personal data unless the uploader said not.
    Raises WorkflowError with the reason when refused, and Answer.DoesNotExist for an
    answer of another checklist."""
    answer = lock_answer(checklist, answer_id)
    refusal = editing_refusal(checklist) or evidence_problem(upload)
    if refusal:
        raise WorkflowError(refusal)
    current = list(answer.evidence_files.current())
    earlier = None
    if replaces_id is not None:
        earlier = next((file for file in current if file.pk == replaces_id), None)
        if earlier is None:
            raise WorkflowError(
                _("The file to replace was replaced or removed meanwhile. Reload the page.")
            )
        earlier.withdrawn_at, earlier.withdrawn_by = timezone.now(), user
        earlier.save(update_fields=["withdrawn_at", "withdrawn_by"])
    elif len(current) >= MAX_FILES_PER_ANSWER:
        raise WorkflowError(
            _("An answer holds at most %(count)s files. Remove or replace one first.")
            % {"count": MAX_FILES_PER_ANSWER}
        )
    name = display_name(upload.name)
    content_type = EVIDENCE_TYPES[extension_of(name)]
    upload = cleaned(upload, content_type)  # photos lose their EXIF, GPS included
    evidence = Evidence(
        answer=answer,
        name=name,
        content_type=content_type,
        size=upload.size,
        uploaded_by=user,
        replaces=earlier,
        contains_personal_data=contains_personal_data,
    )
    evidence.file.save(name, upload, save=False)
    evidence.save()
    _audit(
        checklist=checklist,
        answer_id=answer.pk,
        user=user,
        action=AuditAction.EVIDENCE_REPLACED if earlier else AuditAction.EVIDENCE_ADDED,
        before=earlier.name if earlier else None,
        after=name,
    )
    return evidence


@transaction.atomic
def remove_evidence(*, checklist: Checklist, evidence: Evidence, user: User) -> None:
    """Take a file off its answer; it stays on record, withdrawn."""
    lock_answer(checklist, evidence.answer_id)
    refusal = editing_refusal(checklist)
    if refusal:
        raise WorkflowError(refusal)
    withdrawn = Evidence.objects.filter(pk=evidence.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdrawn_by=user
    )
    if not withdrawn:
        raise WorkflowError(_("This file was replaced or removed meanwhile. Reload the page."))
    _audit(
        checklist=checklist,
        answer_id=evidence.answer_id,
        user=user,
        action=AuditAction.EVIDENCE_REMOVED,
        before=evidence.name,
        after=None,
    )
