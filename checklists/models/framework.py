"""The protection framework: principles, phases, topics, versioned frameworks and items."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OrderedConcept(models.Model):
    """A fixed concept of the framework with a code, an order and translated texts."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)

    class Meta:
        abstract = True
        ordering = ["order", "code"]

    def __str__(self):
        return self.name


class Principle(OrderedConcept):
    """One of the four protection principles (safety, access, accountability, participation)."""

    class Meta(OrderedConcept.Meta):
        verbose_name = _("principle")
        verbose_name_plural = _("principles")


class PhaseCode(models.TextChoices):
    """The codes of the four phases, as the fixtures load them: code refers to a phase by
    these names only, so that a renamed phase fails loudly instead of matching nothing."""

    DESIGN = "design", _("Project development and design")
    ENDORSEMENT = "endorsement", _("Project endorsement")
    IMPLEMENTATION = "implementation", _("Implementation and monitoring")
    EVALUATION = "evaluation", _("Evaluation")


class Phase(OrderedConcept):
    """A phase of the project life-cycle (design, endorsement, implementation, evaluation)."""

    class Meta(OrderedConcept.Meta):
        verbose_name = _("phase")
        verbose_name_plural = _("phases")

    @classmethod
    def get_by_code(cls, code: PhaseCode) -> "Phase":
        return cls.objects.get(code=PhaseCode(code))


class Topic(models.Model):
    """A thematic tag on items: disability inclusion, gender, age, GBV, PSEA..."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["code"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.name


class FrameworkStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class FrameworkQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=FrameworkStatus.PUBLISHED)

    def organisation(self):
        """The organisation's framework versions, not an office's own items."""
        return self.filter(office__isnull=True)


# A published or retired framework never changes (its items are immutable), so each process
# reads its items once; a page of 100 answers then needs no join to items. Drafts are read
# every time. The cache is of immutable reference data only: no other server needs it.
_IMMUTABLE_ITEMS: dict[int, dict[int, "Item"]] = {}


class Framework(models.Model):
    """A versioned set of checklist items. Once published it never changes."""

    code = models.SlugField(
        _("code"),
        max_length=40,
        help_text=_("Stays the same across versions, for example iom-pm."),
    )
    version = models.PositiveSmallIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=12, choices=FrameworkStatus.choices, default=FrameworkStatus.DRAFT
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # Set for an office's own items ("office items"): versioned like the framework, added
    # after the framework's items in the checklists of that office and the offices under
    # it, scored apart. Empty for the organisation's framework.
    office = models.ForeignKey(
        "projects.Office",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="office_frameworks",
        verbose_name=_("office"),
    )

    objects = FrameworkQuerySet.as_manager()

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="framework_unique_version"),
            # Checklists are started against "the" published version: there is one at a time.
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(status="published"),
                name="framework_one_published_per_code",
            ),
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"

    @property
    def is_editable(self) -> bool:
        return self.status == FrameworkStatus.DRAFT

    @classmethod
    def items_of(cls, framework_id: int) -> dict[int, "Item"]:
        """The framework's items by id, with their topics; read once when immutable."""
        cached = _IMMUTABLE_ITEMS.get(framework_id)
        if cached is not None:
            return cached
        items = {
            item.pk: item
            for item in Item.objects.filter(framework_id=framework_id)
            .select_related("framework__office")
            .prefetch_related("topics")
        }
        if items and not next(iter(items.values())).framework.is_editable:
            _IMMUTABLE_ITEMS[framework_id] = items
        return items

    @classmethod
    def items_for_answers(cls, framework_id: int, item_ids) -> dict[int, "Item"]:
        """The items of answers of a checklist started on ``framework_id``: the framework's,
        and the office items it was started with (one more query, only when it has some)."""
        items = cls.items_of(framework_id)
        missing = set(item_ids) - items.keys()
        if not missing:
            return items
        extra = Item.objects.filter(pk__in=missing).select_related("framework__office")
        return {**items, **{item.pk: item for item in extra.prefetch_related("topics")}}


