"""Acting focal points: a focal point names someone to decide for them for some days."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from projects import acting_permissions, permissions

from ..workflow import WorkflowError
from ..workflow.acting import end_acting, name_acting


class ActingForm(forms.Form):
    office = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Office"))
    acting = forms.ModelChoiceField(
        queryset=None,
        label=gettext_lazy("Acting focal point"),
        help_text=gettext_lazy("A member of the office who decides for you on those days."),
    )
    starts_on = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=gettext_lazy("Until (included)"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = acting_permissions.acting_offices(user)
        self.fields["acting"].queryset = acting_permissions.acting_candidates(user)
        self.fields["acting"].label_from_instance = lambda u: u.get_full_name() or u.username


def acting_list(request):
    """The acting focal points of the user's offices, and a form to name one."""
    permissions.require(acting_permissions.may_name_acting(request.user))
    form = ActingForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                name_acting(focal_point=request.user, by=request.user, **form.cleaned_data)
            except WorkflowError as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(request, _("The acting focal point is named."))
                return redirect("checklists:acting")
        status = 400
    context = {
        "form": form,
        "assignments": acting_permissions.acting_assignments_for(request.user),
        "today": timezone.localdate(),
    }
    return render(request, "checklists/acting.html", context, status=status)


@require_POST
def acting_end(request, pk):
    assignment = acting_permissions.get_acting_assignment_to_end(request.user, pk)
    end_acting(assignment=assignment)
    messages.success(request, _("The acting focal point no longer decides for you."))
    return redirect("checklists:acting")
