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


def make_framework_items(count: int, *, phase_code="design", critical_every=0):
    """A throwaway framework with ``count`` items spread over the four principles."""
    from checklists.models import Framework, Item, Principle

    n = next(_sequence)
    framework = Framework.objects.create(code=f"test-{n}", version=1, name=f"Test {n}")
    principles = list(Principle.objects.all())
    phase = Phase.objects.get(code=phase_code)
    items = [
        Item(
            framework=framework,
            code=f"T{n}-{i:03d}",
            phase=phase,
            principle=principles[i % 4],
            order=i,
            question_en=f"Question {i}?",
            question_fr=f"Question {i} ?",
            guidance_en=f"Guidance {i}.",
            guidance_fr=f"Conseil {i}.",
            critical=bool(critical_every) and i % critical_every == 0,
        )
        for i in range(count)
    ]
    Item.objects.bulk_create(items)
    return framework, list(framework.items.order_by("order"))


def make_checklist(*, project, user, items=None, item_count=8, phase_code="design", **fields):
    """A checklist with blank answers for ``items`` (or a fresh set of ``item_count``)."""
    from checklists import tallies
    from checklists.models import Answer, Checklist

    if items is None:
        _framework, items = make_framework_items(item_count, phase_code=phase_code)
    checklist = Checklist.objects.create(
        project=project,
        phase=items[0].phase,
        framework=items[0].framework,
        started_by=user,
        **fields,
    )
    Answer.objects.bulk_create(Answer(checklist=checklist, item=item) for item in items)
    tallies.refresh_tallies([checklist.pk])  # as workflow.start_checklist does
    return checklist


def answer_data(answer, **values):
    """POST data for one answer, as the checklist page sends it."""
    prefix = f"a{answer.pk}"
    data = {f"{prefix}-version": values.pop("version", answer.version)}
    for key, value in values.items():
        data[f"{prefix}-{key}"] = value
    return data


def response_inputs_in(body: str) -> bool:
    """Whether a page offers the responses of an answer to change (an editable checklist)."""
    import re

    return re.search(r'<input type="?radio"? name="?a\d+-response', body) is not None


def start_project_checklist(*, office, staff, **project_fields):
    """A project in design with its design checklist started through the workflow."""
    from checklists import workflow

    sectors = project_fields.pop("sectors", None) or list(Sector.objects.filter(pk=1))
    project = make_project(office=office, sectors=sectors, **project_fields)
    return project, workflow.start_checklist(project=project, user=staff)


def answer_everything(checklist, user, *, submit=True):
    """Answer every item "yes" through the workflow, and submit the checklist."""
    from checklists import workflow

    for answer in checklist.answers.all():
        workflow.save_answer(
            checklist=checklist,
            answer_id=answer.pk,
            user=user,
            values=workflow.AnswerInput(response="yes"),
            based_on_version=answer.version,
        )
    if submit:
        workflow.submit_checklist(checklist=checklist, user=user)
    return checklist


def app_code(device=None, *, key: bytes | None = None, last_t: int = -1) -> str:
    """The code an authenticator app shows for ``device`` (or a raw ``key``): the current
    one, or the next if the current one was already used (a code works once)."""
    import time

    from django_otp.oath import TOTP

    if device is not None:
        device.refresh_from_db()
        key, last_t = device.bin_key, device.last_t
    totp = TOTP(key)
    totp.time = time.time()
    step = max(totp.t(), last_t + 1)
    totp.time = step * totp.step + 1
    return f"{totp.token():06d}"


def photo(image_format: str, *, size=(64, 48), **save_options) -> bytes:
    """A real picture (JPEG or PNG) made with Pillow, as a phone would send it."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, format=image_format, **save_options)
    return buffer.getvalue()
