"""An office's own checklist items ("office items"), versioned like the framework.

An office's items are a framework version of their own (``Framework.office``): a draft the
office's focal points edit, published at office level (the version it replaces is retired),
never changed once published (a change is a new draft version). New checklists of the office
and of the offices under it get the published items of their phase after the framework's; a
checklist keeps the items it started with (its answers point to them). An office item is
critical only once a framework editor agreed.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext as _

from projects import office_tree

from ..framework_rules import References, item_problems
from ..framework_workbook import framework_content
from ..models import Framework, FrameworkAuditAction, FrameworkStatus, Item
from .errors import WorkflowError
from .frameworks import (
    _audit,
    draft_refusal,
    put_in_force,
    save_draft_item,
    start_new_framework_version,
)

# An office item's question and guidance are required in English; other languages are
# optional (the editor lists the missing ones).
REQUIRED_LANGUAGES = ["en"]


def code_prefix(office) -> str:
    """Office items' codes start with the office's code: IRQ-01."""
    return f"{office.code.upper()}-"


def office_versions(office):
    return Framework.objects.filter(office=office).order_by("-version")


def office_draft(office) -> Framework | None:
    return office_versions(office).filter(status=FrameworkStatus.DRAFT).first()


def office_published(office) -> Framework | None:
    return office_versions(office).filter(status=FrameworkStatus.PUBLISHED).first()


@transaction.atomic
def start_office_draft(*, office, user) -> Framework:
    """The office's draft: the one being edited, else a copy of the published version
    (so a published item never changes), else a first, empty version."""
    draft = office_draft(office)
    if draft is not None:
        return draft
    published = office_published(office)
    if published is not None:
        return start_new_framework_version(framework=published, user=user)
    latest = office_versions(office).first()
    draft = Framework.objects.create(
        code=f"office-{slugify(office.code)}"[:40],
        version=(latest.version + 1) if latest else 1,
        name=_("Items of %(office)s") % {"office": office.name},
        office=office,
    )
    _audit(draft, user, FrameworkAuditAction.DRAFT_STARTED, {"office": office.code})
    return draft


def save_office_item(*, item: Item, user, changes: dict, sectors) -> Item:
    """Add or change an item of the office's draft. Its focal point may only ask for it to
    be critical: it is critical once a framework editor agreed (agree_critical), and a new
    request after the question changed needs a new agreement."""
    if not item.critical_requested or "question_en" in changes:
        item.critical_agreed_by = None
    item.critical = item.critical_requested and item.critical_agreed_by_id is not None
    return save_draft_item(item=item, user=user, changes=changes, sectors=sectors, topics=[])


@transaction.atomic
def agree_critical(*, item: Item, user) -> Item:
    """A framework editor agrees that an office item of a draft is critical."""
    framework = Framework.objects.select_for_update().get(pk=item.framework_id)
    if refusal := draft_refusal(framework):
        raise WorkflowError(refusal)
    if framework.office_id is None or not item.critical_requested:
        raise WorkflowError(_("This item does not ask to be critical."))
    item.critical, item.critical_agreed_by = True, user
    item.save(update_fields=["critical", "critical_agreed_by"])
    _audit(framework, user, FrameworkAuditAction.ITEM_CHANGED, {"code": item.code, "critical": 1})
    return item


def office_item_problems(framework: Framework) -> list[str]:
    """What keeps an office's draft from being published: each item's rules (as the
    framework's, in English at least) and its code's prefix."""
    prefix, references = code_prefix(framework.office), References.read()
    lines = []
    for entry in framework_content(framework)["items"]:
        if not entry["code"].upper().startswith(prefix):
            lines.append(prefix_message(entry["code"], prefix))
        for problem in item_problems(entry, references, languages=REQUIRED_LANGUAGES):
            lines.append(f"{entry['code']}: {problem.message}")
    return lines


def prefix_message(code: str, prefix: str) -> str:
    return _("The code %(code)s must start with %(prefix)s, for example %(prefix)s01.") % {
        "code": code,
        "prefix": prefix,
    }


@transaction.atomic
def publish_office_items(*, framework: Framework, user) -> Framework:
    """Publish an office's draft; the version it replaces is retired. New checklists of the
    office (and the offices under it) get its items; started ones keep theirs."""
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    if framework.office_id is None or framework.status != FrameworkStatus.DRAFT:
        raise ValidationError(_("Only a draft of office items can be published."))
    if not framework.items.exists():
        raise ValidationError(_("Add at least one item before publishing."))
    if problems := office_item_problems(framework):
        raise ValidationError(problems)
    return put_in_force(
        framework, user, replacing=Framework.objects.filter(office=framework.office_id)
    )


def office_items_for(project, phase):
    """The published office items a new checklist of this project gets: those of its
    office and of the offices above it, for the phase and the project's sectors."""
    frameworks = Framework.objects.published().filter(office_tree.holds_office(project.office_id))
    return (
        Item.objects.filter(framework__in=frameworks, phase=phase)
        .filter(Q(sectors__isnull=True) | Q(sectors__in=project.sectors.all()))
        .distinct()
        .order_by("framework__office_id", "order", "code")
    )
