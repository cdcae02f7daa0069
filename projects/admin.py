from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from . import access_tokens, accounts
from .models import (
    AccessToken,
    AccountEvent,
    Membership,
    Office,
    PopulationFigure,
    Profile,
    Project,
    Region,
    Sector,
    SignInGroup,
)


@admin.register(Region)
class RegionAdmin(TranslationAdmin):
    list_display = ["code", "name"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent", "region", "is_headquarters"]
    list_filter = ["region", "is_headquarters"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "office", "role"]
    list_filter = ["role", "office"]
    search_fields = ["user__username", "office__name"]
    autocomplete_fields = ["user", "office"]


@admin.register(SignInGroup)
class SignInGroupAdmin(admin.ModelAdmin):
    """The organisation's groups and the memberships they give, applied at each sign-in."""

    list_display = ["group", "office", "role"]
    list_filter = ["role", "office"]
    search_fields = ["group", "office__name", "office__code"]
    autocomplete_fields = ["office"]


@admin.register(Sector)
class SectorAdmin(TranslationAdmin):
    list_display = ["code", "name", "order"]


class PopulationFigureInline(admin.TabularInline):
    model = PopulationFigure
    extra = 0


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "office", "current_phase", "archived"]
    list_filter = ["office", "current_phase", "archived"]
    search_fields = ["code", "title", "donor"]
    # Shown, never edited: the phase moves only through the workflow.
    readonly_fields = ["current_phase"]
    inlines = [PopulationFigureInline]

    def has_delete_permission(self, request, obj=None):
        # Projects are archived, never deleted.
        return False


class MembershipUserInline(admin.TabularInline):
    model = Membership
    extra = 1
    fk_name = "user"


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False


admin.site.unregister(User)


@admin.register(User)
class UserWithMembershipsAdmin(UserAdmin):
    inlines = [ProfileInline, MembershipUserInline]
    actions = ["remove_access"]

    def save_model(self, request, obj, form, change):
        turned_off = change and "is_active" in form.changed_data and not obj.is_active
        super().save_model(request, obj, form, change)
        if turned_off:
            # Whoever turns an account off expects it to stop now, not at the next sign-in.
            accounts.deactivated(user=obj, actor=request.user, request=request)

    @admin.action(description=_("Remove access (a person who left): sign out, revoke, turn off"))
    def remove_access(self, request, queryset):
        for user in queryset:
            if user == request.user:
                self.message_user(request, _("You cannot remove your own access."), "error")
                continue
            accounts.remove_access(user=user, actor=request.user, request=request)
        self.message_user(
            request,
            _(
                "Access removed: sessions ended, API tokens revoked, memberships removed, "
                "accounts turned off."
            ),
        )


@admin.register(AccountEvent)
class AccountEventAdmin(admin.ModelAdmin):
    """The accounts' audit trail: read only, never deleted."""

    list_display = ["created_at", "user", "kind", "actor", "address"]
    list_filter = ["kind"]
    search_fields = ["user__username", "actor__username"]
    readonly_fields = [f.name for f in AccountEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    """Administrators see every API token and revoke any (a person who left, a token that
    leaked); only the owner makes one, in their settings, and nobody sees a secret again."""

    list_display = [
        "name",
        "user",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = [f.name for f in AccessToken._meta.fields]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, not deleted: when it was used stays on record

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            access_tokens.revoke_token(token=token, user=request.user)
