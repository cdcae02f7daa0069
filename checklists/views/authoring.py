"""Framework authoring for the HQ protection unit: list, export, import, compare, edit a
draft, publish. Every page asks projects/permissions.py; the rules are in the workflow."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects import permissions
from projects.models import Sector

from .. import framework_upload, framework_workbook, workflow
from ..downloads import XLSX, file_download
from ..framework_comparison import compare_frameworks, comparison_csv
from ..framework_rules import LANGUAGES, TEXTS, References, item_problems
from ..models import Framework, FrameworkStatus, Item, Topic


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Workbook (.xlsx) or JSON file"),
        help_text=gettext_lazy("Start from an exported version. At most 5 MB."),
    )


class ItemForm(forms.ModelForm):
    """An item of a draft, every text in every language."""

    class Meta:
        model = Item
        fields = [
            "code",
            "phase",
            "principle",
            "order",
            "critical",
            "not_applicable_allowed",
            "sectors",
            "topics",
            *[
                f"{text}_{lang}"
                for text in ("question", "guidance", "source")
                for lang in LANGUAGES
            ],
        ]
        widgets = {
            "sectors": forms.CheckboxSelectMultiple,
            "topics": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.framework = framework
        self.fields["sectors"].queryset = Sector.objects.all()
        self.fields["topics"].queryset = Topic.objects.all()
        for lang in LANGUAGES:
            self.fields[f"question_{lang}"].required = True

    def clean(self):
        """The rules an item keeps wherever it comes from (framework_rules.item_problems),
        each shown at its field."""
        cleaned = super().clean()
        if self.errors:
            return cleaned
        item = {
            "code": cleaned.get("code", ""),
            "phase": getattr(cleaned.get("phase"), "code", None),
            "principle": getattr(cleaned.get("principle"), "code", None),
            "sectors": [sector.code for sector in cleaned.get("sectors", [])],
            "topics": [topic.code for topic in cleaned.get("topics", [])],
            **{
                text: {lang: cleaned.get(f"{text}_{lang}") or "" for lang in LANGUAGES}
                for text in TEXTS
            },
        }
        fields = {"sector": "sectors", "topics": "topics", "phase": "phase"}
        for problem in item_problems(item, References.read()):
            column = problem.column.replace("::", "_")
            self.add_error(fields.get(problem.column, column), problem.message)
        return cleaned

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        taken = self.instance.framework.items.filter(code=code).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("Another item of this version has this code."))
        return code


def framework_list(request, upload_form=None, problems=None, status=200):
    permissions.require(permissions.can_author_frameworks(request.user))
    frameworks = (
        Framework.objects.organisation()
        .annotate(
            checklist_count=Count("checklists", distinct=True),
            item_count=Count("items", distinct=True),
        )
        .order_by("code", "-version")
    )
    context = {
        "frameworks": frameworks,
        "upload_form": upload_form or UploadForm(),
        "problems": problems,
    }
    return render(request, "checklists/frameworks.html", context, status=status)


def framework_export(request, pk, file_format):
    framework = permissions.get_framework_for_editor(request.user, pk)
    workflow.audit_export(framework=framework, user=request.user, file_format=file_format)
    name = f"{framework.code}-v{framework.version}"
    if file_format == "json":
        return file_download(
            framework_workbook.export_json(framework),
            filename=f"{name}.json",
            content_type="application/json",
        )
    return file_download(
        framework_workbook.export_workbook(framework), filename=f"{name}.xlsx", content_type=XLSX
    )


@require_POST
def framework_import(request):
    permissions.require(permissions.can_author_frameworks(request.user))
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return framework_list(request, upload_form=form, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > framework_upload.MAX_UPLOAD_BYTES:
        data = b"x" * (framework_upload.MAX_UPLOAD_BYTES + 1)  # not read: too large
    else:
        data = upload.read()
    content, problems = framework_upload.read_upload(upload.name, data)
    if problems:
        return framework_list(request, problems=problems, status=400)
    draft = workflow.import_framework_draft(
        content=content, user=request.user, file_name=upload.name
    )
    messages.success(
        request,
        _("%(framework)s was created as a draft from %(file)s. Compare it before publishing.")
        % {"framework": draft, "file": upload.name},
    )
    return redirect("checklists:framework-compare", pk=draft.pk)


def framework_detail(request, pk):
    framework = permissions.get_framework_for_editor(request.user, pk)
    items = framework.items.select_related("phase", "principle").prefetch_related(
        "sectors", "topics"
    )
    context = {
        "framework": framework,
        "items": items,
        "history": framework.audit_entries.select_related("actor")[:50],
    }
    return render(request, "checklists/framework_detail.html", context)


def _published_other_than(framework):
    return (
        Framework.objects.filter(code=framework.code, status=FrameworkStatus.PUBLISHED)
        .exclude(pk=framework.pk)
        .first()
    )


def framework_compare(request, pk):
    """This version against another (by default the published one); the page to publish."""
    framework = permissions.get_framework_for_editor(request.user, pk)
    other_pk = request.GET.get("with")
    other = (
        permissions.get_framework_for_editor(request.user, other_pk)
        if other_pk
        else _published_other_than(framework)
    )
    comparison = compare_frameworks(other, framework) if other else None
    if comparison:
        language = get_language()
        for item in comparison.added + comparison.removed:
            item["label"] = item["question"].get(language) or item["question"]["en"]
    if comparison and request.GET.get("format") == "csv":
        return file_download(
            comparison_csv(comparison),
            filename=f"{framework.code}-v{other.version}-to-v{framework.version}.csv",
            content_type="text/csv; charset=utf-8",
        )
    context = {
        "framework": framework,
        "other": other,
        "comparison": comparison,
        "versions": Framework.objects.filter(code=framework.code).exclude(pk=framework.pk),
    }
    return render(request, "checklists/framework_compare.html", context)


@require_POST
def framework_publish(request, pk):
    framework = permissions.get_framework_for_editor(request.user, pk)
    try:
        workflow.publish_framework(framework=framework, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("checklists:framework-compare", pk=framework.pk)
    messages.success(
        request,
        _(
            "%(framework)s is published: new checklists use it; checklists already started keep "
            "their version."
        )
        % {"framework": framework},
    )
    return redirect("checklists:frameworks")


@require_POST
def framework_new_draft(request, pk):
    framework = permissions.get_framework_for_editor(request.user, pk)
    draft = workflow.start_new_framework_version(framework=framework, user=request.user)
    messages.success(request, _("%(framework)s was created as a draft.") % {"framework": draft})
    return redirect("checklists:framework", pk=draft.pk)


def item_edit(request, pk, item_pk=None):
    """Add or change an item of a draft."""
    framework = permissions.get_framework_for_editor(request.user, pk)
    item = permissions.get_item_for_editor(request.user, framework, item_pk) if item_pk else None
    refusal = workflow.draft_refusal(framework)
    if refusal:
        messages.error(request, refusal)
        return redirect("checklists:framework", pk=framework.pk)
    form = ItemForm(request.POST or None, instance=item, framework=framework)
    if request.method == "POST" and form.is_valid():
        changes = {name: str(form.cleaned_data[name]) for name in form.changed_data}
        item = form.save(commit=False)
        try:
            workflow.save_draft_item(
                item=item,
                user=request.user,
                changes=changes,
                sectors=form.cleaned_data["sectors"],
                topics=form.cleaned_data["topics"],
            )
        except workflow.WorkflowError as error:
            messages.error(request, error.message)
            return redirect("checklists:framework", pk=framework.pk)
        messages.success(request, _("Item %(code)s is saved.") % {"code": item.code})
        return redirect("checklists:framework", pk=framework.pk)
    status = 400 if form.errors else 200
    context = {"framework": framework, "item": item, "form": form}
    return render(request, "checklists/framework_item.html", context, status=status)


@require_POST
def item_retire(request, pk, item_pk):
    framework = permissions.get_framework_for_editor(request.user, pk)
    item = permissions.get_item_for_editor(request.user, framework, item_pk)
    try:
        workflow.retire_draft_item(item=item, user=request.user)
    except workflow.WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Item %(code)s is taken out of the draft.") % {"code": item.code}
        )
    return redirect("checklists:framework", pk=framework.pk)
