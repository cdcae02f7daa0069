"""Offices in a tree: which offices a role covers (the office and every office under it).

Scope itself is decided in projects/permissions; this module only walks the tree, in one
query, since the tree's depth is bounded (models.OFFICE_TREE_DEPTH).
"""

from django.db.models import Q

from .models import OFFICE_TREE_DEPTH, Office


def ancestor_paths() -> list[str]:
    """From an office, the lookups to itself and to each office above it:
    ["pk", "parent", "parent__parent", ...]."""
    return ["pk"] + ["__".join(["parent"] * depth) for depth in range(1, OFFICE_TREE_DEPTH)]


def holds_office(office_id) -> Q:
    """Anything with an ``office`` (a membership, an office's items) in that office or an
    office above it."""
    held = Q(office_id=office_id)
    for depth in range(1, OFFICE_TREE_DEPTH):
        held |= Q(**{"office__" + "__".join(["children"] * depth): office_id})
    return held


def cover(held) -> dict:
    """For each ``role`` of the items ``held`` (anything with ``role`` and ``office_id``):
    the offices it covers, the held offices and every office under them. At most one
    query: none when no held office has offices under it (memberships are read with
    ``office_has_children``, and most people work in an office with none)."""
    covered: dict = {m.role: set() for m in held}
    for membership in held:
        covered[membership.role].add(membership.office_id)
    if any(getattr(m, "office_has_children", True) for m in held):
        paths = ancestor_paths()
        member_of = Q()
        for path in paths:
            member_of |= Q(**{f"{path}__in": {m.office_id for m in held}})
        for office_and_ancestors in Office.objects.filter(member_of).values_list(*paths):
            for membership in held:
                if membership.office_id in office_and_ancestors:
                    covered[membership.role].add(office_and_ancestors[0])
    return {role: frozenset(ids) for role, ids in covered.items()}


def covered_offices(user, held) -> dict[str, frozenset[int]]:
    """For each role of the user's memberships ``held``: the offices it covers (the
    member offices and every office under them), cached on the user object for the
    request."""
    if not hasattr(user, "_pm_covered"):
        user._pm_covered = cover(held)
    return user._pm_covered
