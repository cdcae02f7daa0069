"""Answers counted ahead for dashboards: per checklist, and per project over what it reported."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from projects.models import Project

from .checklist import Checklist
from .framework import Principle


class TallyCounts(models.Model):
    """How answers split for one principle (the fields of scoring.Counts)."""

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
        abstract = True


class PrincipleTally(TallyCounts):
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


class ProjectTally(TallyCounts):
    """The sum of a project's reported checklists' tallies for one principle (submitted and
    approved: what the dashboard counts), moved by the workflow in the transaction that
    reports, returns or changes one of them. The dashboard adds four rows a project instead
    of every checklist's. Rebuilt with the checklists' tallies by ``refresh_tallies``.
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
