"""The endorsement chain: which levels of the organisation endorse a phase (rules, data
edited in the admin), acting focal points, and the notices sent about a long wait."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from projects import office_tree
from projects.models import Membership, Role

from .framework import Phase

# A decision at level 1 (the project's office) that waits longer than this reminds its
# deciders; a further delay tells the level above. Levels set by a rule have their own.
DEFAULT_REMINDER_AFTER_DAYS = 5
DEFAULT_ESCALATE_AFTER_DAYS = 5


class RuleCondition(models.TextChoices):
    ALWAYS = "always", _("Always")
    SECTORS = "sectors", _("The project works in one of these sectors")
    CRITICAL_ITEM = (
        "critical_item",
        _("A critical item is answered “not applicable” or has an action point"),
    )
    CONDITIONS_BELOW = "conditions_below", _("The level below approved with conditions")
    BUDGET_ABOVE = "budget_above", _("The project's budget is above an amount")


class EndorsementRule(models.Model):
    """A level of endorsement: the focal points of ``level_office`` decide on a phase's
    checklist of every project of ``office`` and of the offices under it, after the
    project's own office, always or when a condition holds."""

    office = models.ForeignKey(
        "projects.Office",
        on_delete=models.CASCADE,
        related_name="endorsement_rules",
        verbose_name=_("applies to office"),
        help_text=_(
            "The rule applies to the projects of this office and of every office under it."
        ),
    )
    phase = models.ForeignKey(
        Phase, on_delete=models.PROTECT, related_name="endorsement_rules", verbose_name=_("phase")
    )
    level_office = models.ForeignKey(
        "projects.Office",
        on_delete=models.PROTECT,
        related_name="endorsement_levels",
        verbose_name=_("office that endorses"),
        help_text=_("The protection focal points of this office decide at this level."),
    )
    order = models.PositiveSmallIntegerField(
        _("order"),
        default=1,
        help_text=_("Levels are asked in this order, after the project's own office."),
    )
    condition = models.CharField(
        _("when"), max_length=20, choices=RuleCondition.choices, default=RuleCondition.ALWAYS
    )
    sectors = models.ManyToManyField(
        "projects.Sector",
        blank=True,
        related_name="+",
        verbose_name=_("sectors"),
        help_text=_("For the sectors condition: any of these sectors brings the level in."),
    )
    amount = models.DecimalField(
        _("amount (USD)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("For the budget condition: a budget above this amount, in US dollars."),
    )
    reminder_after_days = models.PositiveSmallIntegerField(
        _("remind after (days)"),
        default=DEFAULT_REMINDER_AFTER_DAYS,
        help_text=_("A decision waiting this many days reminds the level's focal points."),
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        _("then tell the level above after (days)"),
        default=DEFAULT_ESCALATE_AFTER_DAYS,
        help_text=_(
            "After the reminder, this many more days of waiting tell the focal points of the "
            "office above and the managers of the project's office. Nothing is ever approved "
            "without a person."
        ),
    )

    class Meta:
        ordering = ["phase__order", "order", "pk"]
        verbose_name = _("endorsement rule")
        verbose_name_plural = _("endorsement rules")

    def __str__(self):
        return (
            f"{self.office} · {self.phase} · {self.level_office} ({self.get_condition_display()})"
        )

    def clean(self):
        super().clean()
        if self.condition == RuleCondition.BUDGET_ABOVE and self.amount is None:
            raise ValidationError({"amount": _("Give the amount for the budget condition.")})


class ActingAssignmentQuerySet(models.QuerySet):
    def active_on(self, day):
        return self.filter(starts_on__lte=day, ends_on__gte=day)


class ActingAssignment(models.Model):
    """A person acting for a focal point in an office for some days (leave, mission): they
    see the review queue and decide "acting for" the focal point. It ends by itself."""

    focal_point = models.ForeignKey(
        "auth.User",
        on_delete=models.PROTECT,
        related_name="acting_replacements",
        verbose_name=_("focal point"),
    )
    acting = models.ForeignKey(
        "auth.User",
        on_delete=models.PROTECT,
        related_name="acting_assignments",
        verbose_name=_("acting focal point"),
    )
    office = models.ForeignKey(
        "projects.Office",
        on_delete=models.PROTECT,
        related_name="acting_assignments",
        verbose_name=_("office"),
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until (included)"))
    created_by = models.ForeignKey(
        "auth.User",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("named by"),
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ActingAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = _("acting focal point")
        verbose_name_plural = _("acting focal points")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="acting_end_not_before_start",
                violation_error_message=_("The end date cannot be before the start date."),
            )
        ]

    def __str__(self):
        return f"{self.acting} → {self.focal_point} ({self.starts_on} – {self.ends_on})"

    def clean(self):
        super().clean()
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The end date cannot be before the start date.")
        if self.office_id and self.focal_point_id and self.acting_id:
            members = Membership.objects.filter(office_tree.holds_office(self.office_id))
            if self.acting_id == self.focal_point_id:
                errors["acting"] = _("Name another person than the focal point.")
            elif not members.filter(user_id=self.acting_id).exists():
                errors["acting"] = _("The acting person must be a member of this office.")
            if not members.filter(user_id=self.focal_point_id, role=Role.FOCAL_POINT).exists():
                errors["focal_point"] = _("This person is not a focal point of this office.")
        if errors:
            raise ValidationError(errors)


class NoticeKind(models.TextChoices):
    REMINDER = "reminder", _("Reminder")
    ESCALATION = "escalation", _("Escalation")


class EndorsementNotice(models.Model):
    """That a reminder or an escalation about one wait went out: never twice for one wait
    (a wait = a checklist, a level, and when that level started waiting)."""

    checklist = models.ForeignKey(
        "checklists.Checklist",
        on_delete=models.CASCADE,
        related_name="endorsement_notices",
        verbose_name=_("checklist"),
    )
    level = models.PositiveSmallIntegerField(_("level"))
    waiting_since = models.DateTimeField(_("waiting since"))
    kind = models.CharField(_("kind"), max_length=12, choices=NoticeKind.choices)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("endorsement notice")
        verbose_name_plural = _("endorsement notices")
        constraints = [
            models.UniqueConstraint(
                fields=["checklist", "level", "waiting_since", "kind"], name="notice_once_per_wait"
            )
        ]

    def __str__(self):
        return f"{self.checklist_id} {self.level} {self.kind}"
