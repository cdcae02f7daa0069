"""Forms of the checklist pages: answers, action points, reviews, and the project list filter."""

import datetime
from functools import cached_property

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects import permissions
from projects.forms import DateInput, ModelChoiceField
from projects.templatetags.people import display_name

from .models import (
    EVIDENCE_TYPES,
    AccessKind,
    ActionPoint,
    Answer,
    Decision,
    Phase,
    Response,
    evidence_problem,
)
from .workflow import AnswerInput, AnswerValues, response_refusal

EARLIEST_DATE = datetime.date(2000, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)


class Owners:
    """The people who may own an action point of a project, as the forms offer them.

    Read once per page, so a page of 150 items does not run 150 queries, and only when
    needed: an autosave that names no owner never reads them.
    """

    def __init__(self, project):
        self.project = project

    @cached_property
    def users(self) -> dict:
        return {user.pk: user for user in permissions.action_point_owners(self.project)}

    @cached_property
    def names(self) -> dict:
        return {pk: display_name(user) for pk, user in self.users.items()}

    def choices(self) -> list[tuple]:
        return [("", _("Choose a person"))] + list(self.names.items())


def due_date_field() -> forms.DateField:
    return forms.DateField(
        label=_("Due date"),
        required=False,
        widget=DateInput(attrs={"class": "form-control"}),
        validators=[validate_due_date],
    )


def validate_due_date(due: datetime.date) -> None:
    if not (EARLIEST_DATE <= due <= LATEST_DATE):
        raise forms.ValidationError(_("Enter a due date between 2000 and 2100."))


def owner_field() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=_("Owner"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


def text_field(label, *, max_length: int, rows: int = 2, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows, "class": "form-control"}),
        **kwargs,
    )


