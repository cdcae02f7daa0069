"""Publishing framework versions: a published framework never changes."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    Framework,
    FrameworkAuditAction,
    FrameworkAuditEntry,
    FrameworkStatus,
    Item,
)
from .errors import WorkflowError


def _audit(framework: Framework, user, action: str, changes: dict | None = None) -> None:
    if user is not None:  # loading fixtures from the command line has no actor
        FrameworkAuditEntry.objects.create(
            framework=framework, actor=user, action=action, changes=changes or {}
        )


def audit_export(*, framework: Framework, user, file_format: str) -> None:
    _audit(framework, user, FrameworkAuditAction.EXPORTED, {"format": file_format})


def draft_refusal(framework: Framework) -> str | None:
    """Why this framework's items cannot change, if so."""
    if framework.is_editable:
        return None
    return _("This framework is published or retired and cannot change. Make a new version.")


@transaction.atomic
def publish_framework(*, framework: Framework, user=None) -> Framework:
    """Publish a draft framework; the version it replaces (same code) is retired.

    From then on the framework and its items are immutable, so that every checklist
    filled against it keeps meaning what it meant.
    """
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    if framework.status != FrameworkStatus.DRAFT:
        raise ValidationError(_("Only a draft framework can be published."))
    if not framework.items.exists():
        raise ValidationError(_("A framework with no items cannot be published."))
    Framework.objects.filter(code=framework.code, status=FrameworkStatus.PUBLISHED).update(
        status=FrameworkStatus.RETIRED
    )
    framework.status = FrameworkStatus.PUBLISHED
    framework.published_at = timezone.now()
    framework.save(update_fields=["status", "published_at"])
    _audit(framework, user, FrameworkAuditAction.PUBLISHED)
    return framework


@transaction.atomic
def start_new_framework_version(*, framework: Framework, user=None) -> Framework:
    """Copy a framework and its items into a new draft version, the way to change items."""
    draft = Framework.objects.get(pk=framework.pk)
    draft.pk = None
    draft.version = _next_version(framework.code)
    draft.status = FrameworkStatus.DRAFT
    draft.published_at = None
    draft.save()
    items = list(framework.items.prefetch_related("sectors", "topics"))
    for item in items:
        sectors, topics = list(item.sectors.all()), list(item.topics.all())
        item.pk = None
        item._prefetched_objects_cache = {}  # else set() would compare with the old item's
        item.framework = draft
        item.save()
        item.sectors.set(sectors)
        item.topics.set(topics)
    _audit(draft, user, FrameworkAuditAction.DRAFT_STARTED, {"from_version": framework.version})
    return draft


def _next_version(code: str) -> int:
    latest = Framework.objects.filter(code=code).aggregate(v=Max("version"))["v"]
    return (latest or 0) + 1


@transaction.atomic
def import_framework_draft(*, content: dict, user, file_name: str) -> Framework:
    """A new draft version from a file's content, already checked clean
    (framework_upload.read_upload): all of it, or nothing."""
    from ..framework_file import write_items

    draft = Framework.objects.create(
        code=content["code"],
        version=_next_version(content["code"]),
        status=FrameworkStatus.DRAFT,
        **{f"name_{lang}": name for lang, name in content["name"].items()},
    )
    write_items(draft, content["items"])
    _audit(
        draft,
        user,
        FrameworkAuditAction.IMPORTED,
        {"file": file_name, "items": len(content["items"])},
    )
    return draft


@transaction.atomic
def save_draft_item(*, item: Item, user, changes: dict, sectors, topics) -> Item:
    """Save an item of a draft (added or edited in the app), with its sectors and topics;
    ``changes`` go to the audit."""
    framework = Framework.objects.select_for_update().get(pk=item.framework_id)
    refusal = draft_refusal(framework)
    if refusal:
        raise WorkflowError(refusal)
    added = item.pk is None
    item.save()
    item.sectors.set(sectors)
    item.topics.set(topics)
    action = FrameworkAuditAction.ITEM_ADDED if added else FrameworkAuditAction.ITEM_CHANGED
    _audit(framework, user, action, {"code": item.code, **changes})
    return item


@transaction.atomic
def retire_draft_item(*, item: Item, user) -> None:
    """Take an item out of a draft (published versions keep theirs)."""
    framework = Framework.objects.select_for_update().get(pk=item.framework_id)
    refusal = draft_refusal(framework)
    if refusal:
        raise WorkflowError(refusal)
    code = item.code
    item.delete()
    _audit(framework, user, FrameworkAuditAction.ITEM_RETIRED, {"code": code})


def current_framework() -> Framework | None:
    """The published framework new checklists are started against."""
    return Framework.objects.published().order_by("-published_at").first()
