from urllib.parse import urlencode
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from . import (
    access_tokens,
    account_permissions,
    accounts,
    permissions,
    second_factor,
    sessions,
    sign_in,
)
from .forms import AccessTokenForm, LoginForm, ProjectForm, SettingsForm
from .middleware import SESSION_KEY as TIME_ZONE_SESSION_KEY
from .models import Profile

# Set when the user picks a language during this session: the choice then holds for the
# session, over the default language of their profile.
LANGUAGE_CHOSEN_KEY = "language_chosen"


def _apply_language(response, language: str) -> None:
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class LoginView(auth_views.LoginView):
    """Django's login; then the profile's language and time zone, unless the user picked a
    language on the login page, which holds for this session."""

    form_class = LoginForm

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "local_sign_in": settings.LOCAL_SIGN_IN,
            "organisation_sign_in": sign_in.sign_in_enabled(),
            "provider_name": settings.OIDC_PROVIDER_NAME,
            "password_min_length": settings.PASSWORD_MIN_LENGTH,
        }

    def post(self, request, *args, **kwargs):
        if not settings.LOCAL_SIGN_IN:  # only the organisation's accounts here
            form = self.get_form()
            form.errors.clear()
            form.add_error(
                None,
                _("Signing in with a password is turned off here. Use your organisation account."),
            )
            return self.render_to_response(self.get_context_data(form=form), status=400)
        return super().post(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        # Why the last session ended by itself, said once.
        ended = request.session.pop(sessions.ENDED, None)
        if ended:
            messages.info(request, SESSION_ENDED[ended])
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.get_user()
        if second_factor.asked_of(user):
            # The password was right; the session opens once the second factor passes.
            second_factor.start(self.request, user=user, next_url=self.get_success_url())
            if second_factor.has_second_factor(user):
                return redirect("second-factor")
            return redirect("second-factor-setup")  # required, and not set up yet
        chosen = self.request.session.get(LANGUAGE_CHOSEN_KEY)
        response = super().form_valid(form)
        welcome(self.request, response, user, language_chosen=chosen)
        return response


SESSION_ENDED = {
    "idle": gettext_lazy(
        "You were signed out because nothing was done for a while. Answers waiting on this "
        "device are sent when you sign in again as the same person."
    ),
    "limit": gettext_lazy("Your session reached its time limit and ended. Sign in again to go on."),
}


@login_not_required
@require_POST
def sign_out(request):
    """Sign out of the app, and of the organisation's account when the provider allows it;
    the browser is told to delete what it kept for the person (pages, waiting answers)."""
    organisation = request.session.get(sessions.ORGANISATION, False)
    id_token = request.session.get("oidc_id_token", "")
    auth.logout(request)
    request.clear_device = True
    signed_out = request.build_absolute_uri(reverse("signed-out"))
    if organisation and settings.OIDC_OP_LOGOUT_ENDPOINT and id_token:
        query = urlencode(
            {
                "id_token_hint": id_token,
                "client_id": settings.OIDC_RP_CLIENT_ID,
                "post_logout_redirect_uri": signed_out,
            }
        )
        response = redirect(f"{settings.OIDC_OP_LOGOUT_ENDPOINT}?{query}")
    else:
        response = redirect(f"{signed_out}?organisation=1" if organisation else signed_out)
    # Whatever the provider did: the next organisation sign-in here asks for the password.
    response.set_cookie(
        sessions.SIGN_IN_AGAIN_COOKIE,
        "1",
        max_age=settings.SESSION_KEPT_COOKIE_DAYS * 24 * 3600,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


@login_not_required
@require_GET
def signed_out(request):
    """What signing out ended, said plainly."""
    response = render(
        request,
        "registration/signed_out.html",
        {
            "organisation_open": request.GET.get("organisation") == "1",
            "organisation_sign_in": sign_in.sign_in_enabled(),
            "provider_name": settings.OIDC_PROVIDER_NAME,
        },
    )
    sessions.forget_device(response)
    return response


@require_POST
def still_here(request):
    """The page says its reader is still at work (typing, or "Stay signed in"): the session's
    idle clock starts again (the middleware did it), the answer is empty."""
    return HttpResponse(status=204)


def welcome(request, response, user, *, language_chosen) -> None:
    """Just signed in: the profile's time zone, and its language unless one was picked on
    the login page (it holds for this session)."""
    profile = Profile.objects.filter(user=user).first()
    if profile:
        request.session[TIME_ZONE_SESSION_KEY] = profile.time_zone
        if not language_chosen:
            _apply_language(response, profile.language)


def locked_out(request, credentials=None, *args, **kwargs):
    """What django-axes shows after too many failed logins (429: try again later)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change; the user's other sessions end, this one stays, and every
    API token of theirs stops."""

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "password_min_length": settings.PASSWORD_MIN_LENGTH,
        }

    def form_valid(self, form):
        previous_key = self.request.session.session_key  # Django gives the session a new one
        response = super().form_valid(form)
        accounts.password_changed(
            request=self.request, user=self.request.user, previous_key=previous_key
        )
        messages.success(
            self.request,
            _(
                "Your password was changed. You are logged out everywhere else, and your API "
                "tokens no longer work."
            ),
        )
        return response

    def get_success_url(self):
        return reverse("checklists:home")


@login_not_required
@require_POST
def switch_language(request):
    """Django's set_language, for this session only: the profile's default language changes
    on the settings page, when the user says so."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest(_("This language is not available."))
    request.session[LANGUAGE_CHOSEN_KEY] = language
    return set_language(request)


class SettingsView(generic.UpdateView):
    """The user's own settings: default language, time zone and summary e-mail (digest)."""

    form_class = SettingsForm
    template_name = "projects/settings.html"

    def get_object(self, queryset=None):
        profile, _created = Profile.objects.get_or_create(user=self.request.user)
        return profile

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "time_zones": sorted(available_timezones())}

    def form_valid(self, form):
        response = super().form_valid(form)
        # The new defaults apply at once, in this session too.
        self.request.session.pop(LANGUAGE_CHOSEN_KEY, None)
        self.request.session[TIME_ZONE_SESSION_KEY] = self.object.time_zone
        _apply_language(response, self.object.language)
        messages.success(self.request, _("Your settings are saved."))
        return response

    def get_success_url(self):
        return reverse("projects:settings")


