"""Checklists, their answers and the action points that close gaps."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .framework import Framework, Item, Phase, PhaseCode


class ChecklistStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for revision")


# Staff may change answers only while the checklist is in one of these states.
EDITABLE_STATUSES = (ChecklistStatus.DRAFT, ChecklistStatus.RETURNED)
# What dashboards and reports count: submitted and approved checklists, not drafts.
REPORTED_STATUSES = (ChecklistStatus.SUBMITTED, ChecklistStatus.APPROVED)


class ChecklistQuerySet(models.QuerySet):
    def for_projects(self, projects):
        return self.filter(project__in=projects)

    def submitted(self):
        return self.filter(status=ChecklistStatus.SUBMITTED)

    def editable(self):
        return self.filter(status__in=EDITABLE_STATUSES, project__archived=False)


class Checklist(models.Model):
    """One phase's checklist for one project, bound to the framework version it was started on.

    The implementation phase may have several monitoring rounds; other phases have one.
    """

    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        related_name="checklists",
        verbose_name=_("project"),
    )
    phase = models.ForeignKey(
        Phase, on_delete=models.PROTECT, related_name="checklists", verbose_name=_("phase")
    )
    framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, related_name="checklists", verbose_name=_("framework")
    )
    round = models.PositiveSmallIntegerField(
        _("round"), default=1, help_text=_("Monitoring round number (implementation phase).")
    )
    # Fixed when the checklist starts (its answers are made once): the autosave asks for
    # the office items' score only where there are office items, without a query to know.
    has_office_items = models.BooleanField(
        _("has office items"),
        default=False,
        editable=False,
        help_text=_("Whether the checklist holds items its office added (scored apart)."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ChecklistStatus.choices, default=ChecklistStatus.DRAFT
    )
    started_by = models.ForeignKey(
        "auth.User",
        on_delete=models.PROTECT,
        related_name="started_checklists",
        verbose_name=_("started by"),
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        "auth.User",
        on_delete=models.PROTECT,
        related_name="submitted_checklists",
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    # Where a submitted checklist waits in the endorsement chain (checklists/workflow):
    # level 1 is the project's office (no rule); a higher level is set by a rule.
    waiting_level = models.PositiveSmallIntegerField(_("waiting at level"), default=1)
    waiting_rule = models.ForeignKey(
        "checklists.EndorsementRule",
        on_delete=models.PROTECT,
        related_name="waiting_checklists",
        verbose_name=_("waiting for the rule"),
        null=True,
        blank=True,
    )
    waiting_office = models.ForeignKey(
        "projects.Office",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("waiting for the office"),
        null=True,
        blank=True,
    )
    waiting_since = models.DateTimeField(_("waiting since"), null=True, blank=True)

    objects = ChecklistQuerySet.as_manager()

    class Meta:
        ordering = ["phase__order", "round"]
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "phase", "round"], name="checklist_unique_phase_round"
            )
        ]

    def __str__(self):
        return f"{self.project.code} · {self.phase.name} · {self.round}"

    def revision(self) -> int:
        """How many audited changes the checklist has had. Every change to it, its answers,
        action points, evidence files and reviews writes an audit entry in the same
        transaction, and entries are never deleted, so this number moves exactly when a
        change is committed: what its pages show can be kept rendered under it. (A count,
        not the newest entry's id: ids are handed out before commit, so a slower
        transaction can commit an older id after a newer one.)"""
        return self.audit_entries.count()

    @property
    def is_editable(self) -> bool:
        """The one rule of when a checklist's answers and evidence may change: a draft or a
        returned checklist of a project that is not archived. (Who may change it is
        projects/permissions.py; the message that says why not is workflow.editing_refusal.)"""
        return self.status in EDITABLE_STATUSES and not self.project.archived

    @property
    def is_monitoring_round(self) -> bool:
        return self.phase.code == PhaseCode.IMPLEMENTATION

    @property
    def label(self) -> str:
        """How pages, charts and reports name the checklist: its phase, and round if any."""
        if self.is_monitoring_round:
            return gettext("%(phase)s, round %(round)s") % {
                "phase": self.phase.name,
                "round": self.round,
            }
        return str(self.phase.name)


class Response(models.TextChoices):
    YES = "yes", _("Yes")
    PARTIAL = "partial", _("Partially")
    NO = "no", _("No")
    NOT_APPLICABLE = "na", _("Not applicable")


# Responses that need an action point (what will be done, owner, due date).
GAP_RESPONSES = (Response.PARTIAL, Response.NO)


class CriticalGap(models.TextChoices):
    """Where a critical gap (a critical item answered "no") stands; scoring rates by it."""

    WITHOUT_ACTION = "without_action", _("Critical gap without an action point")
    OPEN = "open", _("Critical gap with an open action point")
    CLOSED = "closed", _("Critical gap whose action point is done")


class AnswerQuerySet(models.QuerySet):
    def for_page(self, *, framework_id: int | None = None) -> list:
        """The answers with what the checklist, review and report pages show of each, their
        items attached from their framework (read once when published): no join to items,
        whose translated texts make the rows wide and the planning slow."""
        answers = list(self.select_related("action_point__owner", "updated_by"))
        if framework_id is not None:  # one checklist, whose framework the caller knows
            frameworks = {a.checklist_id: framework_id for a in answers}
        else:
            frameworks = dict(
                Checklist.objects.filter(pk__in={a.checklist_id for a in answers}).values_list(
                    "pk", "framework_id"
                )
            )
        item_ids: dict[int, set] = {}
        for answer in answers:
            item_ids.setdefault(frameworks[answer.checklist_id], set()).add(answer.item_id)
        items = {pk: Framework.items_for_answers(pk, ids) for pk, ids in item_ids.items()}
        for answer in answers:
            answer.item = items[frameworks[answer.checklist_id]][answer.item_id]
        # The framework's items first, then the office items (views/rows: by principle).
        answers.sort(
            key=lambda a: (a.item.framework.office_id is not None, a.item.order, a.item.code)
        )
        return answers

    def critical_gaps(self):
        """Critical items answered "no": flagged in every view and report."""
        return self.filter(Answer.critical_gap_q())

    def open_critical_gaps(self):
        """Critical gaps not closed yet: the same rule as ``Answer.critical_gap`` (closed
        means a complete action point, done)."""
        return self.critical_gaps().exclude(Answer.critical_gap_closed_q())


class Answer(models.Model):
    """One answer to one item in one checklist. Created blank when the checklist starts."""

    checklist = models.ForeignKey(
        Checklist, on_delete=models.PROTECT, related_name="answers", verbose_name=_("checklist")
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="answers", verbose_name=_("item")
    )
    response = models.CharField(
        _("response"), max_length=8, choices=Response.choices, blank=True, default=""
    )
    comment = models.TextField(_("comment"), blank=True, max_length=5000)
    not_applicable_reason = models.TextField(
        _("reason it does not apply"), blank=True, max_length=2000
    )
    # Incremented on every save: a save based on an older version is refused, so two people
    # editing the same checklist never overwrite each other silently.
    version = models.PositiveIntegerField(_("version"), default=0)
    updated_by = models.ForeignKey(
        "auth.User",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("updated by"),
        null=True,
        blank=True,
    )
    updated_at = models.DateTimeField(_("updated"), null=True, blank=True)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        ordering = ["item__principle__order", "item__order", "item__code"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["checklist", "item"], name="answer_unique_item"),
            models.CheckConstraint(
                condition=Q(response__in=["", "yes", "partial", "no", "na"]),
                name="answer_response_valid",
            ),
        ]
        indexes = [
            # The portfolio's list of critical gaps looks for "no" answers of some checklists.
            models.Index(
                fields=["checklist"], condition=Q(response="no"), name="answer_no_by_checklist"
            )
        ]

    def __str__(self):
        return f"{self.item.code}: {self.response or '-'}"

    @property
    def needs_action_point(self) -> bool:
        return self.response in GAP_RESPONSES

    @property
    def is_critical_gap(self) -> bool:
        """A critical item answered "no"; ``critical_gap_q`` is the same rule for a query."""
        return self.item.critical and self.response == Response.NO

    @staticmethod
    def critical_gap_q() -> Q:
        return Q(item__critical=True, response=Response.NO)

    @property
    def current_action_point(self) -> "ActionPoint | None":
        """The action point of this gap, unless it was withdrawn (needs action_point loaded)."""
        action = getattr(self, "action_point", None)
        return action if action is not None and action.withdrawn_on is None else None

    @staticmethod
    def critical_gap_closed_q() -> Q:
        """A critical gap is closed by a complete action point marked done: the rule of
        ``critical_gap``, for a query from answers."""
        return ActionPoint.complete_q("action_point__") & Q(action_point__done_on__isnull=False)

    @property
    def critical_gap(self) -> CriticalGap | None:
        """Where this answer's critical gap stands, or None when it is not one."""
        if not self.is_critical_gap:
            return None
        action = getattr(self, "action_point", None)
        if action is None or not action.is_complete:
            return CriticalGap.WITHOUT_ACTION
        return CriticalGap.OPEN if action.done_on is None else CriticalGap.CLOSED


