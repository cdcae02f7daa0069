"""Notification e-mails waiting to be sent."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MailKind(models.TextChoices):
    SUBMITTED = "submitted", _("Checklist waiting for review")
    DECIDED = "decided", _("Decision on a checklist")
    DIGEST = "digest", _("Summary of what waits")
    ENDORSEMENT_WAITING = "endorsement_waiting", _("Reminder: a decision is waiting")
    ENDORSEMENT_LATE = "endorsement_late", _("A decision is waiting too long")


class OutgoingMail(models.Model):
    """A notification, written in the same transaction as the change it tells about.

    So a mail server that is down never turns saved work into an error page, and a mail is
    never lost: the task worker sends what waits, and tries again later when sending fails.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=MailKind.choices)
    recipient = models.ForeignKey(
        "auth.User",
        on_delete=models.CASCADE,
        related_name="outgoing_mail",
        verbose_name=_("recipient"),
    )
    checklist = models.ForeignKey(
        "checklists.Checklist",
        on_delete=models.CASCADE,
        related_name="outgoing_mail",
        verbose_name=_("checklist"),
        null=True,
        blank=True,
    )
    review = models.ForeignKey(
        "checklists.Review",
        on_delete=models.CASCADE,
        related_name="outgoing_mail",
        verbose_name=_("review"),
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    gave_up_at = models.DateTimeField(_("gave up"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True, max_length=2000)

    class Meta:
        ordering = ["next_attempt_at", "pk"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(sent_at__isnull=True, gave_up_at__isnull=True),
                name="outgoingmail_waiting",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient}"
