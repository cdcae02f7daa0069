from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OrderedConcept(models.Model):
    """A fixed concept of the framework with a code, an order and translated texts."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

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


class Phase(OrderedConcept):
    """A phase of the project life-cycle (design, endorsement, implementation, evaluation)."""

    class Meta(OrderedConcept.Meta):
        verbose_name = _("phase")
        verbose_name_plural = _("phases")


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
    question = models.TextField(_("question"))
    guidance = models.TextField(
        _("guidance"), blank=True, help_text=_("What good looks like, in practical terms.")
    )
    critical = models.BooleanField(
        _("critical"),
        default=False,
        help_text=_("A critical item answered 'no' is flagged in every view and report."),
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
    text = models.TextField(_("what was done"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["principle__order", "order"]
        verbose_name = _("good practice")
        verbose_name_plural = _("good practices")

    def __str__(self):
        return f"{self.country}: {self.text[:60]}"


class ChecklistStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for revision")


# Staff may change answers only while the checklist is in one of these states.
EDITABLE_STATUSES = (ChecklistStatus.DRAFT, ChecklistStatus.RETURNED)


class ChecklistQuerySet(models.QuerySet):
    def for_projects(self, projects):
        return self.filter(project__in=projects)

    def submitted(self):
        return self.filter(status=ChecklistStatus.SUBMITTED)

    def editable(self):
        return self.filter(status__in=EDITABLE_STATUSES)


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

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_monitoring_round(self) -> bool:
        return self.phase.code == "implementation"


class Response(models.TextChoices):
    YES = "yes", _("Yes")
    PARTIAL = "partial", _("Partially")
    NO = "no", _("No")
    NOT_APPLICABLE = "na", _("Not applicable")


# Responses that need an action point (what will be done, owner, due date).
GAP_RESPONSES = (Response.PARTIAL, Response.NO)


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

    def __str__(self):
        return f"{self.item.code}: {self.response or '-'}"

    @property
    def needs_action_point(self) -> bool:
        return self.response in GAP_RESPONSES


class ActionPointQuerySet(models.QuerySet):
    def current(self):
        return self.filter(withdrawn_on__isnull=True)

    def open(self):
        return self.current().filter(done_on__isnull=True)

    def overdue(self, today):
        return self.open().filter(due_date__lt=today)


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
            # Overdue lists and reminders look for open points by due date.
            models.Index(
                fields=["due_date"],
                condition=Q(done_on__isnull=True, withdrawn_on__isnull=True),
                name="actionpoint_open_by_due_date",
            )
        ]

    def __str__(self):
        return self.description[:80]

    @property
    def is_complete(self) -> bool:
        """An action point says what, who and when."""
        return bool(self.description.strip() and self.owner_id and self.due_date)

    def is_overdue(self, today) -> bool:
        return (
            self.done_on is None
            and self.withdrawn_on is None
            and self.due_date is not None
            and self.due_date < today
        )


class AuditAction(models.TextChoices):
    ANSWER_CHANGED = "answer_changed", _("Answer changed")
    CHECKLIST_STARTED = "checklist_started", _("Checklist started")
    CHECKLIST_SUBMITTED = "checklist_submitted", _("Checklist submitted")
    CHECKLIST_APPROVED = "checklist_approved", _("Checklist approved")
    CHECKLIST_RETURNED = "checklist_returned", _("Checklist returned for revision")
    REVIEW_COMMENT = "review_comment", _("Review comment")
    PHASE_CHANGED = "phase_changed", _("Project phase changed")
    ACTION_POINT_DONE = "action_point_done", _("Action point marked done")


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

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self):
        return f"{self.checklist} · {self.get_decision_display()}"

    @property
    def is_approval(self) -> bool:
        return self.decision in (Decision.APPROVED, Decision.APPROVED_WITH_CONDITIONS)


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


class PrincipleTally(models.Model):
    """How one checklist's answers split for one principle, kept in step by the workflow.

    Dashboards over thousands of projects sum these rows instead of every answer; scores are
    still computed from the counts by checklists/scoring.py. Rebuilt with
    ``python manage.py refresh_tallies`` if ever in doubt.
    """

    checklist = models.ForeignKey(
        Checklist, on_delete=models.CASCADE, related_name="tallies", verbose_name=_("checklist")
    )
    principle = models.ForeignKey(
        Principle, on_delete=models.PROTECT, related_name="+", verbose_name=_("principle")
    )
    yes = models.PositiveIntegerField(default=0)
    partial = models.PositiveIntegerField(default=0)
    no = models.PositiveIntegerField(default=0)
    not_applicable = models.PositiveIntegerField(default=0)
    unanswered = models.PositiveIntegerField(default=0)
    critical_gaps_without_action = models.PositiveIntegerField(default=0)
    critical_gaps_open = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("principle tally")
        verbose_name_plural = _("principle tallies")
        constraints = [
            models.UniqueConstraint(fields=["checklist", "principle"], name="tally_unique")
        ]

    def __str__(self):
        return f"{self.checklist_id}/{self.principle_id}"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being prepared")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ReportKind(models.TextChoices):
    PORTFOLIO_PDF = "portfolio_pdf", _("Portfolio report (PDF)")
    PORTFOLIO_XLSX = "portfolio_xlsx", _("Portfolio spreadsheet (XLSX)")


class ReportFile(models.Model):
    """A long report made in the background by the task worker, kept for its requester.

    Kept in the default file storage (shared storage in a multi-server deployment), never
    in a web process's memory, so any app server can serve it.
    """

    kind = models.CharField(_("report"), max_length=20, choices=ReportKind.choices)
    requested_by = models.ForeignKey(
        "auth.User",
        on_delete=models.CASCADE,
        related_name="report_files",
        verbose_name=_("requested by"),
    )
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    language = models.CharField(_("language"), max_length=10)
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    file = models.FileField(_("file"), upload_to="reports/", blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("report file")
        verbose_name_plural = _("report files")

    def __str__(self):
        return f"{self.get_kind_display()} {self.requested_at:%Y-%m-%d %H:%M}"
