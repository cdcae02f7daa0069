"""Scores and ratings: the one place that computes them.

Per principle: score = (yes + 0.5 x partial) / (yes + partial + no). "Not applicable" and
unanswered items are left out. Rating:

- green: score >= 80% and no open critical gap;
- amber: score 50-79%, or a critical gap (critical item answered "no") that has a complete
  action point not yet done;
- red: score below 50%, or a critical gap without a complete action point;
- not rated: nothing answered yet but "not applicable".

Office items (an office's own items, after the framework's) are scored apart: the framework
score, tallies and dashboards count the framework's items only; ``office_score`` and
``office_scores_for_checklists`` give the office items' score shown beside it.

Views, dashboards and reports all call this module. Counts come either from answers already
in memory (``count_answers``) or from a database aggregation (``counts_for_checklists``); both
feed the same ``rate`` so the figures on a page and in a report are always the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from .models import (
    ActionPoint,
    Answer,
    CriticalGap,
    PrincipleTally,
    Response,
)

GREEN_FROM = Decimal("0.80")
AMBER_FROM = Decimal("0.50")


class Rating:
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NOT_RATED = "not_rated"

    LABELS = {
        GREEN: _("Green: on track"),
        AMBER: _("Amber: gaps to address"),
        RED: _("Red: serious gaps"),
        NOT_RATED: _("Not rated yet"),
    }
    # The word alone, where a legend beside a wide table says what it means.
    WORDS = {
        GREEN: _("Green"),
        AMBER: _("Amber"),
        RED: _("Red"),
        NOT_RATED: _("Not rated"),
    }


@dataclass
class Counts:
    """How a set of answers splits; the input of every score."""

    yes: int = 0
    partial: int = 0
    no: int = 0
    not_applicable: int = 0
    unanswered: int = 0
    # Critical items answered "no": without a complete action point / with one still open.
    critical_gaps_without_action: int = 0
    critical_gaps_open: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            *(a + b for a, b in zip(vars(self).values(), vars(other).values(), strict=True))
        )

    @property
    def applicable(self) -> int:
        return self.yes + self.partial + self.no + self.unanswered

    @property
    def answered(self) -> int:
        return self.yes + self.partial + self.no + self.not_applicable

    @property
    def total(self) -> int:
        return self.answered + self.unanswered

    @property
    def critical_gaps(self) -> int:
        return self.critical_gaps_without_action + self.critical_gaps_open


# Which count each response adds to.
RESPONSE_FIELDS = {
    Response.YES: "yes",
    Response.PARTIAL: "partial",
    Response.NO: "no",
    Response.NOT_APPLICABLE: "not_applicable",
}


@dataclass
class Score:
    counts: Counts
    value: Decimal | None  # 0..1, None when nothing scorable is answered
    rating: str

    @property
    def percent(self) -> int | None:
        if self.value is None:
            return None
        return int((self.value * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))

    @property
    def rating_label(self):
        return Rating.LABELS[self.rating]

    @property
    def rating_word(self):
        return Rating.WORDS[self.rating]


@dataclass
class ChecklistScores:
    by_principle: dict[int, Score] = field(default_factory=dict)  # principle id -> score
    overall: Score | None = None


def score_value(counts: Counts) -> Decimal | None:
    scored = counts.yes + counts.partial + counts.no
    if scored == 0:
        return None
    return (Decimal(counts.yes) + Decimal(counts.partial) / 2) / Decimal(scored)


def rate(counts: Counts) -> Score:
    value = score_value(counts)
    if value is None and counts.critical_gaps == 0:
        rating = Rating.NOT_RATED
    elif counts.critical_gaps_without_action or (value is not None and value < AMBER_FROM):
        rating = Rating.RED
    elif counts.critical_gaps_open or value < GREEN_FROM:
        rating = Rating.AMBER
    else:
        rating = Rating.GREEN
    return Score(counts=counts, value=value, rating=rating)


# Office items (an office's own, added after the framework's items) are scored apart: the
# framework score stays comparable across offices (dashboards, portfolio, tallies).
FRAMEWORK_ITEMS = Q(item__framework__office__isnull=True)


def is_office_item(item) -> bool:
    return item.framework.office_id is not None


def count_answer(answer: Answer) -> Counts:
    """What one answer adds to its principle's counts in the framework score (item and
    action_point loaded); an office item adds nothing there (see office_score)."""
    if is_office_item(answer.item):
        return Counts()
    return _count(answer)


def _count(answer: Answer) -> Counts:
    counts = Counts()
    field = RESPONSE_FIELDS.get(answer.response, "unanswered")
    setattr(counts, field, 1)
    gap = answer.critical_gap
    if gap == CriticalGap.WITHOUT_ACTION:
        counts.critical_gaps_without_action = 1
    elif gap == CriticalGap.OPEN:
        counts.critical_gaps_open = 1
    return counts


def count_answers(answers: Iterable[Answer]) -> dict[int, Counts]:
    """Counts per principle id from answers in memory (with item and action_point loaded),
    of the framework's items."""
    by_principle: dict[int, Counts] = {}
    for answer in answers:
        if is_office_item(answer.item):
            continue
        principle_id = answer.item.principle_id
        by_principle[principle_id] = by_principle.get(principle_id, Counts()) + count_answer(answer)
    return by_principle


