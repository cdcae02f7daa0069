"""The records of an account's life: its API tokens, what happened to it (the account audit
trail) and where it is signed in. Models of the projects app (imported by projects/models.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessTokenQuerySet(models.QuerySet):
    def usable(self, now):
        """Tokens that still open the API: not revoked, not expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class AccessToken(models.Model):
    """A personal access token for the read API, created and revoked by its owner.

    Only a SHA-256 hash of the secret is kept (the secret is random, so a fast hash is
    enough and a lookup by hash stays an index search); the owner sees the secret once,
    when it is made. A token reads what its owner may read, as their memberships stand at
    each request: a membership removed is a scope removed.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="access_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for, for example “Power BI”.")
    )
    prefix = models.CharField(_("first characters"), max_length=16)
    key_hash = models.CharField(_("hash of the token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    # A digest of the owner's password hash when the token was made: a new password,
    # however it was set (the settings page, the admin, a command), stops the token.
    password_digest = models.CharField(max_length=64, blank=True, editable=False)

    objects = AccessTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("access token")
        verbose_name_plural = _("access tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now) -> bool:
        return self.revoked_at is None and self.expires_at > now


class AccountEventKind(models.TextChoices):
    ORGANISATION_LINKED = "organisation_linked", _("Organisation account linked")
    TOKEN_CREATED = "token_created", _("API token created")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    SECOND_FACTOR_ADDED = "second_factor_added", _("Two-step sign-in turned on")
    SECOND_FACTOR_REMOVED = "second_factor_removed", _("Two-step sign-in turned off")
    RECOVERY_CODES_MADE = "recovery_codes_made", _("New recovery codes made")
    SESSIONS_ENDED = "sessions_ended", _("Signed out elsewhere")
    ACCESS_REMOVED = "access_removed", _("Access removed by an administrator")


class AccountEvent(models.Model):
    """The audit trail of an account's life: links, tokens, second factor, removals.
    Written by projects/accounts.py; never edited, never deleted."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="account_events",
        verbose_name=_("account"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("who"),
        null=True,
        blank=True,
        help_text=_("Empty when the account's own sign-in did it."),
    )
    kind = models.CharField(_("what"), max_length=30, choices=AccountEventKind.choices)
    details = models.JSONField(_("details"), default=dict, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("account event")
        verbose_name_plural = _("account events")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.user} {self.kind}"


class SignedInSessionQuerySet(models.QuerySet):
    def live(self, now):
        """Sessions that still exist in the session store and have not expired."""
        from django.contrib.sessions.models import Session

        return self.filter(
            models.Exists(
                Session.objects.filter(
                    session_key=models.OuterRef("session_key"), expire_date__gt=now
                )
            )
        )


class SignedInSession(models.Model):
    """Which browser session belongs to whom, written at each sign-in, so that a person
    (page "Where you are signed in") or an administrator ("Remove access") can end it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="signed_in_sessions",
        verbose_name=_("user"),
    )
    session_key = models.CharField(_("session"), max_length=40, unique=True)
    signed_in_at = models.DateTimeField(_("signed in"), auto_now_add=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    browser = models.CharField(_("browser"), max_length=200, blank=True)
    with_organisation = models.BooleanField(_("with the organisation's account"), default=False)

    objects = SignedInSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_in_at", "-pk"]
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")

    def __str__(self):
        return f"{self.user} {self.signed_in_at:%Y-%m-%d %H:%M}"
