"""The form of a row of a project's protection risk analysis."""

from django import forms
from django.utils.translation import gettext_lazy as _

from projects import permissions
from projects.forms import DateInput, ModelChoiceField
from projects.templatetags.people import display_name

from .forms import validate_due_date
from .models import RiskRow
from .workflow import RISK_FIELDS

LIKELIHOOD_CHOICES = [
    ("", _("Choose 1 to 5")),
    (1, _("1 – Very unlikely")),
    (2, _("2 – Unlikely")),
    (3, _("3 – Possible")),
    (4, _("4 – Likely")),
    (5, _("5 – Almost certain")),
]
IMPACT_CHOICES = [
    ("", _("Choose 1 to 5")),
    (1, _("1 – Very small harm")),
    (2, _("2 – Small harm")),
    (3, _("3 – Serious harm")),
    (4, _("4 – Severe harm")),
    (5, _("5 – Very severe harm")),
]


class OwnerField(ModelChoiceField):
    def label_from_instance(self, obj):
        return display_name(obj)


def _scale(label, choices, help_text):
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=int,
        help_text=help_text,
        error_messages={"required": _("Choose a number from 1 to 5.")},
    )


class RiskRowForm(forms.ModelForm):
    """One risk. The owner is a member of the project's office, as for action points."""

    likelihood = _scale(_("Likelihood"), LIKELIHOOD_CHOICES, _("How likely is the harm to happen?"))
    impact = _scale(_("Impact"), IMPACT_CHOICES, _("How bad would the harm be?"))

    class Meta:
        model = RiskRow
        fields = RISK_FIELDS
        widgets = {
            "threat": forms.Textarea(attrs={"rows": 2}),
            "at_risk": forms.Textarea(attrs={"rows": 2}),
            "vulnerability": forms.Textarea(attrs={"rows": 2}),
            "capacities": forms.Textarea(attrs={"rows": 2}),
            "mitigation": forms.Textarea(attrs={"rows": 2}),
            "review_date": DateInput(),
        }
        error_messages = {
            "activity": {"required": _("Say which activity the risk comes with.")},
            "threat": {"required": _("Say what harm could happen, and from whom.")},
            "at_risk": {"required": _("Say who is at risk.")},
        }

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"] = OwnerField(
            queryset=permissions.action_point_owners(project),
            required=False,
            label=_("Owner"),
            empty_label=_("Choose a person"),
            help_text=_("A member of the project's office who follows this risk up."),
        )
        self.fields["review_date"].validators.append(validate_due_date)
        self.fields["review_date"].help_text = _("When the risk will be looked at again.")

    def values(self) -> dict:
        """The row's values, for the workflow."""
        return {name: self.cleaned_data[name] for name in RISK_FIELDS}
