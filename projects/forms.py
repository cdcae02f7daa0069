from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import permissions
from .models import AgeGroup, PopulationFigure, Profile, Project, Role, Sector, Sex

MAX_ID = 2**63 - 1


def _is_id(value) -> bool:
    try:
        return 0 < int(str(value)) <= MAX_ID
    except ValueError:
        return False


class ModelChoiceField(forms.ModelChoiceField):
    """Refuses values that cannot be an id before they reach the database."""

    def to_python(self, value):
        if value not in self.empty_values and not _is_id(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            if not _is_id(pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


def population_field_name(sex: str, age_group: str, with_disability: bool) -> str:
    age = age_group.replace("-", "_").replace("+", "_plus")
    return f"population_{sex}_{age}_{'with' if with_disability else 'without'}_disability"


def population_cells():
    """Every sex x age group x disability cell of the SADDD table, in display order."""
    for age_value, age_label in AgeGroup.choices:
        for sex_value, sex_label in Sex.choices:
            for with_disability in (True, False):
                yield sex_value, sex_label, age_value, age_label, with_disability


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        # The browser's date picker posts ISO dates whatever the page's language.
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ProjectForm(forms.ModelForm):
    """A project and its target population, disaggregated by sex, age and disability."""

    class Meta:
        model = Project
        fields = [
            "code",
            "title",
            "office",
            "sectors",
            "donor",
            "start_date",
            "end_date",
            "description",
        ]
        field_classes = {
            "office": ModelChoiceField,
            "sectors": ModelMultipleChoiceField,
        }
        widgets = {
            "sectors": forms.CheckboxSelectMultiple,
            "start_date": DateInput,
            "end_date": DateInput,
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Staff may only put a project in an office where they are programme staff.
        offices = permissions.offices_with_role(user, Role.STAFF)
        self.fields["office"].queryset = offices
        if len(offices) == 1:
            # Most staff work for one office: no need to choose it.
            self.fields["office"].empty_label = None
        self.fields["sectors"].queryset = Sector.objects.all()
        self.fields["sectors"].error_messages["required"] = _("Choose at least one sector.")
        figures = {}
        if self.instance.pk:
            figures = {
                (f.sex, f.age_group, f.with_disability): f.people
                for f in self.instance.population_figures.all()
            }
        for sex, sex_label, age, age_label, with_disability in population_cells():
            name = population_field_name(sex, age, with_disability)
            disability_label = _("with disability") if with_disability else _("without disability")
            self.fields[name] = forms.IntegerField(
                label=f"{sex_label}, {age_label}, {disability_label}",
                min_value=0,
                max_value=100_000_000,
                required=False,
                initial=figures.get((sex, age, with_disability), 0),
                widget=forms.NumberInput(attrs={"min": 0, "class": "form-control"}),
            )

    def population_rows(self):
        """Bound fields arranged as the table on the form: one row per age group."""
        rows = []
        for age_value, age_label in AgeGroup.choices:
            cells = [
                self[population_field_name(sex, age_value, with_disability)]
                for sex, _label in Sex.choices
                for with_disability in (True, False)
            ]
            rows.append((age_label, cells))
        return rows

    @transaction.atomic
    def save(self, commit=True):
        """Save what the form shows and nothing else: the project's phase moves only through
        the workflow, and an approval saved meanwhile must not be undone by this form."""
        project = super().save(commit=False)
        if not commit:
            return project
        if project._state.adding:
            project.save()
        else:
            columns = [f for f in self._meta.fields if not Project._meta.get_field(f).many_to_many]
            project.save(update_fields=[*columns, "updated_at"])
        self._save_m2m()
        self.save_population(project)
        return project

    def save_population(self, project: Project) -> None:
        figures = [
            PopulationFigure(
                project=project,
                sex=sex,
                age_group=age,
                with_disability=with_disability,
                people=self.cleaned_data.get(population_field_name(sex, age, with_disability)) or 0,
            )
            for sex, _sl, age, _al, with_disability in population_cells()
        ]
        PopulationFigure.objects.bulk_create(
            figures,
            update_conflicts=True,
            unique_fields=["project", "sex", "age_group", "with_disability"],
            update_fields=["people"],
        )


class LoginForm(AuthenticationForm):
    """Django's login form, with the username's length enforced before the lockout table
    (whose column holds 255 characters) or the database ever sees it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].validators.append(
            MaxLengthValidator(self.fields["username"].max_length)
        )
        self.fields["password"].validators.append(MaxLengthValidator(1024))


class SettingsForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["language", "time_zone", "digest"]
        widgets = {
            "language": forms.Select(attrs={"class": "form-select"}),
            "digest": forms.RadioSelect,
            "time_zone": forms.TextInput(attrs={"class": "form-control", "list": "time-zones"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A form that leaves the summary e-mail out (an older page, a script) keeps the choice.
        self.fields["digest"].required = False

    def clean_digest(self):
        return self.cleaned_data["digest"] or self.instance.digest


class AccessTokenForm(forms.Form):
    """A new personal access token: what it is for, how long it stays valid, and the
    owner's password, typed again (for a person who signs in with a password)."""

    name = forms.CharField(
        label=_("What the token is for"),
        max_length=100,
        help_text=_("For example “Power BI, monthly dashboard”. Only you see it."),
        error_messages={"required": _("Say what the token is for.")},
    )
    lifetime_days = forms.TypedChoiceField(label=_("Valid for"), coerce=int)
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        max_length=1024,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Typed again, so that nobody else at this computer can make a token."),
        error_messages={"required": _("Type your password to create a token.")},
    )

    def __init__(self, *args, request, ask_password: bool, **kwargs):
        from .access_tokens import DEFAULT_LIFETIME, lifetimes

        super().__init__(*args, **kwargs)
        self.request = request
        choices = lifetimes()
        self.fields["lifetime_days"].choices = [
            (days, ngettext("%(days)s day", "%(days)s days", days) % {"days": days})
            for days in choices
        ]
        self.fields["lifetime_days"].initial = (
            DEFAULT_LIFETIME if DEFAULT_LIFETIME in choices else choices[0]
        )
        if not ask_password:
            del self.fields["password"]

    def clean_password(self):
        password = self.cleaned_data["password"]
        user = self.request.user
        # Through the login's own checks: wrong passwords here count towards the lockout.
        if authenticate(self.request, username=user.get_username(), password=password) != user:
            raise ValidationError(_("This is not your password."), code="wrong_password")
        return password


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
        help_text=_(
            "The 6 digits your authenticator app shows now, or one of your recovery codes."
        ),
        error_messages={"required": _("Type the code.")},
    )


class AppCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=16,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=_("The 6 digits the app shows for this account."),
        error_messages={"required": _("Type the code the app shows.")},
    )
