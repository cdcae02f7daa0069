"""Helpers shared by the permission tests."""

from checklists import workflow

from ..factories import make_checklist


def submit_one(project, staff):
    """A one-item checklist answered 'yes' and submitted by ``staff``."""
    checklist = make_checklist(project=project, user=staff, item_count=1)
    workflow.save_answer(
        checklist=checklist,
        answer_id=checklist.answers.get().pk,
        user=staff,
        values=workflow.AnswerInput(response="yes"),
        based_on_version=0,
    )
    workflow.submit_checklist(checklist=checklist, user=staff)
    checklist.refresh_from_db()
    return checklist
