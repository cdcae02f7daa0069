"""Reading a framework file (fixtures/framework_v*.json) into the database.

The file holds one framework version: its items with their phase, principle, sectors,
topics and texts in every language. Loading is idempotent. A published version is never
changed: if the file differs from it, loading stops and asks for a new version number.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from . import workflow
from .framework_workbook import framework_content
from .models import Framework, FrameworkStatus

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def _item_signature(item: dict, languages=None) -> tuple:
    """What makes two items the same, for comparing a file with the database (in these
    languages: by default every language of the app)."""
    languages = LANGUAGE_CODES if languages is None else languages
    return (
        item["code"],
        item["phase"],
        item["principle"],
        item["order"],
        bool(item["critical"]),
        bool(item["not_applicable"]),
        tuple(sorted(item["sectors"])),
        tuple(sorted(item["topics"])),
        tuple(item["question"].get(lang, "") for lang in languages),
        tuple(item["guidance"].get(lang, "") for lang in languages),
        tuple(item["source"].get(lang, "") for lang in languages),
    )


def read_framework_file(path: Path) -> dict:
    content = json.loads(Path(path).read_text(encoding="utf-8"))
    orders: dict[tuple, int] = {}
    for item in content["items"]:
        key = (item["phase"], item["principle"])
        orders[key] = orders.get(key, 0) + 1
        item.setdefault("order", orders[key])
        item.setdefault("sectors", [])
        item.setdefault("topics", [])
        item.setdefault("critical", False)
        item.setdefault("not_applicable", True)
        item.setdefault("source", {})
    return content


def _signatures_in_database(framework: Framework) -> set[tuple]:
    return {_item_signature(item) for item in framework_content(framework)["items"]}


def _languages_in_database(framework: Framework) -> list[str]:
    """The languages the framework's questions are written in (a language added to the app
    after the framework was published has none yet)."""
    items = framework.items.all()
    return [
        lang
        for lang in LANGUAGE_CODES
        if items.exclude(**{f"question_{lang}__isnull": True})
        .exclude(**{f"question_{lang}": ""})
        .exists()
    ]


def _add_translations(framework: Framework, content: dict, languages: list[str]) -> None:
    """Write the file's texts in ``languages`` into a published framework whose items are
    otherwise the same: a translation added later changes no question, so checklists and
    reports stay true."""
    for lang in languages:
        setattr(framework, f"name_{lang}", content["name"].get(lang, ""))
    framework.save()
    by_code = {item.code: item for item in framework.items.all()}
    for entry in content["items"]:
        item = by_code[entry["code"]]
        for lang in languages:
            for text in ("question", "guidance", "source"):
                setattr(item, f"{text}_{lang}", entry[text].get(lang, ""))
        item.save()


@transaction.atomic
def load_framework_file(path: Path, *, earlier: bool = False) -> tuple[Framework, str]:
    """Create, update or confirm the framework version in ``path``; publish it, or record
    it as retired when a newer file replaces it (``earlier``).

    Returns the framework and what happened: "created", "updated" or "unchanged".
    """
    content = read_framework_file(path)
    framework, created = Framework.objects.get_or_create(
        code=content["code"],
        version=content["version"],
        defaults={f"name_{lang}": content["name"].get(lang, "") for lang in LANGUAGE_CODES},
    )
    wanted = {_item_signature(item) for item in content["items"]}
    if not framework.is_editable:
        written = _languages_in_database(framework)
        missing = [  # languages the file has and the database lacks
            lang
            for lang in LANGUAGE_CODES
            if lang not in written and any(item["question"].get(lang) for item in content["items"])
        ]
        same_texts = {_item_signature(item, written) for item in content["items"]} == {
            _item_signature(item, written) for item in framework_content(framework)["items"]
        }
        if missing and same_texts:
            _add_translations(framework, content, missing)
            return framework, "translated"
        if _signatures_in_database(framework) != wanted:
            raise ValidationError(
                f"{framework} is {framework.status} and differs from {path}. Published "
                "frameworks never change: give the file a new version number."
            )
        return framework, "unchanged"

    for lang in LANGUAGE_CODES:
        setattr(framework, f"name_{lang}", content["name"].get(lang, ""))
    framework.save()
    workflow.write_items(framework, content["items"])
    if framework.status == FrameworkStatus.DRAFT and earlier:
        workflow.record_earlier_version(framework=framework)
        framework.refresh_from_db()
    elif framework.status == FrameworkStatus.DRAFT:
        workflow.publish_framework(framework=framework)
        framework.refresh_from_db()
    return framework, "created" if created else "updated"