def scores_from_counts(by_principle: dict[int, Counts]) -> ChecklistScores:
    total = Counts()
    for counts in by_principle.values():
        total = total + counts
    return ChecklistScores(
        by_principle={pid: rate(counts) for pid, counts in by_principle.items()},
        overall=rate(total),
    )


def score_answers(answers: Iterable[Answer]) -> ChecklistScores:
    """The framework score of answers in memory (office items left out)."""
    return scores_from_counts(count_answers(answers))


def office_score(answers: Iterable[Answer]) -> Score | None:
    """The score of the office items among answers in memory; None when there are none."""
    counts = [_count(a) for a in answers if is_office_item(a.item)]
    return rate(sum(counts, Counts())) if counts else None


def count_by(answers, *fields: str) -> dict[tuple, Counts]:
    """Counts of an Answer queryset grouped by ``fields``, in one aggregate query.

    ``count_by(answers, "checklist_id", "item__principle_id")`` gives
    {(checklist id, principle id): Counts}. Dashboards group by office or project the same way.
    """
    critical_no = Answer.critical_gap_q()
    complete_action = ActionPoint.complete_q("action_point__")
    rows = (
        answers.values(*fields)
        .annotate(
            yes=Count("pk", filter=Q(response=Response.YES)),
            partial=Count("pk", filter=Q(response=Response.PARTIAL)),
            no=Count("pk", filter=Q(response=Response.NO)),
            not_applicable=Count("pk", filter=Q(response=Response.NOT_APPLICABLE)),
            unanswered=Count("pk", filter=Q(response="")),
            critical_gaps_without_action=Count("pk", filter=critical_no & ~complete_action),
            critical_gaps_open=Count(
                "pk", filter=critical_no & complete_action & Q(action_point__done_on__isnull=True)
            ),
        )
        .order_by()
    )
    result = {}
    for row in rows:
        key = tuple(row.pop(field) for field in fields)
        result[key] = Counts(**row)
    return result


def counts_for_checklists(checklist_ids: Iterable[int]) -> dict[int, dict[int, Counts]]:
    """Counts per checklist id and principle id, in one aggregate query."""
    answers = Answer.objects.filter(FRAMEWORK_ITEMS, checklist_id__in=list(checklist_ids))
    result: dict[int, dict[int, Counts]] = {}
    for (checklist_id, principle_id), counts in count_by(
        answers, "checklist_id", "item__principle_id"
    ).items():
        result.setdefault(checklist_id, {})[principle_id] = counts
    return result


def scores_for_checklists(checklist_ids: Iterable[int]) -> dict[int, ChecklistScores]:
    return {
        checklist_id: scores_from_counts(by_principle)
        for checklist_id, by_principle in counts_for_checklists(checklist_ids).items()
    }


def office_scores_for_checklists(checklist_ids: Iterable[int]) -> dict[int, Score]:
    """The office items' score of each of these checklists that has office items."""
    answers = Answer.objects.filter(checklist_id__in=list(checklist_ids)).exclude(FRAMEWORK_ITEMS)
    return {key[0]: rate(counts) for key, counts in count_by(answers, "checklist_id").items()}


def office_score_of(checklist_id: int) -> Score | None:
    """The office items' score of one checklist (None when it has none), in one query."""
    return office_scores_for_checklists([checklist_id]).get(checklist_id)


# --- Tallies: the same counts, stored for dashboards (kept by checklists/tallies.py) -----

COUNT_FIELDS = [f.name for f in fields(Counts)]


def counts_by_code(checklist_id: int) -> dict[str, Counts]:
    """A checklist's counts by principle code, from its tallies."""
    rows = PrincipleTally.objects.filter(checklist_id=checklist_id).values_list(
        "principle__code", *COUNT_FIELDS
    )
    return {code: Counts(*counts) for code, *counts in rows}


def count_tallies(tallies, *group_fields: str) -> dict[tuple, Counts]:
    """Sum of tallies grouped by ``group_fields``, in one aggregate query."""
    rows = (
        tallies.values(*group_fields)
        .annotate(**{f"{n}_sum": Sum(n) for n in COUNT_FIELDS})
        .order_by()
    )
    result = {}
    for row in rows:
        key = tuple(row[field] for field in group_fields)
        result[key] = Counts(**{n: row[f"{n}_sum"] or 0 for n in COUNT_FIELDS})
    return result


def tallied_scores(checklist_ids: Iterable[int]) -> dict[int, ChecklistScores]:
    """Scores of these checklists from their tallies (what pages listing checklists use:
    four rows a checklist instead of every answer)."""
    by_checklist: dict[int, dict[int, Counts]] = {}
    rows = PrincipleTally.objects.filter(checklist_id__in=list(checklist_ids)).values_list(
        "checklist_id", "principle_id", *COUNT_FIELDS
    )
    for checklist_id, principle_id, *counts in rows:  # one row a checklist and principle
        by_checklist.setdefault(checklist_id, {})[principle_id] = Counts(*counts)
    return {pk: scores_from_counts(counts) for pk, counts in by_checklist.items()}


def rate_tallies(tallies, *group_fields: str) -> dict[tuple, Score]:
    return {key: rate(counts) for key, counts in count_tallies(tallies, *group_fields).items()}
