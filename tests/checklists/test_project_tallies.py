"""Each project's tallies and each monitoring round's (what the dashboard sums) follow the
reported checklists: moved by the workflow in the same transaction, equal to a recount
after every step, also when steps run at once, and rebuilt by ``refresh_tallies``."""

import datetime
import io

import pytest
from django.core.management import call_command

from checklists import scoring, tallies, workflow
from checklists.models import (
    REPORTED_STATUSES,
    ActionPoint,
    Decision,
    Item,
    MonitoringRoundTally,
    PrincipleTally,
    ProjectTally,
)

from ..factories import make_checklist, make_project
from .test_concurrency import run_at_once

pytestmark = pytest.mark.django_db
DUE = datetime.date(2027, 1, 31)


def project_tally(project):
    """The project's stored tallies, rows of zeros left out (a returned checklist leaves them)."""
    counts = scoring.count_tallies(ProjectTally.objects.filter(project=project), "principle_id")
    return {key: c for key, c in counts.items() if c != scoring.Counts()}


def recount(project):
    reported = PrincipleTally.objects.filter(
        checklist__project=project, checklist__status__in=REPORTED_STATUSES
    )
    return scoring.count_tallies(reported, "principle_id")


def rounds(project):
    """The project's stored monitoring rounds: (checklist, submitted at) -> counts."""
    stored = MonitoringRoundTally.objects.filter(project=project)
    return scoring.count_tallies(stored, "checklist_id", "submitted_at")


def recounted_rounds(project):
    reported = PrincipleTally.objects.filter(
        checklist__project=project,
        checklist__status__in=REPORTED_STATUSES,
        checklist__phase__code="implementation",
    )
    return scoring.count_tallies(reported, "checklist_id", "checklist__submitted_at")


def fill(checklist, user, *, critical_gaps=0):
    """Answer every item: the first ``critical_gaps`` critical and "no" with an action point."""
    answers = list(checklist.answers.select_related("item").order_by("item__order"))
    Item.objects.filter(pk__in=[a.item_id for a in answers[:critical_gaps]]).update(critical=True)
    for index, answer in enumerate(answers):
        values = workflow.AnswerInput(response="yes")
        if index < critical_gaps:
            values = workflow.AnswerInput(
                response="no", action_description="Fix it", action_owner=user, action_due=DUE
            )
        workflow.save_answer(
            checklist=checklist, answer_id=answer.pk, user=user, values=values, based_on_version=0
        )
    return checklist


def total(counts: dict) -> scoring.Counts:
    return sum(counts.values(), scoring.Counts())


def test_the_project_and_round_tallies_follow_every_step_of_the_workflow(
    office_a, staff_a, focal_a
):
    project = make_project(office=office_a)
    checklist = make_checklist(project=project, user=staff_a, phase_code="implementation")
    fill(checklist, staff_a, critical_gaps=1)
    assert project_tally(project) == {} and rounds(project) == {}  # a draft is not counted

    workflow.submit_checklist(checklist=checklist, user=staff_a)
    checklist.refresh_from_db()
    assert project_tally(project) == recount(project)
    assert (total(project_tally(project)).yes, total(project_tally(project)).no) == (7, 1)
    assert total(project_tally(project)).critical_gaps_open == 1
    assert rounds(project) == recounted_rounds(project)
    assert list(rounds(project)) == [(checklist.pk, checklist.submitted_at)]
    assert total(rounds(project)) == total(project_tally(project))

    workflow.decide_checklist(
        checklist=checklist, reviewer=focal_a, decision=Decision.RETURNED, comment="Say more"
    )
    assert project_tally(project) == {} == recount(project)
    assert rounds(project) == {} == recounted_rounds(project)

    workflow.submit_checklist(checklist=checklist, user=staff_a)
    workflow.decide_checklist(checklist=checklist, reviewer=focal_a, decision=Decision.APPROVED)
    assert project_tally(project) == recount(project)
    assert rounds(project) == recounted_rounds(project) != {}
    assert total(project_tally(project)).critical_gaps_open == 1

    # The gap closed on the approved checklist: the dashboard's counts follow at once.
    point = ActionPoint.objects.get(answer__checklist=checklist)
    workflow.mark_action_point_done(
        action_point=point, user=staff_a, done_on=datetime.date(2026, 12, 1), note="Done"
    )
    assert project_tally(project) == recount(project)
    assert rounds(project) == recounted_rounds(project)
    assert total(project_tally(project)).critical_gaps_open == 0
    assert total(rounds(project)).critical_gaps_open == 0

    # A design checklist's draft changes nothing; its submission adds to the project's
    # tally, not to the monitoring rounds.
    second = make_checklist(project=project, user=staff_a, item_count=4)
    fill(second, staff_a)
    assert total(project_tally(project)).yes == 7
    workflow.submit_checklist(checklist=second, user=staff_a)
    assert project_tally(project) == recount(project)
    assert total(project_tally(project)).yes == 11
    assert total(rounds(project)).yes == 7 and rounds(project) == recounted_rounds(project)


