"""The portfolio dashboard and report: figures by database aggregation, rated by scoring."""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import (
    Case,
    Count,
    DateField,
    DateTimeField,
    Exists,
    OuterRef,
    Q,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.forms import DateInput, ModelChoiceField
from projects.models import Office, PopulationFigure, Project, Region, Sector

from .. import scoring
from ..models import (
    REPORTED_STATUSES,
    ActionPoint,
    Answer,
    Checklist,
    ChecklistStatus,
    MonitoringRoundTally,
    Phase,
    PhaseCode,
    Principle,
    PrincipleTally,
    ProjectTally,
    Review,
)
from .charts import bar_chart

LIST_LIMIT = 50


class PortfolioFilterForm(forms.Form):
    office = ModelChoiceField(label=gettext_lazy("Office"), queryset=None, required=False)
    region = ModelChoiceField(label=gettext_lazy("Region"), queryset=None, required=False)
    sector = ModelChoiceField(
        label=gettext_lazy("Sector"), queryset=Sector.objects.all(), required=False
    )
    phase = ModelChoiceField(
        label=gettext_lazy("Current phase"), queryset=Phase.objects.all(), required=False
    )
    endorsement = forms.ChoiceField(
        label=gettext_lazy("Endorsement"),
        required=False,
        choices=[
            ("", gettext_lazy("All")),
            ("endorsed", gettext_lazy("Endorsed")),
            ("not_endorsed", gettext_lazy("Not endorsed")),
        ],
    )
    donor = forms.ChoiceField(label=gettext_lazy("Donor"), required=False)
    active_from = forms.DateField(
        label=gettext_lazy("Running on or after"), required=False, widget=DateInput
    )
    active_until = forms.DateField(
        label=gettext_lazy("Running on or before"), required=False, widget=DateInput
    )

    # Each filter and the project field it narrows.
    LOOKUPS = {
        "office": "office",
        "region": "office__region",
        "sector": "sectors",
        "phase": "current_phase",
        "donor": "donor",
        "active_from": "end_date__gte",
        "active_until": "start_date__lte",
    }

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        offices = offices_with_projects(projects)
        self.fields["office"].queryset = offices
        self.fields["region"].queryset = Region.objects.filter(
            Exists(offices.filter(region=OuterRef("pk")))
        )
        # No ordering in the query: ordered by date, "distinct" would repeat each donor.
        donors = projects.exclude(donor="").order_by().values_list("donor", flat=True)
        self.fields["donor"].choices = [("", _("All"))] + [
            (d, d) for d in sorted(donors.distinct())
        ]
        for name in ("office", "region", "sector", "phase"):
            self.fields[name].empty_label = _("All")
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("active_from"), cleaned.get("active_until")
        if start and end and end < start:
            self.add_error("active_until", _("The end of the period cannot be before its start."))
        return cleaned

    def filter(self, projects):
        if not self.is_valid():
            return projects.filter(archived=False)
        data = self.cleaned_data
        if not data.get("archived"):  # only the API's filters may ask for archived projects
            projects = projects.filter(archived=False)
        for name, lookup in self.LOOKUPS.items():
            if data[name]:
                projects = projects.filter(**{lookup: data[name]})
        if data["endorsement"]:
            endorsed = is_endorsed()
            projects = projects.filter(endorsed if data["endorsement"] == "endorsed" else ~endorsed)
        # Only the sector filter (many to many) can repeat a project; DISTINCT elsewhere only
        # makes every query built on the projects slower.
        return projects.distinct() if data["sector"] else projects


def offices_with_projects(projects):
    """The offices with a project among these: each office asked whether it has one (no
    sort of every project). Regions are asked the same of these offices."""
    return Office.objects.filter(Exists(projects.filter(office=OuterRef("pk"))))


def is_endorsed() -> Exists:
    """Whether a project (the outer query's row) has its protection endorsement."""
    return Exists(Review.objects.endorsements().filter(checklist__project=OuterRef("pk")))


def reported_tallies(projects):
    """Per-principle tallies of the reported checklists: what the figures are summed from."""
    return PrincipleTally.objects.filter(
        checklist__project__in=projects.values("pk"), checklist__status__in=REPORTED_STATUSES
    )


def project_tallies(projects):
    """The same summed per project (four rows a project instead of every checklist's)."""
    return ProjectTally.objects.filter(project__in=projects.order_by().values("pk"))


def project_rows(projects, *, principles, today, limit=None, offset=0) -> list[dict]:
    """One row per project with its ratings per principle and overdue action points."""
    ordered = projects.order_by("office__name", "code")
    if limit is not None:
        # A page of the dashboard: its projects first, so that what each row adds (the
        # endorsement, the overdue count) is read for those only, never for the portfolio.
        ids = list(ordered.values_list("pk", flat=True)[offset : offset + limit])
        ordered = Project.objects.filter(pk__in=ids).order_by("office__name", "code")
    rows_list = list(
        ordered.select_related("office__region", "current_phase").annotate(
            endorsed=is_endorsed(),
            # A subquery per listed row, so a page of 50 never counts every project's points.
            overdue=Coalesce(
                Subquery(
                    ActionPoint.objects.overdue(today)
                    .filter(project=OuterRef("pk"))
                    .order_by()
                    .values("project")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            ),
        )
    )
    counts = scoring.count_tallies(project_tallies(ordered), "project_id", "principle_id")
    by_principle = {key: scoring.rate(c) for key, c in counts.items()}
    overall = {(pk,): scoring.rate(c) for pk, c in _totals(counts).items()}
    return [
        {
            "project": project,
            "scores": [by_principle.get((project.pk, p.pk)) for p in principles],
            "overall": overall.get((project.pk,)),
        }
        for project in rows_list
    ]


def monitoring_month(implementation: Phase | None) -> TruncMonth:
    """The month a checklist was submitted if it is a monitoring round, in the user's time
    zone, as a date (as the trend's months are); NULL for any other checklist."""
    submitted = When(phase=implementation, submitted_at__isnull=False, then="submitted_at")
    return TruncMonth(
        Case(submitted, default=None, output_field=DateTimeField()), output_field=DateField()
    )


def _heat_map(projects, principles) -> tuple[list[dict], int]:
    """Each office's rating per principle, and the critical gaps not closed in all of them."""
    tallies = project_tallies(projects)
    office_counts = scoring.count_tallies(tallies, "project__office_id", "principle_id")
    office_principle = {key: scoring.rate(c) for key, c in office_counts.items()}
    office_overall = {(pk,): scoring.rate(c) for pk, c in _totals(office_counts).items()}
    heat_map = [
        {
            "office": office,
            "scores": [office_principle.get((office.pk, p.pk)) for p in principles],
            "overall": office_overall.get((office.pk,)),
        }
        for office in offices_with_projects(projects).order_by("name")
    ]
    return heat_map, sum(c.critical_gaps for c in office_counts.values())


def _open_critical_gaps(projects, limit: int) -> list:
    """The first ``limit`` critical gaps not closed, by project code and item code.

    Only checklists whose tallies show a gap are searched, and of those only the checklists
    of the first ``limit`` projects (by code) with a gap: the first ``limit`` rows can come
    from no other project, and a region of thousands of projects is not sorted whole.
    """
    has_gap = Q(critical_gaps_without_action__gt=0) | Q(critical_gaps_open__gt=0)
    gap_tallies = reported_tallies(projects).filter(has_gap)
    # Projects in code order, each asked whether it has a gap, until enough are found.
    project_gaps = ProjectTally.objects.filter(has_gap, project=OuterRef("pk"))
    first_projects = list(
        projects.filter(Exists(project_gaps)).order_by("code").values_list("pk", "code")[:limit]
    )
    # Read as a short list of ids: as a subquery, the planner scans every "no" answer first.
    gap_checklists = list(
        gap_tallies.filter(
            checklist__project_id__in=[pk for pk, _code in first_projects]
        ).values_list("checklist_id", flat=True)
    )
    return list(
        Answer.objects.filter(checklist_id__in=gap_checklists)
        .open_critical_gaps()
        .select_related("item", "checklist__project", "checklist__phase", "action_point__owner")
        .order_by("checklist__project__code", "item__code")[:limit]
    )


def _checklist_counts(project_ids, implementation) -> tuple[dict, dict]:
    """The checklists by status, and the monitoring rounds submitted each month: one query."""
    by_status: dict = {}
    rounds: dict = {}
    rows = (
        Checklist.objects.filter(project__in=project_ids)
        .annotate(month=monitoring_month(implementation))
        .order_by()
        .values_list("status", "month")
        .annotate(n=Count("pk"))
    )
    for status, month, n in rows:
        by_status[status] = by_status.get(status, 0) + n
        if month is not None:
            rounds[month] = rounds.get(month, 0) + n
    return by_status, rounds


def _trend(projects, month_rounds) -> list[dict]:
    """Monitoring rounds submitted each month, with their combined score: each reported
    round's stored counts, grouped by the month it was submitted in the user's time zone."""
    rounds = MonitoringRoundTally.objects.filter(
        project__in=projects.order_by().values("pk")
    ).annotate(month=TruncMonth("submitted_at", output_field=DateField()))
    month_scores = scoring.rate_tallies(rounds, "month")
    return [
        {"month": month, "rounds": month_rounds[month], "score": month_scores.get((month,))}
        for month in sorted(month_rounds)
    ]


def _trend_chart(trend):
    if not trend:
        return None
    return bar_chart(
        [
            (formats_month(row["month"]), [row["score"].percent if row["score"] else None])
            for row in trend
        ],
        [_("Score of the monitoring rounds submitted that month")],
        title=_("Monitoring rounds: score by month"),
        description=_("One bar per month; the table below gives the number of rounds and scores."),
    )


def build_portfolio(projects, *, language: str, today: datetime.date | None = None) -> dict:
    """Everything the dashboard and the portfolio report show, for these projects."""
    with translation.override(language):
        today = today or timezone.localdate()
        principles = list(Principle.objects.all())
        project_ids = projects.values("pk")
        by_phase = dict(
            projects.order_by().values_list("current_phase").annotate(n=Count("pk", distinct=True))
        )
        phases = list(Phase.objects.all())
        implementation = next((p for p in phases if p.code == PhaseCode.IMPLEMENTATION), None)
        statuses, month_rounds = _checklist_counts(project_ids, implementation)
        heat_map, critical_count = _heat_map(projects, principles)
        overdue = ActionPoint.objects.overdue(today).filter(project__in=project_ids)
        trend = _trend(projects, month_rounds)
        return {
            "language": language,
            "today": today,
            "principles": principles,
            "project_count": projects.count(),
            "endorsed_count": projects.filter(is_endorsed()).count(),
            "by_phase": [(phase, by_phase.get(phase.pk, 0)) for phase in phases],
            "by_status": [
                (label, statuses.get(value, 0)) for value, label in ChecklistStatus.choices
            ],
            "heat_map": heat_map,
            "critical_count": critical_count,
            "critical_gaps": _open_critical_gaps(projects, LIST_LIMIT),
            "overdue_count": overdue.count(),
            "overdue": list(
                overdue.select_related("project", "owner", "answer__item").order_by("due_date")[
                    :LIST_LIMIT
                ]
            ),
            "trend": trend,
            "trend_chart": _trend_chart(trend),
            "population": PopulationFigure.objects.filter(project__in=project_ids).aggregate(
                total=Sum("people"), disabled=Sum("people", filter=Q(with_disability=True))
            ),
            "list_limit": LIST_LIMIT,
        }


def _add(table: dict, key, counts: scoring.Counts) -> None:
    table[key] = table[key] + counts if key in table else counts


def _totals(counts: dict[tuple, scoring.Counts]) -> dict:
    """Counts per first key (office or project), all principles added up."""
    totals: dict = {}
    for (first, _principle), c in counts.items():
        _add(totals, first, c)
    return totals


def formats_month(value) -> str:
    return date_format(value, "YEAR_MONTH_FORMAT")


def portfolio_report_pdf(projects, *, language: str, generated_by) -> bytes:
    from .pdf import css_string, render_pdf

    portfolio = build_portfolio(projects, language=language)
    with translation.override(language):
        rows = project_rows(projects, principles=portfolio["principles"], today=portfolio["today"])
        now = timezone.now()
        header = {
            "header_left": css_string(_("Portfolio protection mainstreaming report")),
            "header_right": css_string(
                _("%(count)s projects") % {"count": portfolio["project_count"]}
            ),
            "footer_left": css_string(
                _("Generated on %(date)s")
                % {"date": date_format(timezone.localtime(now), "DATETIME_FORMAT")}
            ),
        }
    return render_pdf(
        "reports/portfolio.html",
        {**portfolio, **header, "rows": rows, "generated_at": now, "generated_by": generated_by},
        language=language,
    )
