"""Scoring maths on hand-worked examples, and the two code paths agreeing."""

import datetime
from decimal import Decimal

import pytest

from checklists import scoring, workflow
from checklists.models import ActionPoint, Answer, Item
from checklists.scoring import Counts, Rating

from ..factories import make_checklist, make_framework_items, make_project


def test_score_is_yes_plus_half_partial_over_scored_items():
    # 3 yes, 1 partial, 1 no: (3 + 0.5) / 5 = 70% -> amber
    score = scoring.rate(Counts(yes=3, partial=1, no=1))
    assert score.value == Decimal("0.7")
    assert score.percent == 70
    assert score.rating == Rating.AMBER


def test_not_applicable_and_unanswered_are_left_out():
    score = scoring.rate(Counts(yes=4, not_applicable=3, unanswered=2))
    assert score.value == 1 and score.percent == 100 and score.rating == Rating.GREEN


def test_all_not_applicable_is_not_rated():
    score = scoring.rate(Counts(not_applicable=5))
    assert score.value is None and score.percent is None
    assert score.rating == Rating.NOT_RATED
    assert str(score.rating_label) == "Not rated yet"


@pytest.mark.parametrize(
    ("counts", "percent", "rating"),
    [
        (Counts(yes=4, no=1), 80, Rating.GREEN),  # exactly 80% is green
        (Counts(yes=3, partial=2, no=0), 80, Rating.GREEN),  # (3 + 1) / 5
        (Counts(yes=1, no=1), 50, Rating.AMBER),  # exactly 50% is amber
        (Counts(yes=0, partial=2, no=0), 50, Rating.AMBER),  # partial alone = half
        (Counts(yes=2, partial=1, no=3), 42, Rating.RED),  # 2.5 / 6
        (Counts(no=3), 0, Rating.RED),
    ],
)
def test_thresholds(counts, percent, rating):
    score = scoring.rate(counts)
    assert score.percent == percent
    assert score.rating == rating


def test_critical_gap_without_action_point_is_red_whatever_the_score():
    score = scoring.rate(Counts(yes=9, no=1, critical_gaps_without_action=1))
    assert score.percent == 90
    assert score.rating == Rating.RED


def test_critical_gap_with_open_action_point_is_at_most_amber():
    assert scoring.rate(Counts(yes=9, no=1, critical_gaps_open=1)).rating == Rating.AMBER


def test_critical_gap_whose_action_point_is_done_no_longer_blocks_green(office_a, staff_a):
    """A critical "no" is closed by a complete action point marked done, and only then: the
    rating, the tallies and the list of open critical gaps all read the same rule."""
    project = make_project(office=office_a)
    _framework, items = make_framework_items(10)
    Item.objects.filter(pk=items[0].pk).update(critical=True)
    checklist = make_checklist(project=project, user=staff_a, items=items)
    gap = checklist.answers.get(item=items[0])
    for answer in checklist.answers.exclude(pk=gap.pk):
        workflow.save_answer(
            checklist=checklist,
            answer_id=answer.pk,
            user=staff_a,
            values=workflow.AnswerInput(response="yes"),
            based_on_version=0,
        )
    workflow.save_answer(
        checklist=checklist,
        answer_id=gap.pk,
        user=staff_a,
        values=workflow.AnswerInput(response="no", action_description="Map referral pathways"),
        based_on_version=0,
    )

    def state():
        from_answers = scoring.scores_for_checklists([checklist.pk])[checklist.pk].overall
        from_tallies = scoring.tallied_scores([checklist.pk])[checklist.pk].overall
        assert from_answers.rating == from_tallies.rating
        still_open = Answer.objects.filter(pk=gap.pk).open_critical_gaps().exists()
        return from_answers.rating, still_open

    # No owner, no due date: not a plan, and it cannot be marked done.
    assert state() == (Rating.RED, True)
    with pytest.raises(workflow.WorkflowError):
        workflow.mark_action_point_done(
            action_point=gap.action_point, user=staff_a, done_on=datetime.date.today(), note=""
        )
    assert state() == (Rating.RED, True)
    # Complete, then done: the gap is closed everywhere.
    gap.refresh_from_db()
    workflow.save_answer(
        checklist=checklist,
        answer_id=gap.pk,
        user=staff_a,
        values=workflow.AnswerInput(
            response="no",
            action_description="Map referral pathways",
            action_owner=staff_a,
            action_due=datetime.date(2027, 1, 31),
        ),
        based_on_version=gap.version,
    )
    assert state() == (Rating.AMBER, True)
    gap.refresh_from_db()
    workflow.mark_action_point_done(
        action_point=gap.action_point, user=staff_a, done_on=datetime.date.today(), note="Done"
    )
    assert state() == (Rating.GREEN, False)


