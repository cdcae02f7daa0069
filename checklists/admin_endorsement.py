"""The admin of the endorsement chain: its rules (data, not code) and acting focal points."""

from django.contrib import admin

from .models import ActingAssignment, EndorsementRule


@admin.register(EndorsementRule)
class EndorsementRuleAdmin(admin.ModelAdmin):
    list_display = [
        "office",
        "phase",
        "order",
        "level_office",
        "condition",
        "amount",
        "reminder_after_days",
        "escalate_after_days",
    ]
    list_filter = ["phase", "condition", "office"]
    list_select_related = ["office", "phase", "level_office"]
    filter_horizontal = ["sectors"]
    fieldsets = [
        (None, {"fields": ["office", "phase", "level_office", "order"]}),
        (None, {"fields": ["condition", "sectors", "amount"]}),
        (None, {"fields": ["reminder_after_days", "escalate_after_days"]}),
    ]


@admin.register(ActingAssignment)
class ActingAssignmentAdmin(admin.ModelAdmin):
    list_display = ["acting", "focal_point", "office", "starts_on", "ends_on", "created_by"]
    list_filter = ["office"]
    list_select_related = ["acting", "focal_point", "office", "created_by"]
    readonly_fields = ["created_by", "created_at"]
    autocomplete_fields = ["acting", "focal_point"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
