"""The read API's filters: the dashboard's (office, region, sector, current phase,
endorsement, donor, period), by code rather than by id, and a few per list.

Each is a Django form, so a bad value is refused with the same translated messages as on
the pages (the API answers 400 with them), and the project filters are the dashboard's own
code (PortfolioFilterForm.filter)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.models import Office, Region, Sector

from ..models import ChecklistStatus, Decision, Phase, Response
from ..reports.portfolio import PortfolioFilterForm


def by_code(label, queryset, unknown) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=label,
        queryset=queryset,
        to_field_name="code",
        error_messages={"invalid_choice": unknown},
    )


PHASE_UNKNOWN = _("No phase has this code. Use design, endorsement, implementation or evaluation.")


def yes_or_no(label) -> forms.TypedChoiceField:
    """true or false; anything else is refused rather than read as "no filter"."""
    return forms.TypedChoiceField(
        label=label,
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
        empty_value=None,
    )


class ProjectFilter(PortfolioFilterForm):
    office = by_code(_("Office"), None, _("None of your offices has this code."))
    region = by_code(_("Region"), None, _("None of your offices is in a region with this code."))
    sector = by_code(_("Sector"), Sector.objects.all(), _("No sector has this code."))
    phase = by_code(_("Current phase"), Phase.objects.all(), PHASE_UNKNOWN)
    donor = forms.CharField(label=_("Donor"), max_length=120)
    archived = yes_or_no(_("Include archived projects"))
    project = forms.IntegerField(label=_("Project"), min_value=1, max_value=2**31 - 1)

    def __init__(self, data, *, projects):
        # Not the dashboard form's __init__: it reads every donor to offer them in a list.
        forms.Form.__init__(self, data)
        self.projects_in_scope = projects
        offices = Office.objects.filter(projects__in=projects).distinct()
        self.fields["office"].queryset = offices
        self.fields["region"].queryset = Region.objects.filter(offices__in=offices).distinct()
        for field in self.fields.values():
            field.required = False

    def filter(self, projects):
        projects = super().filter(projects)
        if self.cleaned_data.get("project"):
            projects = projects.filter(pk=self.cleaned_data["project"])
        return projects


class ChecklistFilter(ProjectFilter):
    checklist = forms.IntegerField(label=_("Checklist"), min_value=1, max_value=2**31 - 1)
    checklist_phase = by_code(_("Phase"), Phase.objects.all(), PHASE_UNKNOWN)
    status = forms.ChoiceField(label=_("Status"), choices=ChecklistStatus.choices)

    # Each filter and the field it narrows, from the checklist.
    CHILD_LOOKUPS = {"checklist": "pk", "checklist_phase": "phase", "status": "status"}
    # Where the checklist is, from the listed model.
    checklist_path = ""

    def narrow(self, queryset):
        """The listed rows whose project passes the project filters and whose own fields
        pass the rest (``checklist_path`` leads from the listed model to its checklist)."""
        projects = self.filter(self.projects_in_scope)
        path = self.checklist_path
        queryset = queryset.filter(**{f"{path}project__in": projects.values("pk")})
        for name, lookup in self.CHILD_LOOKUPS.items():
            value = self.cleaned_data.get(name)
            if value not in (None, ""):
                queryset = queryset.filter(**{f"{path}{lookup}": value})
        return queryset


class AnswerFilter(ChecklistFilter):
    response = forms.ChoiceField(
        label=_("Response"), choices=[("unanswered", _("Not answered")), *Response.choices]
    )
    critical = yes_or_no(_("Critical items (true) or the others (false)"))

    CHILD_LOOKUPS = {"checklist": "pk", "checklist_phase": "phase"}
    checklist_path = "checklist__"

    def narrow(self, queryset):
        queryset = super().narrow(queryset)
        response = self.cleaned_data.get("response")
        if response:
            queryset = queryset.filter(response="" if response == "unanswered" else response)
        if self.cleaned_data.get("critical") is not None:
            queryset = queryset.filter(item__critical=self.cleaned_data["critical"])
        return queryset


class ActionPointFilter(ProjectFilter):
    state = forms.ChoiceField(
        label=_("State"),
        choices=[
            ("open", _("Open")),
            ("overdue", _("Overdue")),
            ("done", _("Done")),
            ("withdrawn", _("Withdrawn")),
        ],
    )

    def narrow(self, queryset, *, today):
        queryset = queryset.filter(project__in=self.filter(self.projects_in_scope).values("pk"))
        state = self.cleaned_data.get("state")
        if state == "open":
            queryset = queryset.open()
        elif state == "overdue":
            queryset = queryset.overdue(today)
        elif state == "done":
            queryset = queryset.current().filter(done_on__isnull=False)
        elif state == "withdrawn":
            queryset = queryset.filter(withdrawn_on__isnull=False)
        return queryset


class ReviewFilter(ChecklistFilter):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices)

    CHILD_LOOKUPS = {"checklist": "pk", "checklist_phase": "phase"}
    checklist_path = "checklist__"

    def narrow(self, queryset):
        queryset = super().narrow(queryset)
        if self.cleaned_data.get("decision"):
            queryset = queryset.filter(decision=self.cleaned_data["decision"])
        return queryset
