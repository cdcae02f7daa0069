from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from . import admin_endorsement, workflow  # noqa: F401 (registers the chain's admin)
from .models import (
    AccessLogEntry,
    ActionPoint,
    AuditEntry,
    Checklist,
    DeletionReceipt,
    Framework,
    FrameworkStatus,
    GoodPractice,
    Item,
    LegalHold,
    Phase,
    Principle,
    Review,
    Topic,
)


@admin.register(Principle)
class PrincipleAdmin(TranslationAdmin):
    list_display = ["code", "name", "order"]


@admin.register(Phase)
class PhaseAdmin(TranslationAdmin):
    list_display = ["code", "name", "order"]


@admin.register(Topic)
class TopicAdmin(TranslationAdmin):
    list_display = ["code", "name"]


@admin.register(GoodPractice)
class GoodPracticeAdmin(TranslationAdmin):
    list_display = ["country", "principle", "order"]
    list_filter = ["principle"]


@admin.register(Framework)
class FrameworkAdmin(TranslationAdmin):
    list_display = ["name", "code", "version", "status", "published_at"]
    list_filter = ["status"]
    readonly_fields = ["status", "published_at"]
    actions = ["publish", "start_new_version"]

    def has_change_permission(self, request, obj=None):
        # Published and retired frameworks are read-only: changes need a new version.
        if obj is not None and not obj.is_editable:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description=_("Publish the selected draft framework"))
    def publish(self, request, queryset):
        for framework in queryset:
            try:
                workflow.publish_framework(framework=framework)
            except ValidationError as error:
                self.message_user(request, f"{framework}: {error.messages[0]}", messages.ERROR)
            else:
                self.message_user(request, _("%s published.") % framework, messages.SUCCESS)

    @admin.action(description=_("Start a new draft version of the selected framework"))
    def start_new_version(self, request, queryset):
        for framework in queryset:
            draft = workflow.start_new_framework_version(framework=framework)
            self.message_user(request, _("%s created as a draft.") % draft, messages.SUCCESS)


@admin.register(Item)
class ItemAdmin(TranslationAdmin):
    list_display = ["code", "framework", "phase", "principle", "critical"]
    list_filter = ["framework", "phase", "principle", "critical", "topics"]
    search_fields = ["code", "question_en", "question_fr", "question_es"]
    filter_horizontal = ["sectors", "topics"]
    list_select_related = ["framework", "phase", "principle"]

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.framework.is_editable:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not obj.framework.is_editable:
            return False
        return super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "framework":
            kwargs["queryset"] = Framework.objects.filter(status=FrameworkStatus.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Checklists, answers, reviews and the audit trail change only through the workflow:
    the admin shows them and never edits or deletes them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Checklist)
class ChecklistAdmin(ReadOnlyAdmin):
    list_display = ["project", "phase", "round", "status", "submitted_at"]
    list_filter = ["status", "phase"]
    list_select_related = ["project", "phase"]
    search_fields = ["project__code"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["checklist", "level", "decision", "reviewer", "acting_for", "decided_at"]
    list_filter = ["decision"]
    list_select_related = ["checklist__project", "checklist__phase", "reviewer"]


@admin.register(ActionPoint)
class ActionPointAdmin(ReadOnlyAdmin):
    list_display = ["project", "description", "owner", "due_date", "done_on", "withdrawn_on"]
    list_select_related = ["project", "owner"]
    search_fields = ["project__code", "description"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "action", "project"]
    list_filter = ["action"]
    list_select_related = ["actor", "project"]


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "kind", "what", "address", "project"]
    list_filter = ["kind"]
    list_select_related = ["user", "project"]
    search_fields = ["user__username", "project__code", "what"]


@admin.register(DeletionReceipt)
class DeletionReceiptAdmin(ReadOnlyAdmin):
    list_display = ["deleted_at", "kind", "project", "rule", "sha256"]
    list_filter = ["kind"]
    list_select_related = ["project"]
    search_fields = ["project__code", "sha256"]


@admin.register(LegalHold)
class LegalHoldAdmin(admin.ModelAdmin):
    """Legal holds: a project's records kept past the retention schedule. Set with a
    reason; lifted (never deleted), so the reason stays on record."""

    list_display = ["project", "set_at", "set_by", "lifted_at", "lifted_by"]
    list_filter = [("lifted_at", admin.EmptyFieldListFilter)]
    list_select_related = ["project", "set_by", "lifted_by"]
    search_fields = ["project__code", "reason"]
    autocomplete_fields = ["project"]
    fields = ["project", "reason", "set_by", "set_at", "lifted_by", "lifted_at"]
    readonly_fields = ["set_by", "set_at", "lifted_by", "lifted_at"]
    actions = ["lift"]

    def get_readonly_fields(self, request, obj=None):
        # Once set, a hold's project and reason are the record; only lifting changes it.
        return [*self.readonly_fields, "project", "reason"] if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.set_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Lift the selected legal holds"))
    def lift(self, request, queryset):
        from django.utils import timezone

        lifted = queryset.filter(lifted_at__isnull=True).update(
            lifted_at=timezone.now(), lifted_by=request.user
        )
        self.message_user(request, _("%(count)s legal hold(s) lifted.") % {"count": lifted})

    def changelist_view(self, request, extra_context=None):
        from django.conf import settings

        schedule = _(
            "Retention schedule: evidence files and free-text comments are deleted "
            "%(evidence)s years after a project's end date, access log entries after "
            "%(access)s years, report files after %(reports)s days. A legal hold keeps all "
            "of its project's records."
        ) % {
            "evidence": settings.RETENTION_EVIDENCE_YEARS,
            "access": settings.RETENTION_ACCESS_LOG_YEARS,
            "reports": settings.REPORT_FILES_KEEP_DAYS,
        }
        return super().changelist_view(request, {**(extra_context or {}), "subtitle": schedule})