def _access_tokens_page(request, form, *, new_secret="", status=200):
    tokens = list(request.user.access_tokens.all())
    now = timezone.now()
    for token in tokens:
        token.usable = token.is_usable(now)
    response = render(
        request,
        "projects/access_tokens.html",
        {
            "form": form,
            "tokens": tokens,
            "new_secret": new_secret,
            "sign_in_again": form is None,
            "reauthentication_minutes": settings.REAUTHENTICATION_MINUTES,
        },
        status=status,
    )
    # The page with a new token's secret must not stay in any cache, the browser's included.
    response["Cache-Control"] = "no-store"
    return response


def access_token_list(request):
    """The user's tokens for the read API: list, create (the secret shown once)."""
    permissions.require(account_permissions.may_hold_access_tokens(request.user))
    proof = access_tokens.reauthentication_needed(request)
    if proof == "organisation":
        # Made only within minutes of a sign-in with the organisation's account.
        return _access_tokens_page(request, None, status=403 if request.method == "POST" else 200)

    def new_form(data=None):
        return AccessTokenForm(data, request=request, ask_password=proof == "password")

    if request.method != "POST":
        return _access_tokens_page(request, new_form())
    form = new_form(request.POST)
    if not form.is_valid():
        return _access_tokens_page(request, form, status=400)
    try:
        _token, secret = access_tokens.issue_token(
            user=request.user,
            name=form.cleaned_data["name"],
            lifetime_days=form.cleaned_data["lifetime_days"],
            request=request,
        )
    except access_tokens.TokenRefused as refusal:
        form.add_error(None, refusal.message)
        return _access_tokens_page(request, form, status=400)
    # Rendered here rather than after a redirect: the secret is never stored anywhere.
    return _access_tokens_page(request, new_form(), new_secret=secret, status=201)


@require_POST
def revoke_access_token(request, pk):
    token = account_permissions.get_access_token_for_user(request.user, pk)
    access_tokens.revoke_token(token=token, user=request.user)
    messages.success(
        request,
        _("The token “%(name)s” is revoked: it no longer opens the API.") % {"name": token.name},
    )
    return redirect("projects:access-tokens")


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
        response = super().form_valid(form)
        messages.success(self.request, _("Project %(code)s created.") % {"code": self.object.code})
        return response


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
        response = super().form_valid(form)
        messages.success(self.request, _("Project %(code)s saved.") % {"code": self.object.code})
        return response
