"""Plain factory functions: each makes one object with sensible defaults."""

import datetime
import itertools

from django.contrib.auth.models import User

from checklists.models import Phase
from projects.models import Membership, Office, Project, Region, Role, Sector

_sequence = itertools.count(1)


def make_region(**fields) -> Region:
    n = next(_sequence)
    return Region.objects.create(**{"code": f"region-{n}", "name": f"Region {n}", **fields})


def make_office(**fields) -> Office:
    n = next(_sequence)
    if "region" not in fields:
        fields["region"] = make_region()
    return Office.objects.create(**{"code": f"OFF{n}", "name": f"Office {n}", **fields})


def make_user(*, office=None, role=None, username=None, **fields) -> User:
    username = username or f"user{next(_sequence)}"
    user = User.objects.create_user(username=username, password="pw", **fields)
    if office is not None:
        Membership.objects.create(user=user, office=office, role=role)
    return user


def make_project(*, office, **fields) -> Project:
    n = next(_sequence)
    sectors = fields.pop("sectors", None)
    defaults = {
        "code": f"PRJ-{n:04d}",
        "title": f"Project {n}",
        "start_date": datetime.date(2026, 1, 1),
        "end_date": datetime.date(2026, 12, 31),
        "current_phase": Phase.objects.get(code="design"),
    }
    project = Project.objects.create(office=office, **{**defaults, **fields})
    project.sectors.set(sectors or [Sector.objects.get(code="shelter")])
    return project


__all__ = ["Role", "make_office", "make_project", "make_region", "make_user"]
