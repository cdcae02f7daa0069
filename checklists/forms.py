import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from projects.forms import DateInput

from .models import ActionPoint, Answer, Decision, Response
from .workflow import AnswerInput, answer_snapshot, input_snapshot

EARLIEST_DUE = datetime.date(2000, 1, 1)
LATEST_DUE = datetime.date(2100, 12, 31)


class AnswerForm(forms.Form):
    """One answer and its action point. The page holds one per item, prefixed by answer id.

    Owner choices are computed once per page and passed in, so a page of 150 items does not
    run 150 queries.
    """

    response = forms.ChoiceField(
        label=_("Response"),
        choices=Response.choices,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    not_applicable_reason = forms.CharField(
        label=_("Why does this item not apply?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    action_description = forms.CharField(
        label=_("Action point: what will be done"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    action_owner = forms.TypedChoiceField(
        label=_("Owner"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    action_due = forms.DateField(
        label=_("Due date"), required=False, widget=DateInput(attrs={"class": "form-control"})
    )
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, answer: Answer, owners: dict, **kwargs):
        self.answer = answer
        self.owners = owners
        action = getattr(answer, "action_point", None)
        current = action if action is not None and action.withdrawn_on is None else None
        kwargs.setdefault(
            "initial",
            {
                "response": answer.response,
                "comment": answer.comment,
                "not_applicable_reason": answer.not_applicable_reason,
                "action_description": current.description if current else "",
                "action_owner": current.owner_id if current else None,
                "action_due": current.due_date if current else None,
                "version": answer.version,
            },
        )
        super().__init__(*args, prefix=f"a{answer.pk}", **kwargs)
        self.fields["action_owner"].choices = [("", _("Choose a person"))] + [
            (user_id, name) for user_id, name in owners.items()
        ]

    def display_values(self) -> dict[str, str]:
        """Each field's current value as the text to put back in the page's inputs."""
        values = {}
        for name in self.fields:
            value = self[name].value()
            if isinstance(value, datetime.date):
                value = value.isoformat()
            values[name] = "" if value is None else str(value)
        return values

    def clean_action_due(self):
        due = self.cleaned_data["action_due"]
        if due and not (EARLIEST_DUE <= due <= LATEST_DUE):
            raise forms.ValidationError(_("Enter a due date between 2000 and 2100."))
        return due

    def to_input(self, owner_objects: dict) -> AnswerInput:
        data = self.cleaned_data
        return AnswerInput(
            response=data["response"],
            comment=data["comment"],
            not_applicable_reason=data["not_applicable_reason"],
            action_description=data["action_description"],
            action_owner=owner_objects.get(data["action_owner"]),
            action_due=data["action_due"],
        )

    def changes_anything(self, owner_objects: dict) -> bool:
        """Whether the posted values differ from the stored answer (only then save it)."""
        stored = answer_snapshot(self.answer, getattr(self.answer, "action_point", None))
        return stored != input_snapshot(self.to_input(owner_objects))


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
        if done_on > datetime.date.today() + datetime.timedelta(days=1):
            raise forms.ValidationError(_("The date it was done cannot be in the future."))
        if done_on < EARLIEST_DUE:
            raise forms.ValidationError(_("Enter a date after 2000."))
        return done_on


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=Decision.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Choose a decision.")},
    )
    comment = forms.CharField(
        label=_("Comment to the team"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
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

    description = forms.CharField(
        label=_("Condition"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    owner = forms.TypedChoiceField(
        label=_("Owner"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=DateInput(attrs={"class": "form-control"})
    )

    def __init__(self, *args, owners: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", _("Choose a person"))] + list(owners.items())

    def clean(self):
        cleaned = super().clean()
        filled = [cleaned.get(name) for name in ("description", "owner", "due_date")]
        if any(filled) and not all(filled):
            raise forms.ValidationError(
                _("A condition needs what must be done, an owner and a due date.")
            )
        due = cleaned.get("due_date")
        if due and not (EARLIEST_DUE <= due <= LATEST_DUE):
            self.add_error("due_date", _("Enter a due date between 2000 and 2100."))
        return cleaned

    @property
    def is_filled(self) -> bool:
        return bool(self.is_valid() and self.cleaned_data.get("description"))


class ConditionFormSet(forms.BaseFormSet):
    def __init__(self, *args, owners: dict, **kwargs):
        self.owners = owners
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"owners": self.owners}


ConditionFormSetFactory = forms.formset_factory(
    ConditionForm, formset=ConditionFormSet, extra=3, max_num=20, validate_max=True
)


class ItemCommentsForm(forms.Form):
    """The focal point's comments on items, one optional field per answer."""

    def __init__(self, *args, answers, **kwargs):
        super().__init__(*args, **kwargs)
        for answer in answers:
            self.fields[f"comment_{answer.pk}"] = forms.CharField(
                label=_("Your comment on %(code)s") % {"code": answer.item.code},
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
            )

    def comments(self) -> dict[int, str]:
        return {
            int(name.removeprefix("comment_")): text
            for name, text in self.cleaned_data.items()
            if text.strip()
        }
