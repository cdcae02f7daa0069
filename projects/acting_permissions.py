"""Who may name an acting focal point, and see and end such assignments (a sibling of
projects/permissions, whose scoping it uses)."""

from django.contrib.auth.models import User
from django.http import Http404

from checklists.models import ActingAssignment

from . import office_tree
from .models import Membership, Role
from .permissions import offices_with_role, require, visible_offices


def may_name_acting(user) -> bool:
    """Focal points (for the offices where they are one) and administrators."""
    return user.is_authenticated and (
        user.is_superuser or offices_with_role(user, Role.FOCAL_POINT).exists()
    )


def acting_offices(user):
    """Offices where the user may name an acting focal point for themselves."""
    return offices_with_role(user, Role.FOCAL_POINT).order_by("name")


def acting_assignments_for(user):
    """The acting assignments of the offices where the user is a focal point."""
    return ActingAssignment.objects.filter(office__in=acting_offices(user)).select_related(
        "focal_point", "acting", "office", "created_by"
    )


def acting_candidates(user):
    """Who may act: active members of an office where the user is a focal point (or of
    an office above it), never the user themselves."""
    office_ids = list(acting_offices(user).values_list("pk", flat=True))
    held = Membership.objects.none()
    for office_id in office_ids:
        held = held | Membership.objects.filter(office_tree.holds_office(office_id))
    return (
        User.objects.filter(pk__in=held.values("user_id"), is_active=True)
        .exclude(pk=user.pk)
        .order_by("first_name", "last_name", "username")
    )


def get_acting_assignment_to_end(user, pk) -> ActingAssignment:
    """An assignment the user may end: 404 outside their offices, 403 without the role."""
    try:
        assignment = ActingAssignment.objects.select_related("office").get(
            pk=pk, office__in=visible_offices(user)
        )
    except (ActingAssignment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    require(
        user.is_superuser
        or assignment.focal_point_id == user.pk
        or acting_offices(user).filter(pk=assignment.office_id).exists()
    )
    return assignment
