from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import generic
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from checklists.overview import checklist_overview, pending_work

from . import permissions
from .forms import ProjectFilterForm, ProjectForm
from .middleware import SESSION_KEY as TIME_ZONE_SESSION_KEY
from .models import Profile


class LoginView(auth_views.LoginView):
    """Django's login, then the interface switches to the language the user chose before."""

    def form_valid(self, form):
        response = super().form_valid(form)
        profile = Profile.objects.filter(user=form.get_user()).first()
        if profile:
            self.request.session[TIME_ZONE_SESSION_KEY] = profile.time_zone
            translation.activate(profile.language)
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                profile.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response


def locked_out(request, credentials=None, *args, **kwargs):
    """What django-axes shows after too many failed logins (429: try again later)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change; the user's other sessions end, this one stays."""

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request,
            _("Your password was changed. You are logged out everywhere else."),
        )
        return response

    def get_success_url(self):
        return reverse("projects:home")


@login_not_required
@require_POST
def switch_language(request):
    """Django's set_language, and for a logged-in user, remember the choice on their profile."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest(_("This language is not available."))
    if request.user.is_authenticated:
        Profile.objects.update_or_create(user=request.user, defaults={"language": language})
    return set_language(request)


class ProjectListView(generic.ListView):
    template_name = "projects/project_list.html"
    context_object_name = "projects"
    paginate_by = 25

    def get_queryset(self):
        self.filter_form = ProjectFilterForm(self.request.GET or None, user=self.request.user)
        projects = permissions.visible_projects(self.request.user)
        return (
            self.filter_form.filter(projects)
            .select_related("office", "current_phase")
            .prefetch_related("sectors")
            .order_by("-updated_at", "code")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        context.update(pending_work(self.request.user))
        context["can_create_project"] = permissions.can_create_project(self.request.user)
        return context


class ProjectDetailView(generic.DetailView):
    template_name = "projects/project_detail.html"
    context_object_name = "project"

    def get_object(self, queryset=None):
        return permissions.get_project_for_user(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        project = self.object
        context["population"] = project.population_table()
        context["sectors"] = list(project.sectors.all())
        context["can_edit"] = permissions.can_edit_project(self.request.user, project)
        context.update(checklist_overview(self.request.user, project))
        return context


class ProjectCreateView(generic.CreateView):
    form_class = ProjectForm
    template_name = "projects/project_form.html"

    def dispatch(self, request, *args, **kwargs):
        permissions.require(permissions.can_create_project(request.user))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        form.instance.created_by = self.request.user
        with transaction.atomic():
            response = super().form_valid(form)
        messages.success(self.request, _("Project %(code)s created.") % {"code": self.object.code})
        return response

    def get_success_url(self):
        return self.object.get_absolute_url()


class ProjectUpdateView(generic.UpdateView):
    form_class = ProjectForm
    template_name = "projects/project_form.html"
    context_object_name = "project"

    def get_object(self, queryset=None):
        project = permissions.get_project_for_user(self.request.user, self.kwargs["pk"])
        permissions.require(permissions.can_edit_project(self.request.user, project))
        return project

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
        messages.success(self.request, _("Project %(code)s saved.") % {"code": self.object.code})
        return response

    def get_success_url(self):
        return self.object.get_absolute_url()
