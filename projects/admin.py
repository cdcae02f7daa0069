from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from modeltranslation.admin import TranslationAdmin

from .models import Membership, Office, PopulationFigure, Profile, Project, Region, Sector


@admin.register(Region)
class RegionAdmin(TranslationAdmin):
    list_display = ["code", "name"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region", "is_headquarters"]
    list_filter = ["region", "is_headquarters"]
    search_fields = ["code", "name"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "office", "role"]
    list_filter = ["role", "office"]
    search_fields = ["user__username", "office__name"]
    autocomplete_fields = ["user", "office"]


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