class Item(models.Model):
    """One question of a framework, for one phase and one principle."""

    framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, related_name="items", verbose_name=_("framework")
    )
    code = models.CharField(
        _("code"), max_length=20, help_text=_("Stable code, for example DES-SAF-03.")
    )
    phase = models.ForeignKey(
        Phase, on_delete=models.PROTECT, related_name="items", verbose_name=_("phase")
    )
    principle = models.ForeignKey(
        Principle, on_delete=models.PROTECT, related_name="items", verbose_name=_("principle")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    question = models.TextField(_("question"), max_length=2000)
    guidance = models.TextField(
        _("guidance"),
        blank=True,
        max_length=5000,
        help_text=_("What good looks like, in practical terms."),
    )
    critical = models.BooleanField(
        _("critical"),
        default=False,
        help_text=_("A critical item answered 'no' is flagged in every view and report."),
    )
    # Office items: the office's focal point may ask for the item to be critical; it is
    # critical only once a framework editor agreed (who is kept).
    critical_requested = models.BooleanField(
        _("ask for this item to be critical"),
        default=False,
        help_text=_(
            "A framework editor at headquarters must agree before the item counts as critical."
        ),
    )
    critical_agreed_by = models.ForeignKey(
        "auth.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("critical: agreed by"),
    )
    not_applicable_allowed = models.BooleanField(
        _("may be answered “not applicable”"),
        default=True,
        help_text=_(
            "Untick for items that apply to every project, such as protection from sexual "
            "exploitation and abuse and data protection."
        ),
    )
    source = models.CharField(
        _("source"),
        max_length=500,
        blank=True,
        help_text=_(
            "The standard the item comes from, as a citation a user can look up, for example "
            "“IASC Six Core Principles on PSEA (2019)”."
        ),
    )
    sectors = models.ManyToManyField(
        "projects.Sector",
        related_name="items",
        blank=True,
        verbose_name=_("sectors"),
        help_text=_("Leave empty when the item applies to every sector."),
    )
    topics = models.ManyToManyField(
        Topic, related_name="items", blank=True, verbose_name=_("topics")
    )

    class Meta:
        ordering = ["phase__order", "principle__order", "order", "code"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="item_unique_code")
        ]

    def __str__(self):
        return self.code

    @property
    def added_by(self):
        """The office whose own item this is, or None for an item of the framework."""
        return self.framework.office

    def clean(self):
        super().clean()
        if self.framework_id and not self.framework.is_editable:
            raise ValidationError(
                _(
                    "This framework is published or retired and cannot change. "
                    "Make a new version to change its items."
                )
            )


class GoodPractice(models.Model):
    """A good practice reported from operations, shown beside the items of its principle."""

    principle = models.ForeignKey(
        Principle,
        on_delete=models.PROTECT,
        related_name="good_practices",
        verbose_name=_("principle"),
    )
    country = models.CharField(_("country"), max_length=120)
    text = models.TextField(_("what was done"), max_length=2000)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["principle__order", "order"]
        verbose_name = _("good practice")
        verbose_name_plural = _("good practices")

    def __str__(self):
        return f"{self.country}: {self.text[:60]}"


class FrameworkAuditAction(models.TextChoices):
    EXPORTED = "exported", _("Exported")
    IMPORTED = "imported", _("Imported as a draft")
    DRAFT_STARTED = "draft_started", _("New draft started")
    ITEM_ADDED = "item_added", _("Item added")
    ITEM_CHANGED = "item_changed", _("Item changed")
    ITEM_RETIRED = "item_retired", _("Item retired")
    PUBLISHED = "published", _("Published")


class FrameworkAuditEntry(models.Model):
    """What a framework editor did to a framework version. Never edited, never deleted."""

    framework = models.ForeignKey(
        Framework,
        on_delete=models.PROTECT,
        related_name="audit_entries",
        verbose_name=_("framework"),
    )
    actor = models.ForeignKey(
        "auth.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("who")
    )
    action = models.CharField(_("what"), max_length=20, choices=FrameworkAuditAction.choices)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("framework audit entry")
        verbose_name_plural = _("framework audit entries")

    def __str__(self):
        return f"{self.framework} {self.action}"
