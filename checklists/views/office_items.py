"""An office's own checklist items: its focal points draft and publish them, a framework
editor agrees to a critical one. Every page asks projects/permissions.py (another office:
404); the rules are in checklists/workflow/office_items.py."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects import permissions
from projects.models import Office, Role, Sector

from .. import workflow
from ..framework_rules import LANGUAGES, in_language
from ..models import Framework, FrameworkStatus, Item
from ..workflow.office_items import code_prefix, prefix_message

TEXT_FIELDS = [f"{text}_{lang}" for lang in LANGUAGES for text in ("question", "guidance")]


class OfficeItemForm(forms.ModelForm):
    """An office item of a draft: English required, other languages when written. Not
    critical: the focal point may only ask (a framework editor agrees)."""

    class Meta:
        model = Item
        fields = ["code", "phase", "principle", "order", "sectors", *TEXT_FIELDS]
        fields += ["critical_requested"]
        widgets = {"sectors": forms.CheckboxSelectMultiple}

    def __init__(self, *args, framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.framework = framework
        self.fields["sectors"].queryset = Sector.objects.all()
        self.fields["code"].help_text = _("Starts with %(prefix)s, for example %(prefix)s01.") % {
            "prefix": code_prefix(framework.office)
        }
        for name in ("question_en", "guidance_en"):
            self.fields[name].required = True

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        prefix = code_prefix(self.instance.framework.office)
        if not code.startswith(prefix) or code == prefix:
            raise forms.ValidationError(prefix_message(code, prefix))
        framework = self.instance.framework
        taken = framework.pk is not None and (
            Item.objects.filter(framework=framework, code=code).exclude(pk=self.instance.pk)
        )
        if taken and taken.exists():
            raise forms.ValidationError(_("Another item of this version has this code."))
        return code


def missing_languages(item) -> list[str]:
    """The languages an item's question or guidance is not written in yet."""
    return [
        in_language(lang)
        for lang in LANGUAGES
        if not (getattr(item, f"question_{lang}") and getattr(item, f"guidance_{lang}"))
    ]


def _may_write(user, office) -> bool:
    return permissions.has_role(user, office.pk, Role.FOCAL_POINT)


def _item_of(office, pk) -> Item:
    try:
        return Item.objects.select_related("framework").get(pk=pk, framework__office=office)
    except (Item.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def office_items_index(request):
    """The offices whose items the user writes (focal points) or agrees to (editors)."""
    editor = permissions.can_author_frameworks(request.user)
    offices = permissions.offices_with_role(request.user, Role.FOCAL_POINT)
    permissions.require(editor or offices.exists())
    if editor:
        offices = Office.objects.filter(Q(pk__in=offices) | Q(office_frameworks__isnull=False))
    waiting = Item.objects.filter(
        framework__status=FrameworkStatus.DRAFT,
        framework__office__in=offices,
        critical_requested=True,
        critical_agreed_by__isnull=True,
    ).select_related("framework__office")
    context = {"offices": offices.distinct().order_by("name"), "waiting": waiting, "editor": editor}
    return render(request, "checklists/office_items_index.html", context)


def office_items(request, office_pk):
    office = permissions.get_office_for_items(request.user, office_pk)
    versions = list(Framework.objects.filter(office=office).order_by("-version"))
    shown = {v.status: v for v in reversed(versions)}  # the latest of each status
    context = {
        "office": office,
        "draft": shown.get(FrameworkStatus.DRAFT),
        "published": shown.get(FrameworkStatus.PUBLISHED),
        "versions": versions,
        "may_write": _may_write(request.user, office),
        "editor": permissions.can_author_frameworks(request.user),
    }
    for key in ("draft", "published"):
        if context[key] is not None:
            items = context[key].items.select_related("phase", "principle", "critical_agreed_by")
            context[f"{key}_items"] = list(items.prefetch_related("sectors"))
            for item in context[f"{key}_items"]:
                item.missing = missing_languages(item)
    return render(request, "checklists/office_items.html", context)


def office_item_edit(request, office_pk, item_pk=None):
    """Add an item to the office's draft (started if need be) or change one of it."""
    office = permissions.get_office_for_items(request.user, office_pk)
    permissions.require(_may_write(request.user, office))
    item = _item_of(office, item_pk) if item_pk else None
    if item is not None and (refusal := workflow.draft_refusal(item.framework)):
        messages.error(request, refusal)
        return redirect("checklists:office-items", office_pk=office.pk)
    framework = item.framework if item else workflow.office_draft(office)
    if framework is None:  # the first item of a new version: the draft starts on saving
        framework = Framework(office=office)
    data = request.POST if request.method == "POST" else None
    form = OfficeItemForm(data, instance=item, framework=framework)
    if request.method == "POST" and form.is_valid():
        changes = {name: str(form.cleaned_data[name]) for name in form.changed_data}
        item = form.save(commit=False)
        if item.framework.pk is None:
            item.framework = workflow.start_office_draft(office=office, user=request.user)
        workflow.save_office_item(
            item=item, user=request.user, changes=changes, sectors=form.cleaned_data["sectors"]
        )
        messages.success(request, _("Item %(code)s is saved.") % {"code": item.code})
        return redirect("checklists:office-items", office_pk=office.pk)
    context = {
        "office": office,
        "item": item,
        "form": form,
        "missing": missing_languages(item) if item else [],
    }
    return render(
        request, "checklists/office_item.html", context, status=400 if form.errors else 200
    )


@require_POST
def office_items_new_draft(request, office_pk):
    office = permissions.get_office_for_items(request.user, office_pk)
    permissions.require(_may_write(request.user, office))
    draft = workflow.start_office_draft(office=office, user=request.user)
    messages.success(request, _("%(framework)s was created as a draft.") % {"framework": draft})
    return redirect("checklists:office-items", office_pk=office.pk)


@require_POST
def office_items_publish(request, office_pk):
    office = permissions.get_office_for_items(request.user, office_pk)
    permissions.require(_may_write(request.user, office))
    draft = workflow.office_draft(office)
    try:
        if draft is None:
            raise ValidationError(_("There is no draft to publish."))
        workflow.publish_office_items(framework=draft, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "The office items are published: new checklists of %(office)s and the offices "
                "under it include them; checklists already started keep theirs."
            )
            % {"office": office.name},
        )
    return redirect("checklists:office-items", office_pk=office.pk)


@require_POST
def office_item_agree(request, office_pk, item_pk):
    """A framework editor agrees that an office item is critical."""
    office = permissions.get_office_for_items(request.user, office_pk)
    permissions.require(permissions.can_author_frameworks(request.user))
    item = _item_of(office, item_pk)
    try:
        workflow.agree_critical(item=item, user=request.user)
    except workflow.WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Item %(code)s is critical.") % {"code": item.code})
    return redirect("checklists:office-items", office_pk=office.pk)
