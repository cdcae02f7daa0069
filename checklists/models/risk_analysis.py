"""A project's protection risk analysis: who is at risk of what, from whom, what people
already do about it and what the project will do. Started at design (DES-SAF-01 links to it),
kept up to date through implementation and monitoring.

The risk level of a row is likelihood x impact, read through ``risk_level`` alone: pages,
the PDF and the API all name the level in words; the colour only repeats it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .checklist import ActionPoint

SCALE = range(1, 6)  # likelihood and impact are each 1 to 5
# The item of the design checklist whose answer the risk analysis backs.
RISK_ANALYSIS_ITEM = "DES-SAF-01"


@dataclass(frozen=True)
class RiskLevel:
    code: str  # "low", "medium", "high", "very_high": also the CSS class's suffix
    label: str
    lowest: int  # the lowest product of likelihood and impact at this level


# Likelihood x impact: 1-4 low, 5-9 medium, 10-16 high, 20-25 very high (no product lies
# between 16 and 20). Highest first, so the first level whose floor is reached is the one.
RISK_LEVELS = (
    RiskLevel("very_high", _("Very high"), 20),
    RiskLevel("high", _("High"), 10),
    RiskLevel("medium", _("Medium"), 5),
    RiskLevel("low", _("Low"), 1),
)


def risk_level(likelihood: int, impact: int) -> RiskLevel:
    """The level, in words, of a risk of this likelihood and impact (each 1 to 5)."""
    product = likelihood * impact
    return next(level for level in RISK_LEVELS if product >= level.lowest)


def _scale_field(label, help_text):
    return models.PositiveSmallIntegerField(
        label,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=help_text,
    )


class RiskAnalysis(models.Model):
    """A project's one protection risk analysis; its rows say the risks."""

    project = models.OneToOneField(
        "projects.Project",
        on_delete=models.PROTECT,
        related_name="risk_analysis",
        verbose_name=_("project"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("protection risk analysis")
        verbose_name_plural = _("protection risk analyses")

    def __str__(self):
        return str(self.project)


class RiskRow(models.Model):
    """One risk: an activity, a threat, who is at risk, and what will be done about it."""

    analysis = models.ForeignKey(
        RiskAnalysis, on_delete=models.CASCADE, related_name="rows", verbose_name=_("analysis")
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    activity = models.CharField(
        _("Activity"), max_length=300, help_text=_("The project activity the risk comes with.")
    )
    threat = models.TextField(
        _("Threat"), max_length=2000, help_text=_("What harm could happen, and from whom.")
    )
    at_risk = models.TextField(
        _("Who is at risk"),
        max_length=2000,
        help_text=_("Which people, for example girls aged 10 to 17 walking to the water point."),
    )
    by_age = models.BooleanField(_("Age"), default=False)
    by_gender = models.BooleanField(_("Gender"), default=False)
    by_disability = models.BooleanField(_("Disability"), default=False)
    by_other_diversity = models.BooleanField(_("Other diversity"), default=False)
    vulnerability = models.TextField(
        _("Vulnerability"),
        max_length=2000,
        blank=True,
        help_text=_("What makes these people more exposed to the harm."),
    )
    capacities = models.TextField(
        _("Existing capacities"),
        max_length=2000,
        blank=True,
        help_text=_("What people and the community already do to stay safe."),
    )
    likelihood = _scale_field(_("Likelihood"), _("1 very unlikely, 5 almost certain."))
    impact = _scale_field(_("Impact"), _("1 very small harm, 5 very severe harm."))
    mitigation = models.TextField(
        _("Mitigation"),
        max_length=2000,
        blank=True,
        help_text=_("What the project will do to make the risk smaller."),
    )
    owner = models.ForeignKey(
        "auth.User",
        on_delete=models.PROTECT,
        related_name="risk_rows",
        verbose_name=_("Owner"),
        null=True,
        blank=True,
    )
    review_date = models.DateField(_("Review date"), null=True, blank=True)
    action_point = models.OneToOneField(
        ActionPoint,
        on_delete=models.SET_NULL,
        related_name="risk_row",
        verbose_name=_("action point"),
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=5), name="risk_likelihood_1_to_5"
            ),
            models.CheckConstraint(
                condition=Q(impact__gte=1, impact__lte=5), name="risk_impact_1_to_5"
            ),
        ]

    def __str__(self):
        return self.activity[:80]

    @property
    def level(self) -> RiskLevel:
        return risk_level(self.likelihood, self.impact)

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    def groups(self) -> list[str]:
        """The dimensions of diversity the row names, as words."""
        return [
            str(self._meta.get_field(name).verbose_name)
            for name in ("by_age", "by_gender", "by_disability", "by_other_diversity")
            if getattr(self, name)
        ]


def risk_matrix(rows) -> list[dict]:
    """The 5x5 heat map: impact 5 down to 1 as rows, likelihood 1 to 5 as columns, each cell
    with its count of rows and its level in words."""
    counts: dict[tuple[int, int], int] = {}
    for row in rows:
        counts[(row.likelihood, row.impact)] = counts.get((row.likelihood, row.impact), 0) + 1
    return [
        {
            "impact": impact,
            "cells": [
                {
                    "likelihood": likelihood,
                    "count": counts.get((likelihood, impact), 0),
                    "level": risk_level(likelihood, impact),
                }
                for likelihood in SCALE
            ],
        }
        for impact in reversed(SCALE)
    ]
