"""What changes between two versions of a framework, item by item and field by field.

Shown before a draft is published (and downloadable), so that the HQ protection unit sees
what new checklists will ask, and what it means for checklists already in progress (they
keep the version they were started with).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .downloads import csv_value
from .framework_workbook import LANGUAGES, TEXTS, framework_content
from .models import EDITABLE_STATUSES, Checklist, ChecklistStatus, Framework


@dataclass
class Change:
    code: str
    field: str
    language: str
    before: str
    after: str


@dataclass
class Comparison:
    old: Framework
    new: Framework
    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    checklists_in_progress: int = 0

    @property
    def changed_codes(self) -> list[str]:
        return sorted({change.code for change in self.changed})

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _plain(value) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)


FIELDS = ["phase", "principle", "order", "critical", "not_applicable", "sectors", "topics"]


def compare_frameworks(old: Framework, new: Framework) -> Comparison:
    before = {item["code"]: item for item in framework_content(old)["items"]}
    after = {item["code"]: item for item in framework_content(new)["items"]}
    comparison = Comparison(old=old, new=new)
    comparison.added = [after[code] for code in after if code not in before]
    comparison.removed = [before[code] for code in before if code not in after]
    for code in (code for code in after if code in before):
        old_item, new_item = before[code], after[code]
        for name in FIELDS:
            if old_item[name] != new_item[name]:
                comparison.changed.append(
                    Change(code, name, "", _plain(old_item[name]), _plain(new_item[name]))
                )
        for text in TEXTS:
            for lang in LANGUAGES:
                was, now = old_item[text].get(lang, ""), new_item[text].get(lang, "")
                if was != now:
                    comparison.changed.append(Change(code, text, lang, was, now))
    comparison.checklists_in_progress = Checklist.objects.filter(
        framework=old, status__in=[*EDITABLE_STATUSES, ChecklistStatus.SUBMITTED]
    ).count()
    return comparison


def comparison_csv(comparison: Comparison) -> str:
    """The comparison as a CSV file, one line per change, for reading in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [_("Item code"), _("Change"), _("Field"), _("Language"), _("Before"), _("After")]
    )
    lines = [
        *[
            [i["code"], _("added"), "", "", "", i["question"].get("en", "")]
            for i in comparison.added
        ],
        *[
            [i["code"], _("removed"), "", "", i["question"].get("en", ""), ""]
            for i in comparison.removed
        ],
        *[
            [c.code, _("changed"), c.field, c.language, c.before, c.after]
            for c in comparison.changed
        ],
    ]
    for line in lines:
        writer.writerow([csv_value(value) for value in line])
    return "\ufeff" + buffer.getvalue()
