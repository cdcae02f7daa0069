"""The person's own account pages: the second factor at sign-in and in the settings, and
"Where you are signed in". Thin: the rules are in second_factor.py and accounts.py."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import account_permissions, accounts, permissions, second_factor
from .forms import AppCodeForm, SecondFactorForm
from .views import LANGUAGE_CHOSEN_KEY, welcome


def _no_store(response):
    # Secrets and recovery codes must stay in no cache, the browser's included.
    response["Cache-Control"] = "no-store"
    return response


@login_not_required
def second_factor_check(request):
    """Sign-in, second step: a code from the app, or a recovery code."""
    user = second_factor.pending_user(request)
    if user is None:
        messages.info(request, _("Log in again: too much time passed since the password."))
        return redirect("login")
    if not second_factor.has_second_factor(user):
        return redirect("second-factor-setup")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = second_factor.verify(user, form.cleaned_data["code"])
        if device is not None:
            chosen = request.session.get(LANGUAGE_CHOSEN_KEY)
            response = redirect(second_factor.finish(request, user=user, device=device))
            welcome(request, response, user, language_chosen=chosen)
            if device.name == "recovery":
                left = second_factor.recovery_codes_left(user)
                messages.warning(
                    request,
                    _(
                        "You used a recovery code; %(left)s are left. Make new ones in Your "
                        "settings, Two-step sign-in."
                    )
                    % {"left": left},
                )
            return response
        form.add_error(
            "code",
            _(
                "This code is not right, or it was already used. Wait for the next code and "
                "try again."
            ),
        )
    status = 400 if form.errors else 200
    return _no_store(
        render(request, "registration/second_factor.html", {"form": form}, status=status)
    )


def _set_up_for(request):
    """Whose second factor is being set up: the signed-in person, or the person half way
    through signing in whose account requires one."""
    if request.user.is_authenticated:
        return request.user, False
    user = second_factor.pending_user(request)
    if user is None or second_factor.has_second_factor(user):
        return None, True
    return user, True


@login_not_required
def second_factor_setup(request):
    """Set up an authenticator app: its secret as a QR code and as text, then a code from
    it. Then the recovery codes, shown once."""
    user, signing_in = _set_up_for(request)
    if user is None:
        return redirect("login")
    device = second_factor.unconfirmed_app_device(user)
    if device is None or request.method != "POST":
        device = second_factor.new_app_device(user)
    form = AppCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = second_factor.confirm_app_device(
            device=device, code=form.cleaned_data["code"], request=request
        )
        if codes is not None:
            if signing_in:
                chosen = request.session.get(LANGUAGE_CHOSEN_KEY)
                next_url = second_factor.finish(request, user=user, device=device)
                response = _recovery_codes_page(request, codes, next_url=next_url)
                welcome(request, response, user, language_chosen=chosen)
                return response
            return _recovery_codes_page(request, codes, next_url="")
        form.add_error("code", _("This code is not right. Type the code the app shows now."))
    context = {
        "form": form,
        "required": second_factor.required_of(user),
        "signing_in": signing_in,
        "secret": second_factor.secret_text(device),
        "qr_code": second_factor.qr_code(device),
    }
    status = 400 if form.errors else 200
    return _no_store(
        render(request, "registration/second_factor_setup.html", context, status=status)
    )


def _recovery_codes_page(request, codes, *, next_url):
    return _no_store(
        render(
            request,
            "registration/recovery_codes.html",
            {"codes": codes, "next_url": next_url},
            status=201,
        )
    )


@require_GET
def second_factor_settings(request):
    """Your settings, two-step sign-in: on or off, recovery codes left, new ones."""
    user = request.user
    context = {
        "has_second_factor": second_factor.has_second_factor(user),
        "required": second_factor.required_of(user),
        "organisation": accounts.signed_in_with_organisation(request),
        "codes_left": second_factor.recovery_codes_left(user),
    }
    return render(request, "projects/second_factor.html", context)


@require_POST
def new_recovery_codes(request):
    permissions.require(second_factor.has_second_factor(request.user))
    codes = second_factor.make_recovery_codes(user=request.user, request=request)
    return _recovery_codes_page(request, codes, next_url="")


@require_POST
def second_factor_off(request):
    permissions.require(not second_factor.required_of(request.user))
    second_factor.turn_off(user=request.user, request=request)
    messages.success(request, _("Two-step sign-in is off."))
    return redirect("projects:second-factor")


@require_GET
def signed_in_sessions(request):
    """Where you are signed in: each open session, this one marked, each can be ended."""
    sessions = list(accounts.live_sessions(request.user))
    for session in sessions:
        session.is_current = session.session_key == request.session.session_key
    return render(request, "projects/sessions.html", {"sessions": sessions})


@require_POST
def end_session(request, pk):
    record = account_permissions.get_signed_in_session_for_user(request.user, pk)
    if record.session_key == request.session.session_key:
        logout(request)
        return redirect("login")
    accounts.end_sessions(user=request.user, keys=[record.session_key])
    messages.success(request, _("That session is ended."))
    return redirect("projects:sessions")


@require_POST
def end_other_sessions(request):
    ended = accounts.end_sessions(user=request.user, keep=request.session.session_key)
    accounts.record_event(
        user=request.user,
        kind=accounts.AccountEventKind.SESSIONS_ENDED,
        actor=request.user,
        request=request,
        sessions=ended,
    )
    messages.success(request, _("You are signed out everywhere else."))
    return redirect("projects:sessions")