class ActionPointQuerySet(models.QuerySet):
    def complete(self):
        return self.filter(ActionPoint.complete_q())

    def current(self):
        return self.filter(withdrawn_on__isnull=True)

    def open(self):
        return self.current().filter(done_on__isnull=True)

    def overdue(self, today):
        return self.open().filter(due_date__lt=today)

    def open_and_overdue(self, today) -> tuple[int, int]:
        """How many are open and how many of those overdue, in one query."""
        overdue = self.overdue(today).values("pk")
        counts = self.open().aggregate(
            open=models.Count("pk"), overdue=models.Count("pk", filter=Q(pk__in=overdue))
        )
        return counts["open"], counts["overdue"]


class ActionPoint(models.Model):
    """What will be done about a gap: from a 'partial' or 'no' answer, or a review condition."""

    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        related_name="action_points",
        verbose_name=_("project"),
    )
    answer = models.OneToOneField(
        Answer,
        on_delete=models.PROTECT,
        related_name="action_point",
        verbose_name=_("answer"),
        null=True,
        blank=True,
    )
    review = models.ForeignKey(
        "Review",
        on_delete=models.PROTECT,
        related_name="conditions",
        verbose_name=_("review"),
        null=True,
        blank=True,
        help_text=_("Set when the action point is a condition of an approval."),
    )
    description = models.TextField(_("what will be done"), max_length=2000, blank=True)
    owner = models.ForeignKey(
        "auth.User",
        on_delete=models.PROTECT,
        related_name="action_points",
        verbose_name=_("owner"),
        null=True,
        blank=True,
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_note = models.TextField(_("note on what was done"), max_length=2000, blank=True)
    # Action points are never deleted once a checklist was submitted: when an answer stops
    # being a gap, its action point is withdrawn (and restored if the gap comes back).
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ActionPointQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("action point")
        verbose_name_plural = _("action points")
        indexes = [
            # Overdue lists and reminders look for open points by due date; with the project
            # in the index (PostgreSQL), the portfolio counts its overdue points from the
            # index alone.
            models.Index(
                fields=["due_date"],
                include=["project"],
                condition=Q(done_on__isnull=True, withdrawn_on__isnull=True),
                name="actionpoint_open_by_due",
            )
        ]

    def __str__(self):
        return self.description[:80]

    # An action point is complete when it says what, who and when. Both the property and
    # the query below read these fields; the workflow stores descriptions stripped, so
    # "what" is simply a description that is not empty.
    COMPLETE_FIELDS = ("description", "owner", "due_date")

    @property
    def is_complete(self) -> bool:
        return all(self.serializable_value(name) for name in self.COMPLETE_FIELDS)

    @classmethod
    def complete_q(cls, prefix: str = "") -> Q:
        """The same rule as ``is_complete``, for a query; ``prefix`` reaches it through a
        relation (``"action_point__"`` from an answer)."""
        condition = Q(**{f"{prefix}pk__isnull": False})
        for name in cls.COMPLETE_FIELDS:
            field = cls._meta.get_field(name)
            condition &= Q(**{f"{prefix}{name}__isnull": False})
            if not field.is_relation and isinstance(field, (models.CharField, models.TextField)):
                condition &= ~Q(**{f"{prefix}{name}": ""})
        return condition

    def is_overdue(self, today) -> bool:
        return (
            self.done_on is None
            and self.withdrawn_on is None
            and self.due_date is not None
            and self.due_date < today
        )
