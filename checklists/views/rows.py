"""How the checklist, read-only and review pages show each item: one plain dict per answer,
computed once here so the page template does little more than print."""

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from projects.templatetags.people import display_name

from .. import workflow
from ..models import GAP_RESPONSES, Response

RESPONSE_LABELS = dict(Response.choices)


def stored_values(answer) -> dict[str, str]:
    """The answer's values as the page's inputs hold them (the AnswerForm's initial)."""
    action = answer.current_action_point
    return {
        "response": answer.response,
        "comment": answer.comment,
        "not_applicable_reason": answer.not_applicable_reason,
        "action_description": action.description if action else "",
        "action_owner": str(action.owner_id) if action and action.owner_id else "",
        "action_due": action.due_date.isoformat() if action and action.due_date else "",
        "version": str(answer.version),
    }


def when(moment) -> str:
    """A moment in the user's time zone and language, as pages and autosave say it."""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def item_rows(answers, *, forms=None, conflicts=None, blockers=(), remarks=None) -> list[dict]:
    """One row per answer, in page order.

    ``forms`` (posted AnswerForms by answer id) put back what the user typed, with its
    errors; ``blockers`` are the reasons a submission was refused, shown on their items.
    """
    forms, conflicts, remarks = forms or {}, conflicts or {}, remarks or {}
    shown_blockers = {b.answer.pk: b.message for b in blockers}
    blocking = {b.answer.pk for b in workflow.submission_blockers(answers)}
    rows = []
    for answer in answers:
        item = answer.item
        form = forms.get(answer.pk)
        values = form.display_values() if form is not None else stored_values(answer)
        action = answer.current_action_point
        rows.append(
            {
                "answer": answer,
                "pk": answer.pk,
                "code": item.code,
                "question": item.question,
                "guidance": item.guidance,
                "critical": item.critical,
                "topics": " · ".join(t.name for t in item.topics.all()),
                "principle_id": item.principle_id,
                "values": values,
                "response_label": RESPONSE_LABELS.get(answer.response, ""),
                "show_na": values["response"] == Response.NOT_APPLICABLE,
                "show_action": values["response"] in GAP_RESPONSES,
                "action": action if answer.needs_action_point else None,
                "errors": form.errors if form is not None and form.errors else None,
                "conflict": conflicts.get(answer.pk),
                "blocker": shown_blockers.get(answer.pk),
                "state": "unanswered"
                if not answer.response
                else ("blocking" if answer.pk in blocking else "ready"),
                "critical_gap": answer.is_critical_gap,
                "remarks": remarks.get(answer.pk, []),
                "saved": _("Last saved by %(who)s: %(when)s")
                % {"who": display_name(answer.updated_by), "when": when(answer.updated_at)}
                if answer.updated_at
                else "",
            }
        )
    return rows


def by_principle(rows, principles, scores, *, practices=None) -> list[dict]:
    """The rows grouped under each principle, with its score."""
    practices = practices or {}
    return [
        {
            "principle": principle,
            "rows": [row for row in rows if row["principle_id"] == principle.pk],
            "score": scores.by_principle.get(principle.pk),
            "good_practices": practices.get(principle.pk, []),
        }
        for principle in principles
    ]
