"""Publishing framework versions: a published framework never changes."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Framework, FrameworkStatus


@transaction.atomic
def publish_framework(*, framework: Framework) -> Framework:
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
    return framework


@transaction.atomic
def start_new_framework_version(*, framework: Framework) -> Framework:
    """Copy a framework and its items into a new draft version, the way to change items."""
    latest = Framework.objects.filter(code=framework.code).aggregate(v=Max("version"))["v"]
    draft = Framework.objects.get(pk=framework.pk)
    draft.pk = None
    draft.version = latest + 1
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
    return draft


def current_framework() -> Framework | None:
    """The published framework new checklists are started against."""
    return Framework.objects.published().order_by("-published_at").first()
