"""The endorsement chain's rules: which levels endorse a checklist, which level it waits
for, who may decide there. Pure functions over what was read (a few queries per checklist,
never per level); the decision itself is checklists/workflow/review.

Level 1 is the project's office (its focal points, or those of an office above it). Each
``EndorsementRule`` of the project's office or of an office above it, for the checklist's
phase, whose condition holds, adds a level: the focal points of the rule's office decide
there, in the rules' order. An office decides once, at its first level.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from projects import office_tree
from projects.models import Office

from ..models import (
    DEFAULT_ESCALATE_AFTER_DAYS,
    DEFAULT_REMINDER_AFTER_DAYS,
    GAP_RESPONSES,
    Checklist,
    Decision,
    EndorsementRule,
    Response,
    Review,
    RuleCondition,
)


@dataclass(frozen=True)
class Level:
    """A level of a checklist's chain: 1 is the project's office, a higher one a rule's."""

    number: int
    checklist: Checklist
    rule: EndorsementRule | None = None

    @property
    def office(self) -> Office:
        return self.rule.level_office if self.rule else self.checklist.project.office

    @property
    def reminder_after_days(self) -> int:
        return self.rule.reminder_after_days if self.rule else DEFAULT_REMINDER_AFTER_DAYS

    @property
    def escalate_after_days(self) -> int:
        return self.rule.escalate_after_days if self.rule else DEFAULT_ESCALATE_AFTER_DAYS


@dataclass
class Facts:
    """What the rules' conditions look at, read once for a checklist."""

    sector_ids: frozenset[int]
    budget: Decimal | None
    critical_flag: bool


def rules_for(checklist: Checklist) -> list[EndorsementRule]:
    """The rules of the project's office and of the offices above it, for the phase."""
    return list(
        EndorsementRule.objects.filter(office_tree.holds_office(checklist.project.office_id))
        .filter(phase_id=checklist.phase_id)
        .select_related("level_office")
        .prefetch_related("sectors")
        .order_by("order", "pk")
    )


def facts_of(checklist: Checklist) -> Facts:
    project = checklist.project
    critical = checklist.answers.filter(item__critical=True).filter(
        Q(response=Response.NOT_APPLICABLE) | Q(response__in=GAP_RESPONSES)
    )
    return Facts(
        sector_ids=frozenset(project.sectors.values_list("pk", flat=True)),
        budget=project.budget,
        critical_flag=critical.exists(),
    )


def round_reviews(checklist: Checklist) -> list[Review]:
    """The decisions of the current round (since the last submission), lowest level first.
    Earlier rounds' reviews stay as history."""
    if checklist.submitted_at is None:
        return []
    return list(
        checklist.reviews.filter(decided_at__gte=checklist.submitted_at)
        .select_related("reviewer", "acting_for", "level_office")
        .prefetch_related("conditions")
        .order_by("level", "pk")
    )


def condition_holds(rule: EndorsementRule, facts: Facts) -> bool:
    if rule.condition == RuleCondition.ALWAYS:
        return True
    if rule.condition == RuleCondition.SECTORS:
        return bool(facts.sector_ids & {s.pk for s in rule.sectors.all()})
    if rule.condition == RuleCondition.CRITICAL_ITEM:
        return facts.critical_flag
    if rule.condition == RuleCondition.BUDGET_ABOVE:
        return rule.amount is not None and facts.budget is not None and facts.budget > rule.amount
    return False


def chain(
    checklist: Checklist, rules: list[EndorsementRule], facts: Facts, reviews: list[Review]
) -> list[Level]:
    """The levels that endorse this checklist, as far as known: a level that depends on the
    decision below it ("approved with conditions") is known once that decision is made."""
    levels = [Level(1, checklist)]
    decisions = {review.level: review.decision for review in reviews}
    offices = {checklist.project.office_id}
    for rule in rules:
        if rule.level_office_id in offices:
            continue
        if rule.condition == RuleCondition.CONDITIONS_BELOW:
            below = decisions.get(levels[-1].number)
            if below is None:
                break  # not decided yet: the rest of the chain is not known
            holds = below == Decision.APPROVED_WITH_CONDITIONS
        else:
            holds = condition_holds(rule, facts)
        if holds:
            levels.append(Level(len(levels) + 1, checklist, rule))
            offices.add(rule.level_office_id)
    return levels


def chain_of(checklist: Checklist, reviews: list[Review] | None = None) -> list[Level]:
    """The chain of one checklist, read from the database."""
    if reviews is None:
        reviews = round_reviews(checklist)
    rules = rules_for(checklist)
    if not rules:  # the usual case: one level, nothing more to read
        return [Level(1, checklist)]
    return chain(checklist, rules, facts_of(checklist), reviews)


def next_level(levels: list[Level], after: int) -> Level | None:
    """The level after ``after``, if the chain has one."""
    return next((level for level in levels if level.number == after + 1), None)


def waiting_level(checklist: Checklist, levels: list[Level]) -> Level | None:
    """The level a submitted checklist waits for now (None when it does not wait)."""
    if checklist.status != "submitted":
        return None
    found = next((level for level in levels if level.number == checklist.waiting_level), None)
    return found or Level(checklist.waiting_level, checklist, checklist.waiting_rule)


def waited_days(checklist: Checklist, now: datetime.datetime | None = None) -> int:
    """Whole days the checklist has waited at its current level."""
    since = checklist.waiting_since or checklist.submitted_at
    if since is None:
        return 0
    return ((now or timezone.now()) - since).days


def chain_rows(checklist: Checklist, levels: list[Level], reviews: list[Review]) -> list[dict]:
    """For the review page and the report: each level, its decision (if made) and whether
    the checklist waits for it now."""
    by_level = {review.level: review for review in reviews}
    waiting = waiting_level(checklist, levels)
    return [
        {
            "level": level,
            "review": by_level.get(level.number),
            "waiting": waiting is not None and waiting.number == level.number,
        }
        for level in levels
    ]


def waits_by_level(projects, now: datetime.datetime | None = None) -> list[dict]:
    """For the dashboard: submitted checklists of these projects by the level they wait at
    and how long (under 7 days, 7 to 14, over 14), in one query."""
    now = now or timezone.now()
    week, fortnight = now - datetime.timedelta(days=7), now - datetime.timedelta(days=14)
    rows = (
        Checklist.objects.submitted()
        .filter(project__in=projects)
        .annotate(since=Coalesce("waiting_since", "submitted_at"))
        .values("waiting_level")
        .annotate(
            recent=Count("pk", filter=Q(since__gt=week)),
            middle=Count("pk", filter=Q(since__lte=week, since__gt=fortnight)),
            old=Count("pk", filter=Q(since__lte=fortnight)),
        )
        .order_by("waiting_level")
    )
    return [
        {
            "level": row["waiting_level"],
            "counts": [row["recent"], row["middle"], row["old"]],
            "total": row["recent"] + row["middle"] + row["old"],
        }
        for row in rows
    ]
