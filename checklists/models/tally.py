"""Answers counted ahead for dashboards: per checklist, and per project over what it reported."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.models import Project

from .checklist import Checklist
from .framework import Principle


class TallyCounts(models.Model):
    """How answers split (the fields of scoring.Counts)."""

    yes = models.PositiveIntegerField(default=0)
    partial = models.PositiveIntegerField(default=0)
    no = models.PositiveIntegerField(default=0)
    not_applicable = models.PositiveIntegerField(default=0)
    unanswered = models.PositiveIntegerField(default=0)
    critical_gaps_without_action = models.PositiveIntegerField(default=0)
    critical_gaps_open = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class PrincipleCounts(TallyCounts):
    """The counts of one principle's items."""

    principle = models.ForeignKey(
        Principle, on_delete=models.PROTECT, related_name="+", verbose_name=_("principle")
    )

    class Meta:
        abstract = True


class PrincipleTally(PrincipleCounts):
    """How one checklist's answers split for one principle, kept in step by the workflow.

    Dashboards over thousands of projects sum these rows instead of every answer; scores are
    still computed from the counts by checklists/scoring.py. Rebuilt with
    ``python manage.py refresh_tallies`` if ever in doubt.
    """

    checklist = models.ForeignKey(
        Checklist, on_delete=models.CASCADE, related_name="tallies", verbose_name=_("checklist")
    )

    class Meta:
        verbose_name = _("principle tally")
        verbose_name_plural = _("principle tallies")
        constraints = [
            models.UniqueConstraint(fields=["checklist", "principle"], name="tally_unique")
        ]

    def __str__(self):
        return f"{self.checklist_id}/{self.principle_id}"


class ProjectTally(PrincipleCounts):
    """The sum of a project's reported checklists' tallies for one principle (submitted and
    approved: what the dashboard counts), moved by the workflow in the transaction that
    reports, returns or changes one of them (checklists/tallies.py). The dashboard adds
    four rows a project instead of every checklist's. ``refresh_tallies`` recounts them.
    """

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="+", verbose_name=_("project")
    )

    class Meta:
        verbose_name = _("project tally")
        verbose_name_plural = _("project tallies")
        constraints = [
            models.UniqueConstraint(fields=["project", "principle"], name="project_tally_unique")
        ]

    def __str__(self):
        return f"{self.project_id}/{self.principle_id}"


class MonitoringRoundTally(TallyCounts):
    """A reported monitoring round's answers, every principle added up, with when it was
    submitted: the dashboard's trend groups these by month in the reader's time zone, one
    row a round instead of its checklist's and its tallies. Kept like ProjectTally."""

    checklist = models.OneToOneField(
        Checklist,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("checklist"),
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="+", verbose_name=_("project")
    )
    submitted_at = models.DateTimeField(_("submitted"))

    class Meta:
        verbose_name = _("monitoring round tally")
        verbose_name_plural = _("monitoring round tallies")

    def __str__(self):
        return str(self.checklist_id)