@pytest.fixture
def scored_checklist(office_a, staff_a):
    """A checklist answered by hand: safety has a critical 'no'."""
    project = make_project(office=office_a)
    _framework, items = make_framework_items(8)
    Item.objects.filter(pk=items[0].pk).update(critical=True)
    checklist = make_checklist(project=project, user=staff_a, items=items)
    answers = {a.item.order: a for a in checklist.answers.select_related("item")}
    # principles cycle safety, access, accountability, participation
    responses = ["no", "yes", "partial", "na", "yes", "no", "yes", ""]
    for order, response in enumerate(responses):
        Answer.objects.filter(pk=answers[order].pk).update(response=response)
    return checklist, answers, staff_a


def _principle_scores(checklist_scores):
    return {pid: (s.percent, s.rating) for pid, s in checklist_scores.by_principle.items()}


@pytest.mark.django_db
def test_database_aggregation_and_answers_in_memory_agree(scored_checklist):
    checklist, answers, staff = scored_checklist
    in_memory = scoring.score_answers(checklist.answers.select_related("item"))
    aggregated = scoring.scores_for_checklists([checklist.pk])[checklist.pk]
    assert _principle_scores(in_memory) == _principle_scores(aggregated)
    safety = answers[0].item.principle_id
    # safety: critical "no" without action point, "yes" -> 50% but red
    assert aggregated.by_principle[safety].percent == 50
    assert aggregated.by_principle[safety].rating == Rating.RED
    # whole checklist: yes 3, partial 1, no 2 -> 3.5 / 6 = 58%
    assert aggregated.overall.percent == 58
    assert aggregated.overall.counts.unanswered == 1
    assert aggregated.overall.counts.not_applicable == 1

    # A complete action point turns the critical gap from red to (at most) amber...
    ActionPoint.objects.create(
        project=checklist.project,
        answer=answers[0],
        description="Do the risk analysis",
        owner=staff,
        due_date="2026-12-01",
    )
    aggregated = scoring.scores_for_checklists([checklist.pk])[checklist.pk]
    in_memory = scoring.score_answers(checklist.answers.select_related("item", "action_point"))
    assert aggregated.by_principle[safety].rating == Rating.AMBER
    assert _principle_scores(in_memory) == _principle_scores(aggregated)


@pytest.mark.django_db
def test_tallies_follow_every_saved_answer_and_give_the_same_scores(office_a, staff_a):
    from checklists import workflow
    from checklists.models import PrincipleTally

    project = make_project(office=office_a)
    _framework, items = make_framework_items(8)
    Item.objects.filter(pk=items[0].pk).update(critical=True)
    checklist = make_checklist(project=project, user=staff_a, items=items)
    answers = list(checklist.answers.order_by("item__order"))
    responses = ["no", "yes", "partial", "na", "yes", "no", "yes", "partial"]
    for answer, response in zip(answers, responses, strict=True):
        workflow.save_answer(
            checklist=checklist,
            answer_id=answer.pk,
            user=staff_a,
            values=workflow.AnswerInput(response=response),
            based_on_version=0,
        )
    from_tallies = scoring.count_tallies(
        PrincipleTally.objects.filter(checklist=checklist), "checklist_id", "principle_id"
    )
    from_answers = scoring.count_by(checklist.answers.all(), "checklist_id", "item__principle_id")
    assert from_tallies == from_answers
    assert sum(c.critical_gaps_without_action for c in from_tallies.values()) == 1
