"""Reviews and endorsement, reminders, and the audit trail."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .checklist import ActionPoint, Answer, Checklist, ChecklistStatus
from .framework import PhaseCode


class AuditAction(models.TextChoices):
    ANSWER_CHANGED = "answer_changed", _("Answer changed")
    CHECKLIST_STARTED = "checklist_started", _("Checklist started")
    CHECKLIST_SUBMITTED = "checklist_submitted", _("Checklist submitted")
    CHECKLIST_APPROVED = "checklist_approved", _("Checklist approved")
    CHECKLIST_RETURNED = "checklist_returned", _("Checklist returned for revision")
    REVIEW_COMMENT = "review_comment", _("Review comment")
    PHASE_CHANGED = "phase_changed", _("Project phase changed")
    LEVEL_ENDORSED = "level_endorsed", _("Endorsed at one level, waiting for the next")
    ACTION_POINT_DONE = "action_point_done", _("Action point marked done")
    EVIDENCE_ADDED = "evidence_added", _("Evidence file added")
    EVIDENCE_REPLACED = "evidence_replaced", _("Evidence file replaced by a new version")
    EVIDENCE_REMOVED = "evidence_removed", _("Evidence file removed")
    RISK_ADDED = "risk_added", _("Risk added to the risk analysis")
    RISK_CHANGED = "risk_changed", _("Risk of the risk analysis changed")
    RISK_REMOVED = "risk_removed", _("Risk removed from the risk analysis")
    RISK_ACTION_POINT = "risk_action_point", _("Mitigation turned into an action point")


class AuditEntry(models.Model):
    """Who changed what, when, with the old and new values. Never edited, never deleted."""

    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        related_name="audit_entries",
        verbose_name=_("project"),
    )
    checklist = models.ForeignKey(
        Checklist,
        on_delete=models.PROTECT,
        related_name="audit_entries",
        verbose_name=_("checklist"),
        null=True,
        blank=True,
    )
    answer = models.ForeignKey(
        Answer,
        on_delete=models.PROTECT,
        related_name="audit_entries",
        verbose_name=_("answer"),
        null=True,
        blank=True,
    )
    actor = models.ForeignKey(
        "auth.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("who")
    )
    action = models.CharField(_("what"), max_length=30, choices=AuditAction.choices)
    # {field: [old, new]} for changes; empty for events without values.
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action}"


class Decision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    APPROVED_WITH_CONDITIONS = "approved_with_conditions", _("Approved with conditions")
    RETURNED = "returned", _("Returned for revision")


# A decision that lets the phase go on (with or without conditions).
APPROVALS = (Decision.APPROVED, Decision.APPROVED_WITH_CONDITIONS)


class ReviewQuerySet(models.QuerySet):
    def endorsements(self):
        """Approvals of endorsement-phase checklists that the last level of their chain
        approved: each is a project's protection endorsement (an approval at a lower level
        while a higher one still decides is not)."""
        return self.filter(
            checklist__phase__code=PhaseCode.ENDORSEMENT,
            checklist__status=ChecklistStatus.APPROVED,
            decision__in=APPROVALS,
        )


class Review(models.Model):
    """A focal point's decision on a submitted checklist. Never changed once made.

    Approving the endorsement-phase checklist is the project's protection endorsement.
    """

    checklist = models.ForeignKey(
        Checklist, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("checklist")
    )
    decision = models.CharField(_("decision"), max_length=30, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True, max_length=5000)
    reviewer = models.ForeignKey(
        "auth.User", on_delete=models.PROTECT, related_name="reviews", verbose_name=_("reviewer")
    )
    decided_at = models.DateTimeField(_("decided"), auto_now_add=True)
    # The level of the endorsement chain decided at (1: the project's office), its office,
    # and the focal point the reviewer acted for, if any.
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    level_office = models.ForeignKey(
        "projects.Office",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("for the office"),
        null=True,
        blank=True,
    )
    acting_for = models.ForeignKey(
        "auth.User",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("acting for"),
        null=True,
        blank=True,
    )

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self):
        return f"{self.checklist} · {self.get_decision_display()}"

    @property
    def is_approval(self) -> bool:
        return self.decision in APPROVALS


def endorsement_of(project) -> Review | None:
    """The project's protection endorsement: the approval of its endorsement checklist."""
    return (
        Review.objects.endorsements()
        .filter(checklist__project=project)
        .select_related("reviewer")
        .order_by("-decided_at")
        .first()
    )


def endorsement_among(reviews, checklists) -> Review | None:
    """The same endorsement, found among reviews already read (newest decision first)."""
    endorsement_checklists = {
        c.pk
        for c in checklists
        if c.phase.code == PhaseCode.ENDORSEMENT and c.status == ChecklistStatus.APPROVED
    }
    approvals = [
        r for r in reviews if r.checklist_id in endorsement_checklists and r.decision in APPROVALS
    ]
    return max(approvals, key=lambda r: (r.decided_at, r.pk), default=None)


class ReviewComment(models.Model):
    """A focal point's comment on one answer, made with a decision; staff see it beside the item."""

    review = models.ForeignKey(
        Review, on_delete=models.PROTECT, related_name="comments", verbose_name=_("review")
    )
    answer = models.ForeignKey(
        Answer, on_delete=models.PROTECT, related_name="review_comments", verbose_name=_("answer")
    )
    text = models.TextField(_("comment"), max_length=5000)

    class Meta:
        ordering = ["-review__decided_at", "pk"]
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")
        constraints = [
            models.UniqueConstraint(fields=["review", "answer"], name="review_comment_unique")
        ]

    def __str__(self):
        return self.text[:60]


class Reminder(models.Model):
    """That a reminder about an action point went out on a day: never twice the same day."""

    action_point = models.ForeignKey(
        ActionPoint,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("action point"),
    )
    sent_on = models.DateField(_("sent on"))

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=["action_point", "sent_on"], name="reminder_once_a_day")
        ]

    def __str__(self):
        return f"{self.action_point_id} {self.sent_on}"
