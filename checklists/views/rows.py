"""How the checklist, read-only and review pages show each item: one plain dict per answer,
computed once here so the page template does little more than print."""

from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from projects.templatetags.people import display_name

from .. import workflow
from ..models import GAP_RESPONSES, RISK_ANALYSIS_ITEM, Evidence, Response

RESPONSE_LABELS = dict(Response.choices)


def stored_values(answer) -> dict[str, str]:
    """The answer's values as the page's inputs hold them: the owner by id, and the version."""
    return workflow.AnswerValues.of(answer).for_page(answer.version)


def when(moment) -> str:
    """A moment in the user's time zone and language, as pages and autosave say it."""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def response_choices() -> list[tuple[str, str]]:
    """The four responses, labels escaped once per page, in the active language."""
    return [(value, escape(str(label))) for value, label in Response.choices]


def item_choices(item, choices) -> list[tuple[str, str]]:
    """The responses this item accepts: "not applicable" only where it may apply."""
    if item.not_applicable_allowed:
        return choices
    return [(value, label) for value, label in choices if value != Response.NOT_APPLICABLE]


def response_radios(prefix: str, current: str, choices) -> SafeString:
    """The four responses of one item as large labelled radios.

    Written out here rather than by a template loop: a page of 100 items renders 400 of
    them, and this is most of its rendering time otherwise. Every value is a fixed code or
    an escaped label.
    """
    return mark_safe(  # noqa: S308 - codes and escaped labels only
        "".join(
            f"<label><input type=radio name={prefix}-response "
            f"value={value}{' checked' if value == current else ''}> {label}</label>"
            for value, label in choices
        )
    )


def item_texts(item) -> tuple[str, str, str, str]:
    """An item's question, guidance, topics and source in the active language. Kept on the
    item, which a published framework keeps in memory: read once per language."""
    language = get_language()
    texts = item.__dict__.setdefault("_page_texts", {})
    if language not in texts:
        texts[language] = (
            item.question,
            item.guidance,
            " · ".join(t.name for t in item.topics.all()),
            item.source,
        )
    return texts[language]


def in_page_order(answers, principles) -> list:
    """Answers as pages show them: by principle, then by item (office items last)."""
    rank = {principle.pk: index for index, principle in enumerate(principles)}
    return sorted(
        answers,
        key=lambda a: (
            rank.get(a.item.principle_id, 0),
            a.item.added_by is not None,  # an office's own items after the framework's
            a.item.order,
            a.item.code,
        ),
    )


class LastSaved:
    """ "Last saved by Layla Hassan: Nov. 29, 2026, 8:54 a.m." for each answer of a page.

    Answers saved in the same minute read the same (the formats show minutes): each minute
    is formatted once, and a page of answers saved in a burst formats few.
    """

    def __init__(self):
        self.template = _("Last saved by %(who)s: %(when)s")
        self.moments: dict = {}

    def __call__(self, answer) -> str:
        if not answer.updated_at:
            return ""
        minute = answer.updated_at.replace(second=0, microsecond=0)
        if minute not in self.moments:
            self.moments[minute] = when(minute)
        return self.template % {
            "who": display_name(answer.updated_by),
            "when": self.moments[minute],
        }


def evidence_by_answer(checklist) -> dict[int, list]:
    """The current evidence files of a checklist's answers (name and id), in one query."""
    files: dict[int, list] = {}
    for file in (
        Evidence.objects.current()
        .filter(answer__checklist=checklist)
        .only("pk", "answer_id", "name", "contains_personal_data")
    ):
        files.setdefault(file.answer_id, []).append(file)
    return files


def item_rows(
    answers, *, forms=None, conflicts=None, blockers=(), remarks=None, evidence=None
) -> list[dict]:
    """One row per answer, in page order.

    ``forms`` (posted AnswerForms by answer id) put back what the user typed, with its
    errors; ``blockers`` are the reasons a submission was refused, shown on their items.
    """
    forms, conflicts, remarks = forms or {}, conflicts or {}, remarks or {}
    evidence = evidence or {}
    choices = response_choices()
    saved = LastSaved()
    shown_blockers = {b.answer.pk: b.message for b in blockers}
    blocking = {b.answer.pk for b in workflow.submission_blockers(answers)}
    language = get_language()
    rows = []
    for answer in answers:
        item = answer.item
        form = forms.get(answer.pk)
        values = form.display_values() if form is not None else stored_values(answer)
        action = answer.current_action_point
        prefix = f"a{answer.pk}"
        question, guidance, topics, source = item_texts(item)
        rows.append(
            {
                "answer": answer,
                "pk": str(answer.pk),
                "prefix": prefix,
                "radios": response_radios(prefix, values["response"], item_choices(item, choices)),
                "code": item.code,
                "risk_analysis_link": item.code == RISK_ANALYSIS_ITEM,
                "language": language,
                "question": question,
                "guidance": guidance,
                "source": source,
                "critical": item.critical,
                "added_by": item.added_by.name if item.added_by else "",
                "topics": topics,
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
                "critical_not_applicable": item.critical
                and answer.response == Response.NOT_APPLICABLE,
                "remarks": remarks.get(answer.pk, []),
                "evidence": evidence.get(answer.pk, []),
                "saved": saved(answer),
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
