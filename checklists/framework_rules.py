"""What a valid framework is: the one home of the rules an item and a version must keep,
whatever the way in (an uploaded workbook or JSON file, a draft edited in the app, the
publishing of a draft). Each rule breaks into problems a person can act on, by row (an
item's place in the file) and column, in their language.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from projects.models import Sector

from .models import Item, Phase, Principle, Topic

LANGUAGES = [code for code, _name in settings.LANGUAGES]
TEXTS = ("question", "guidance", "source")
# Fewer common items than this in a phase and principle leaves a checklist without substance.
MIN_ITEMS_PER_CELL = 4
# More would make checklists no one can fill (v2 has 154); it also bounds what an import writes.
MAX_ITEMS = 1000
MAX_CODE_LENGTH = Item._meta.get_field("code").max_length


@dataclass
class Problem:
    """One thing wrong in a framework: where (row and column, when known) and what."""

    row: int | None
    column: str
    message: str


@dataclass(frozen=True)
class References:
    """The codes an item may name, read once for a whole framework."""

    phases: frozenset
    principles: frozenset
    sectors: frozenset
    topics: frozenset

    @classmethod
    def read(cls) -> References:
        return cls(
            frozenset(Phase.objects.values_list("code", flat=True)),
            frozenset(Principle.objects.values_list("code", flat=True)),
            frozenset(Sector.objects.values_list("code", flat=True)),
            frozenset(Topic.objects.values_list("code", flat=True)),
        )


def text_names() -> dict[str, str]:
    return {"question": _("question"), "guidance": _("guidance"), "source": _("source")}


def in_language(lang: str) -> str:
    """ "in French", as a phrase, in the active language."""
    return {
        "en": _("in English"),
        "fr": _("in French"),
        "es": _("in Spanish"),
        "ar": _("in Arabic"),
    }.get(lang, lang)


def framework_problems(items: list[dict], *, languages=LANGUAGES) -> list[Problem]:
    """Every problem of a framework's items (the content format of framework_content):
    its size, each item, codes used twice, and phase × principle cells left thin. A file
    brings every language; a framework published before a language came needs only those
    it was written in (see languages_of)."""
    if len(items) > MAX_ITEMS:
        return [
            Problem(
                None,
                "",
                _("The file has %(count)s items; a framework may have at most %(maximum)s.")
                % {"count": len(items), "maximum": MAX_ITEMS},
            )
        ]
    references = References.read()
    problems: list[Problem] = []
    seen: dict[str, int | None] = {}
    for number, item in enumerate(items, start=1):
        row = item.get("row", number)
        problems += item_problems(item, references, row=row, languages=languages)
        code = item.get("code", "")
        if code in seen:
            message = _("The code %(code)s is already used on row %(row)s.")
            problems.append(Problem(row, "code", message % {"code": code, "row": seen[code]}))
        elif code:
            seen[code] = row
    problems += _thin_cells(items, references)
    return problems


def item_problems(
    item: dict, references: References, *, row: int | None = None, languages=LANGUAGES
) -> list[Problem]:
    """What is wrong with one item: its code, the codes it names, its texts (question and
    guidance written in each of ``languages``)."""
    problems = []
    code = item.get("code", "")
    if not code or len(code) > MAX_CODE_LENGTH:
        problems.append(Problem(row, "code", _("Give a code of 1 to 20 characters.")))
    for column, known in (("phase", references.phases), ("principle", references.principles)):
        value = item.get(column)
        if value not in known:
            name = {"phase": _("phase"), "principle": _("principle")}[column]
            message = _("“%(value)s” is not a %(column)s code. Choose one from the list.")
            problems.append(Problem(row, column, message % {"value": value or "", "column": name}))
    unknown = {
        "sector": _("There is no sector “%(value)s”. Use a code from the Sectors sheet."),
        "topics": _("There is no topic “%(value)s”. Use a code from the Topics sheet."),
    }
    for column, known, values in (
        ("sector", references.sectors, item["sectors"]),
        ("topics", references.topics, item["topics"]),
    ):
        message = unknown[column]
        problems += [Problem(row, column, message % {"value": v}) for v in values if v not in known]
    return problems + _text_problems(item, row, languages)


def _text_problems(item: dict, row: int | None, languages: list[str]) -> list[Problem]:
    """Question and guidance in every language; no text longer than the model keeps."""
    problems = []
    names = text_names()
    missing = _("The %(text)s %(in_language)s is missing.")
    too_long = _("This text has %(count)s characters; at most %(maximum)s are kept.")
    for text in TEXTS:
        limit = Item._meta.get_field(f"{text}_en").max_length
        for lang in LANGUAGES:
            value = item[text].get(lang, "") or ""
            column = f"{text}::{lang}"
            if text != "source" and lang in languages and not value.strip():
                where = {"text": names[text], "in_language": in_language(lang)}
                problems.append(Problem(row, column, missing % where))
            elif limit and len(value) > limit:
                size = {"count": len(value), "maximum": limit}
                problems.append(Problem(row, column, too_long % size))
    return problems


def _thin_cells(items: list[dict], references: References) -> list[Problem]:
    """A phase and principle with too few items for every project (items with no sector)."""
    counts = {(ph, pr): 0 for ph in references.phases for pr in references.principles}
    for item in items:
        key = (item.get("phase"), item.get("principle"))
        if key in counts and not item["sectors"]:
            counts[key] += 1
    message = _(
        "%(phase)s × %(principle)s has %(count)s items for every project; it needs at least "
        "%(minimum)s."
    )
    return [
        Problem(
            None,
            "phase, principle",
            message % {"phase": ph, "principle": pr, "count": n, "minimum": MIN_ITEMS_PER_CELL},
        )
        for (ph, pr), n in sorted(counts.items())
        if n < MIN_ITEMS_PER_CELL
    ]


def languages_of(items: list[dict]) -> list[str]:
    """The languages a framework's questions are written in, English and French always."""
    written = {lang for item in items for lang, text in item["question"].items() if text}
    return [lang for lang in LANGUAGES if lang in written or lang in ("en", "fr")]