def test_refresh_tallies_rebuilds_every_project_tally(office_a, staff_a):
    reported = make_project(office=office_a, code="P-1")
    drafts_only = make_project(office=office_a, code="P-2")
    checklist = make_checklist(project=reported, user=staff_a, phase_code="implementation")
    fill(checklist, staff_a, critical_gaps=2)
    workflow.submit_checklist(checklist=checklist, user=staff_a)
    expected, expected_rounds = recount(reported), recounted_rounds(reported)
    ProjectTally.objects.filter(project=reported).update(yes=99, critical_gaps_open=0)
    MonitoringRoundTally.objects.update(yes=0)
    stray = ProjectTally.objects.filter(project=reported).first()
    ProjectTally.objects.create(project=drafts_only, principle_id=stray.principle_id, yes=5)

    call_command("refresh_tallies", stdout=io.StringIO())

    assert project_tally(reported) == expected and total(expected).critical_gaps_open == 2
    assert rounds(reported) == expected_rounds and total(expected_rounds).yes == 6
    assert project_tally(drafts_only) == {}


@pytest.mark.django_db(transaction=True)
def test_submissions_and_closed_gaps_at_once_keep_the_tallies_true(framework, staff_a, office_a):
    """Each time at once: one monitoring round submitted while a gap of another (submitted)
    round of the same project is closed, both moving the same project rows, and a recount
    of the project (the ``refresh_tallies`` command run while people work)."""
    pairs = 12
    project = make_project(office=office_a)
    rounds_made = (
        make_checklist(
            project=project, user=staff_a, item_count=n, phase_code="implementation", round=n
        )
        for n in range(pairs, 2 * pairs + 1)
    )
    with_gaps, *drafts = rounds_made
    fill(with_gaps, staff_a, critical_gaps=pairs)
    workflow.submit_checklist(checklist=with_gaps, user=staff_a)
    for draft in drafts:
        fill(draft, staff_a)
    points = list(ActionPoint.objects.filter(answer__checklist=with_gaps))
    assert len(points) == pairs

    errors = []
    for draft, point in zip(drafts, points, strict=True):
        errors += run_at_once(
            lambda c=draft: workflow.submit_checklist(checklist=c, user=staff_a),
            lambda p=point: workflow.mark_action_point_done(
                action_point=p, user=staff_a, done_on=datetime.date(2026, 12, 1), note="Done"
            ),
            lambda: tallies.refresh_reported_tallies([project.pk]),
        )

    assert errors == []
    assert project_tally(project) == recount(project)
    assert rounds(project) == recounted_rounds(project) and len(rounds(project)) == pairs + 1
    counts = total(project_tally(project))
    yes = sum(range(pairs + 1, 2 * pairs + 1))
    assert (counts.yes, counts.no, counts.critical_gaps_open) == (yes, pairs, 0)
    assert total(rounds(project)) == counts