class AnswerForm(forms.Form):
    """One answer and its action point. The page holds one per item, prefixed by answer id."""

    response = forms.ChoiceField(
        label=_("Response"),
        choices=Response.choices,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    comment = text_field(_("Comment"), max_length=5000)
    not_applicable_reason = text_field(_("Why does this item not apply?"), max_length=2000)
    action_description = text_field(_("Action point: what will be done"), max_length=2000)
    action_owner = owner_field()
    action_due = due_date_field()
    version = forms.IntegerField(min_value=0, max_value=2**31 - 1, widget=forms.HiddenInput)

    def __init__(self, *args, answer: Answer, owners: Owners, **kwargs):
        """``answer`` gives the prefix and, for an unbound form, the initial values; a bound
        form (a save) needs only its id."""
        self.answer = answer
        self.owners = owners
        if not args and "data" not in kwargs:
            kwargs.setdefault("initial", AnswerValues.of(answer).for_page(answer.version))
        super().__init__(*args, prefix=f"a{answer.pk}", **kwargs)
        # Read when a posted owner is checked, not before.
        self.fields["action_owner"].choices = owners.choices

    def clean_response(self):
        response = self.cleaned_data["response"]
        if self.answer.item_id is None:
            return response  # an autosave: save_answer checks it against the item it locks
        refusal = response_refusal(self.answer.item, response)
        if refusal:
            raise forms.ValidationError(refusal)
        return response

    def display_values(self) -> dict[str, str]:
        """Each field's current value as the text to put back in the page's inputs."""
        values = {}
        for name in self.fields:
            value = self[name].value()
            if isinstance(value, datetime.date):
                value = value.isoformat()
            values[name] = "" if value is None else str(value)
        return values

    def to_input(self) -> AnswerInput:
        data = self.cleaned_data
        return AnswerInput(
            response=data["response"],
            comment=data["comment"],
            not_applicable_reason=data["not_applicable_reason"],
            action_description=data["action_description"],
            action_owner=self.owners.users.get(data["action_owner"])
            if data["action_owner"]
            else None,
            action_due=data["action_due"],
        )

    def changes_anything(self) -> bool:
        """Whether the posted values differ from the stored answer (only then save it)."""
        return AnswerValues.of(self.answer) != AnswerValues.wanted(self.to_input())


class ActionPointDoneForm(forms.ModelForm):
    class Meta:
        model = ActionPoint
        fields = ["done_on", "done_note"]
        widgets = {
            "done_on": DateInput(attrs={"class": "form-control"}),
            "done_note": forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        }
        labels = {"done_on": _("Done on"), "done_note": _("What was done")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["done_on"].required = True

    def clean_done_on(self):
        done_on = self.cleaned_data["done_on"]
        if done_on > timezone.localdate() + datetime.timedelta(days=1):
            raise forms.ValidationError(_("The date it was done cannot be in the future."))
        if done_on < EARLIEST_DATE:
            raise forms.ValidationError(_("Enter a date after 2000."))
        return done_on


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=Decision.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Choose a decision.")},
    )
    comment = text_field(
        _("Comment to the team"),
        max_length=5000,
        rows=3,
        help_text=_("Required when you return the checklist: say what needs to change."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == Decision.RETURNED and not cleaned.get("comment", "").strip():
            self.add_error(
                "comment", _("Say what needs to change: a comment is required to return it.")
            )
        return cleaned


class ConditionForm(forms.Form):
    """One condition of an approval; becomes an action point."""

    description = text_field(_("Condition"), max_length=2000)
    owner = owner_field()
    due_date = due_date_field()

    def __init__(self, *args, owners: Owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.owners = owners
        self.fields["owner"].choices = owners.choices()

    def clean(self):
        cleaned = super().clean()
        filled = [cleaned.get(name) for name in ("description", "owner", "due_date")]
        if any(filled) and not all(filled) and not self.errors:
            raise forms.ValidationError(
                _("A condition needs what must be done, an owner and a due date.")
            )
        return cleaned


class ConditionFormSet(forms.BaseFormSet):
    def __init__(self, *args, owners: Owners, **kwargs):
        self.owners = owners
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"owners": self.owners}

    def conditions(self) -> list:
        """The filled conditions, for the workflow."""
        from .workflow import Condition

        return [
            Condition(
                description=form.cleaned_data["description"],
                owner=self.owners.users[form.cleaned_data["owner"]],
                due_date=form.cleaned_data["due_date"],
            )
            for form in self
            if form.cleaned_data.get("description")
        ]


ConditionFormSetFactory = forms.formset_factory(
    ConditionForm, formset=ConditionFormSet, extra=3, max_num=20, validate_max=True
)


class ItemCommentsForm(forms.Form):
    """The focal point's comments on items, one optional field per answer."""

    def __init__(self, *args, answers, **kwargs):
        super().__init__(*args, **kwargs)
        for answer in answers:
            self.fields[f"comment_{answer.pk}"] = text_field(
                _("Your comment on %(code)s") % {"code": answer.item.code}, max_length=5000
            )

    def comments(self) -> dict[int, str]:
        return {
            int(name.removeprefix("comment_")): text
            for name, text in self.cleaned_data.items()
            if text.strip()
        }


class ProjectFilterForm(forms.Form):
    """The filters of the project list on the home page."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    office = ModelChoiceField(label=_("Office"), queryset=None, required=False)
    phase = ModelChoiceField(label=_("Phase"), queryset=Phase.objects.all(), required=False)
    archived = forms.BooleanField(label=_("Show archived projects"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = permissions.visible_offices(user)
        self.fields["office"].empty_label = _("All my offices")
        self.fields["phase"].empty_label = _("All phases")

    def filter(self, projects):
        if not self.is_valid():
            return projects.active()
        data = self.cleaned_data
        if not data["archived"]:
            projects = projects.active()
        if data["q"]:
            projects = projects.filter(
                Q(code__icontains=data["q"])
                | Q(title__icontains=data["q"])
                | Q(donor__icontains=data["q"])
            )
        if data["office"]:
            projects = projects.filter(office=data["office"])
        if data["phase"]:
            projects = projects.filter(current_phase=data["phase"])
        return projects


class EvidenceForm(forms.Form):
    """One evidence file for an answer, or the new version of one of its files."""

    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "PDF, photo (JPEG or PNG), Word, Excel, OpenDocument or plain text; up to %(size)s."
        ),
        error_messages={
            "required": _("Choose a file to upload."),
            "empty": _("This file is empty."),
        },
    )
    # "yes" unless the uploader says otherwise (an upload without the field, from the
    # checklist page's script, holds personal data too).
    contains_personal_data = forms.TypedChoiceField(
        label=_("Does this file contain personal data?"),
        choices=[
            ("yes", _("Yes: it names or shows people, or tells who they are")),
            ("no", _("No")),
        ],
        coerce=lambda value: value != "no",
        empty_value=True,
        initial="yes",
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "A file with personal data opens only for the project's office staff and focal "
            "points; managers see that it exists."
        ),
    )
    replaces = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = self.fields["file"].help_text % {
            "size": filesizeformat(settings.EVIDENCE_MAX_BYTES)
        }
        self.fields["file"].widget.attrs["accept"] = ",".join(EVIDENCE_TYPES)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        problem = evidence_problem(upload)
        if problem:
            raise ValidationError(problem)
        return upload


class AccessLogFilter(forms.Form):
    """The filters of a project's access log page and its CSV."""

    kind = forms.ChoiceField(
        label=_("What was read"), required=False, choices=[("", _("Anything"))] + AccessKind.choices
    )
    person = forms.CharField(label=_("Who (user name or name)"), required=False, max_length=150)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def filter(self, entries):
        if not self.is_valid():
            return entries
        data = self.cleaned_data
        if data["kind"]:
            entries = entries.filter(kind=data["kind"])
        if data["person"]:
            person = data["person"]
            entries = entries.filter(
                Q(user__username__icontains=person)
                | Q(user__first_name__icontains=person)
                | Q(user__last_name__icontains=person)
            )
        if data["since"]:
            entries = entries.filter(created_at__date__gte=data["since"])
        if data["until"]:
            entries = entries.filter(created_at__date__lte=data["until"])
        return entries
