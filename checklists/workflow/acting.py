"""Acting focal points: naming one for some days, and ending it early. Each change is
kept on the assignment itself (who named it, when, its dates), never deleted."""

import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from ..models import ActingAssignment
from .errors import WorkflowError


@transaction.atomic
def name_acting(
    *, focal_point: User, acting: User, office, starts_on, ends_on, by: User
) -> ActingAssignment:
    """Name ``acting`` to decide for ``focal_point`` in ``office`` from ``starts_on`` to
    ``ends_on`` (included). Refused with a message when the dates or people do not fit."""
    assignment = ActingAssignment(
        focal_point=focal_point,
        acting=acting,
        office=office,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=by,
    )
    try:
        assignment.full_clean()
    except Exception as error:
        messages = getattr(error, "messages", [str(error)])
        raise WorkflowError(" ".join(messages)) from None
    assignment.save()
    return assignment


@transaction.atomic
def end_acting(*, assignment: ActingAssignment) -> ActingAssignment:
    """End an assignment now: it stops holding from today (kept as a record)."""
    assignment = ActingAssignment.objects.select_for_update().get(pk=assignment.pk)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    if assignment.ends_on > yesterday:
        assignment.ends_on = yesterday
        assignment.starts_on = min(assignment.starts_on, yesterday)
        assignment.save(update_fields=["starts_on", "ends_on"])
    return assignment
