"""Publishing framework versions: a published framework never changes."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.models import Sector

from ..framework_rules import LANGUAGES, framework_problems, languages_of
from ..framework_workbook import framework_content
from ..models import (
    Framework,
    FrameworkAuditAction,
    FrameworkAuditEntry,
    FrameworkStatus,
    Item,
    Phase,
    Principle,
    Topic,
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


def publish_problems(framework: Framework, *, shown: int = 10) -> list[str]:
    """What keeps a draft from being published: the rules an uploaded file keeps
    (framework_rules), in the languages the draft is written in; each names its item."""
    items = framework_content(framework)["items"]
    for item in items:
        item["row"] = item["code"]
    problems = framework_problems(items, languages=languages_of(items))
    lines = [f"{p.row or ''} {p.column}: {p.message}".strip() for p in problems]
    if len(lines) > shown:
        more = _("…and %(count)s more problems.") % {"count": len(lines) - shown}
        lines = [*lines[:shown], more]
    return lines


@transaction.atomic
def record_earlier_version(*, framework: Framework) -> Framework:
    """Record a version that a newer one already replaces (an install loading the history
    of fixtures/: v1 before v2) as retired, as it was: it is never offered to a new
    checklist, so today's rules for publishing do not apply to it."""
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    if framework.status != FrameworkStatus.DRAFT:
        raise ValidationError(_("Only a draft framework can be published."))
    framework.status = FrameworkStatus.RETIRED
    framework.published_at = timezone.now()
    framework.save(update_fields=["status", "published_at"])
    return framework


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
    if problems := publish_problems(framework):
        raise ValidationError(problems)
    return put_in_force(framework, user, replacing=Framework.objects.filter(code=framework.code))


def put_in_force(framework: Framework, user, *, replacing) -> Framework:
    """The last step of publishing a checked draft (the organisation's framework or an
    office's items): the published version among ``replacing`` is retired, this one
    published, audited. The caller holds the draft's lock."""
    replacing.filter(status=FrameworkStatus.PUBLISHED).update(status=FrameworkStatus.RETIRED)
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
    return Framework.objects.organisation().published().order_by("-published_at").first()


def write_items(framework: Framework, entries: list[dict]) -> None:
    """Make the framework's items those of ``entries`` (the file format); a draft only."""
    phases = {p.code: p for p in Phase.objects.all()}
    principles = {p.code: p for p in Principle.objects.all()}
    sectors = {s.code: s for s in Sector.objects.all()}
    topics = {t.code: t for t in Topic.objects.all()}
    framework.items.exclude(code__in=[entry["code"] for entry in entries]).delete()
    for entry in entries:
        fields = {
            "phase": phases[entry["phase"]],
            "principle": principles[entry["principle"]],
            "order": entry["order"],
            "critical": entry["critical"],
            "not_applicable_allowed": entry["not_applicable"],
        }
        for lang in LANGUAGES:
            for text in ("question", "guidance", "source"):
                fields[f"{text}_{lang}"] = entry[text].get(lang, "")
        item, _created = Item.objects.update_or_create(
            framework=framework, code=entry["code"], defaults=fields
        )
        item.sectors.set([sectors[code] for code in entry["sectors"]])
        item.topics.set([topics[code] for code in entry["topics"]])
