"""Workflow actions at the same moment, in real threads with their own connections.

Runs on PostgreSQL (row locks) and on SQLite (IMMEDIATE transactions, which queue writers):
both must end with zero errors and tallies equal to a recount of the answers.
"""

import datetime
import threading

import pytest
from django.db import connection

from checklists import scoring, tallies, workflow
from checklists.models import ActionPoint, Answer, Item, PrincipleTally

from ..factories import make_checklist

PAIRS = 30


def run_at_once(*actions):
    """Run the actions in threads released together; returns the exceptions raised."""
    barrier = threading.Barrier(len(actions))
    errors = []

    def run(action):
        barrier.wait()
        try:
            action()
        except Exception as error:  # collected: the test asserts there are none
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def tallies_of(checklist):
    return {
        tally.principle_id: scoring.Counts(**{n: getattr(tally, n) for n in scoring.COUNT_FIELDS})
        for tally in PrincipleTally.objects.filter(checklist=checklist)
    }


def recount(checklist):
    answers = Answer.objects.filter(checklist=checklist).select_related("item", "action_point")
    return scoring.count_answers(answers)


@pytest.mark.django_db(transaction=True)
def test_marking_points_done_while_saving_answers_never_fails(framework, staff_a, project_a):
    checklist = make_checklist(project=project_a, user=staff_a, item_count=2 * PAIRS)
    answers = list(checklist.answers.select_related("item").order_by("item__order"))
    gaps, others = answers[:PAIRS], answers[PAIRS:]
    Item.objects.filter(pk__in=[a.item_id for a in gaps]).update(critical=True)
    for answer in gaps:
        workflow.save_answer(
            checklist=checklist,
            answer_id=answer.pk,
            user=staff_a,
            values=workflow.AnswerInput(
                response="no",
                action_description="Fix it",
                action_owner=staff_a,
                action_due=datetime.date(2027, 1, 31),
            ),
            based_on_version=0,
        )
    action_points = list(
        ActionPoint.objects.filter(answer__in=gaps).order_by("answer__item__order")
    )
    assert len(action_points) == PAIRS

    errors = []
    for action_point, other in zip(action_points, others, strict=True):
        errors += run_at_once(
            lambda ap=action_point: workflow.mark_action_point_done(
                action_point=ap, user=staff_a, done_on=datetime.date(2026, 11, 1), note="Done"
            ),
            lambda answer=other: workflow.save_answer(
                checklist=checklist,
                answer_id=answer.pk,
                user=staff_a,
                values=workflow.AnswerInput(response="yes"),
                based_on_version=0,
            ),
        )

    assert errors == []
    assert (
        ActionPoint.objects.filter(
            pk__in=[a.pk for a in action_points], done_on__isnull=False
        ).count()
        == PAIRS
    )
    assert Answer.objects.filter(pk__in=[a.pk for a in others], response="yes").count() == PAIRS
    assert tallies_of(checklist) == recount(checklist)
    total = sum(tallies_of(checklist).values(), scoring.Counts())
    assert (total.yes, total.no, total.critical_gaps_open) == (PAIRS, PAIRS, 0)


@pytest.mark.django_db(transaction=True)
def test_saves_of_different_items_at_once_all_land_in_the_tallies(framework, staff_a, project_a):
    checklist = make_checklist(project=project_a, user=staff_a, item_count=16)
    answers = list(checklist.answers.all())
    errors = run_at_once(
        *[
            lambda answer=answer: workflow.save_answer(
                checklist=checklist,
                answer_id=answer.pk,
                user=staff_a,
                values=workflow.AnswerInput(
                    response="partial" if answer.pk % 2 else "yes",
                    action_description="Do more",
                    action_owner=staff_a,
                    action_due=datetime.date(2027, 1, 1),
                ),
                based_on_version=0,
            )
            for answer in answers
        ]
    )
    assert errors == []
    assert tallies_of(checklist) == recount(checklist)
    assert sum(c.answered for c in tallies_of(checklist).values()) == 16


@pytest.mark.django_db(transaction=True)
def test_recounting_a_checklist_twice_at_once_never_collides(framework, staff_a, project_a):
    checklist = make_checklist(project=project_a, user=staff_a, item_count=8)
    errors = []
    for _round in range(10):
        PrincipleTally.objects.filter(checklist=checklist).delete()
        errors += run_at_once(
            lambda: tallies.refresh_tallies([checklist.pk]),
            lambda: tallies.refresh_tallies([checklist.pk]),
        )
    assert errors == []
    assert tallies_of(checklist) == recount(checklist)


@pytest.mark.django_db(transaction=True)
def test_marking_done_while_the_same_answer_changes_keeps_the_tallies_true(
    framework, staff_a, project_a
):
    checklist = make_checklist(project=project_a, user=staff_a, item_count=PAIRS)
    answers = list(checklist.answers.select_related("item"))
    Item.objects.filter(pk__in=[a.item_id for a in answers]).update(critical=True)
    gap = workflow.AnswerInput(
        response="no",
        action_description="Fix it",
        action_owner=staff_a,
        action_due=datetime.date(2027, 1, 31),
    )
    for answer in answers:
        workflow.save_answer(
            checklist=checklist, answer_id=answer.pk, user=staff_a, values=gap, based_on_version=0
        )
    errors = []
    for answer in answers:
        action_point = ActionPoint.objects.get(answer=answer)
        errors += run_at_once(
            lambda ap=action_point: workflow.mark_action_point_done(
                action_point=ap, user=staff_a, done_on=datetime.date(2026, 11, 1), note="Done"
            ),
            lambda answer=answer: workflow.save_answer(
                checklist=checklist,
                answer_id=answer.pk,
                user=staff_a,
                values=workflow.AnswerInput(response="yes"),
                based_on_version=1,
            ),
        )
    # The only refusal allowed: the point was withdrawn by the save that came first.
    assert all(
        isinstance(e, workflow.WorkflowError) and "withdrawn" in e.message for e in errors
    ), errors
    assert tallies_of(checklist) == recount(checklist)
    assert Answer.objects.filter(checklist=checklist, response="yes").count() == PAIRS
