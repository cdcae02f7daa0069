"""The editable item of the checklist page, written out in Python.

A checklist page holds up to 150 items of a dozen inputs each; printed by the template
language, they were most of the page's time (every variable looked up, localised and
escaped one by one). Here each item is a few f-strings over values escaped once. The markup
is the one of templates/checklists/checklist.html, which prints each principle's items as
one string (``{{ group.html }}``); tests/checklists/test_autosave.py and the browser tests
check what it contains. Every value that comes from a person is escaped; the rest are fixed
codes, numbers and escaped labels.
"""

from html import escape  # Django's escape gives the same text, through a lazy-string check

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from projects.templatetags.people import display_name

from ..models import RISK_ANALYSIS_ITEM, ActionPoint, Answer

# The longest text each field keeps, from the models: the page says it before the server does.
MAX_LENGTH = {
    "comment": Answer._meta.get_field("comment").max_length,
    "not_applicable_reason": Answer._meta.get_field("not_applicable_reason").max_length,
    "action_description": ActionPoint._meta.get_field("description").max_length,
}


def page_labels(owner_choices, *, checklist_pk: int, project_pk: int) -> dict[str, str]:
    """The words items repeat, translated and escaped once per page."""
    return {
        # DES-SAF-01 links to the project's protection risk analysis.
        "risk_url": reverse("checklists:risk-analysis", kwargs={"project_pk": project_pk}),
        "risk": escape(_("Protection risk analysis")),
        # Where each answer's evidence page is: <base><answer id>/evidence/.
        "base": reverse("checklists:detail", kwargs={"pk": checklist_pk}) + "answers/",
        # Where each item's guidance is: the checklist's guidance page, at #g-<code>.
        "guidance_url": reverse("checklists:checklist-guidance", kwargs={"pk": checklist_pk}),
        "critical": escape(_("Critical")),
        "added_by": escape(_("Added by %(office)s")),
        "critical_gap": escape(_("Critical gap: a critical item is answered “no”.")),
        "guidance": escape(_("Guidance")),
        "add_comment": escape(_("Add a comment")),
        "comment": escape(_("Comment")),
        "na": escape(_("Why does this item not apply?")),
        "action": escape(_("Action point: what will be done")),
        "owner": escape(_("Owner")),
        "due": escape(_("Due date")),
        "choose": escape(_("Choose a person")),
        "add_evidence": escape(_("Add evidence")),
        "evidence": escape(_("Evidence files (%(count)s)")),
        "owners": [(escape(value), escape(name)) for value, name in owner_choices],
    }


def _problems(messages) -> str:
    return "".join(f'<p class="item-problem">{escape(str(m))}</p>' for m in messages)


def _errors(row, field: str) -> tuple[str, str]:
    """The field's error messages, and the attribute that marks it invalid."""
    errors = (row["errors"] or {}).get(field)
    return (_problems(errors), ' aria-invalid="true"') if errors else ("", "")


def _textarea(prefix, name, value, max_length, label, row, *, hidden_label=False) -> str:
    """A text field with its label (a visible one, or, for the comment whose summary says
    what it is, an accessible name that costs the page less)."""
    problems, invalid = _errors(row, name)
    if hidden_label:
        return (
            f'<textarea name={prefix}-{name} maxlength={max_length} aria-label="{label}"'
            f"{invalid}>{escape(value)}</textarea>{problems}"
        )
    return (
        f"<label for=id_{prefix}-{name}>{label}</label><textarea class=form-control rows=2 "
        f"maxlength={max_length} name={prefix}-{name} id=id_{prefix}-{name}{invalid}>"
        f"{escape(value)}</textarea>{problems}"
    )


def _action_point(row, labels) -> str:
    prefix, values = row["prefix"], row["values"]
    owner_problems, owner_invalid = _errors(row, "action_owner")
    due_problems, due_invalid = _errors(row, "action_due")
    current = values["action_owner"]
    options = "".join(
        f'<option value="{value}"{" selected" if value == current else ""}>{name}</option>'
        for value, name in labels["owners"]
    )
    description = _textarea(
        prefix,
        "action_description",
        values["action_description"],
        MAX_LENGTH["action_description"],
        labels["action"],
        row,
    )
    return (
        f"<div class=action-point>{description}<div class=action-point-when><div>"
        f"<label for=id_{prefix}-action_owner>{labels['owner']}</label><select "
        f"class=form-select name={prefix}-action_owner id=id_{prefix}-action_owner"
        f'{owner_invalid}><option value="">{labels["choose"]}</option>{options}</select>'
        f"{owner_problems}</div><div><label for=id_{prefix}-action_due>{labels['due']}</label>"
        f"<input class=form-control type=date name={prefix}-action_due id=id_{prefix}-action_due"
        f' value="{escape(values["action_due"])}"{due_invalid}>{due_problems}</div></div></div>'
    )


def _na_reason(row, labels) -> str:
    value = row["values"]["not_applicable_reason"]
    limit = MAX_LENGTH["not_applicable_reason"]
    reason = _textarea(row["prefix"], "not_applicable_reason", value, limit, labels["na"], row)
    return f"<div class=na-reason>{reason}</div>"


def block_templates(labels) -> dict[str, SafeString]:
    """The blocks the page's script adds to an item when its response asks for them (a
    reason for "not applicable", an action point for a gap): the same markup as the server
    writes, empty, for the prefix "a__prefix__"."""
    row = {
        "prefix": "a__prefix__",
        "errors": None,
        "values": {
            "not_applicable_reason": "",
            "action_description": "",
            "action_owner": "",
            "action_due": "",
        },
    }
    return {  # noqa: S308 - labels are escaped, values empty
        "na_reason": mark_safe(_na_reason(row, labels)),  # noqa: S308
        "action_point": mark_safe(_action_point(row, labels)),  # noqa: S308
    }


def _notes(row, labels) -> str:
    """What stands between the question and the responses: flags, comments, problems."""
    parts = []
    if row["topics"]:
        parts.append(f"<p class=item-topics>{escape(row['topics'])}</p>")
    if row["critical_gap"]:
        parts.append(f'<p class="critical-gap">{labels["critical_gap"]}</p>')
    for remark in row["remarks"]:
        who = escape(_("Comment from %(who)s:") % {"who": display_name(remark.review.reviewer)})
        parts.append(
            f'<p class="review-comment"><strong>{who}</strong> '
            f"{escape(remark.text).replace(chr(10), '<br>')}</p>"
        )
    if row["blocker"]:
        blocker = escape(str(row["blocker"]))
        parts.append(f'<p class="item-problem" id="{row["prefix"]}-blocker">{blocker}</p>')
    if row["conflict"]:
        parts.append(
            render_to_string("includes/answer_conflict.html", {"conflict": row["conflict"]})
        )
    return "".join(parts)


def _legend(row, labels) -> str:
    """The legend of an item, the same for every answer to it in one language: written once
    and kept on the item (a published framework's items stay in memory), so a page of 100
    items escapes only what people typed."""
    item = row["answer"].item
    cache = item.__dict__.setdefault("_page_html", {})
    key = (row["language"], labels["critical"])
    if key not in cache:
        code = escape(row["code"])
        critical = (
            f' <span class="badge-critical">{labels["critical"]}</span>' if row["critical"] else ""
        )
        if row["added_by"]:  # an office's own item
            added = labels["added_by"] % {"office": escape(row["added_by"])}
            critical += f" <span class=added-by>{added}</span>"
        cache[key] = f"<legend><code>{code}</code> {escape(row['question'])}{critical}</legend>"
    return cache[key]


def _guidance_link(row, labels) -> str:
    """The item's "Guidance": a link to its text on the checklist's guidance page, which the
    page's script turns into a disclosure holding the text (views/guidance.py); and for the
    item the protection risk analysis backs, a link to it."""
    risk = ""
    if row["code"] == RISK_ANALYSIS_ITEM:
        risk = f'<a class=risk-analysis-link href="{labels["risk_url"]}">{labels["risk"]}</a> '
    if not row["guidance"]:
        return risk
    return risk + (
        f'<a class=guidance-link href="{labels["guidance_url"]}#g-{escape(row["code"])}">'
        f"{labels['guidance']}</a>"
    )


def editable_item(row, labels) -> SafeString:
    """One item of the checklist page, to fill in."""
    prefix, values = row["prefix"], row["values"]
    problem = row["blocker"] or row["errors"] or row["conflict"]
    classes = '"answer has-problem"' if problem else "answer"
    legend, guidance = _legend(row, labels), _guidance_link(row, labels)
    comment_problems = (row["errors"] or {}).get("comment")
    comment = _textarea(
        prefix,
        "comment",
        values["comment"],
        MAX_LENGTH["comment"],
        labels["comment"],
        row,
        hidden_label=True,
    )
    opened = " open" if values["comment"] or comment_problems else ""
    response_problems = _problems(((row["errors"] or {}).get("response") or [])[:1])
    na_reason = _na_reason(row, labels) if row["show_na"] else ""
    action = _action_point(row, labels) if row["show_action"] else ""
    code = escape(row["code"])
    files = len(row["evidence"])
    evidence = labels["evidence"] % {"count": files} if files else labels["add_evidence"]
    return mark_safe(  # noqa: S308 - every value above is escaped or a fixed code
        f'<fieldset class={classes} id="item-{code}"{" data-critical" if row["critical"] else ""}>'
        f"{legend}{_notes(row, labels)}"
        f"<div class=responses>{row['radios']}</div>{response_problems}"
        f"{guidance}<details class=comment{opened}><summary>"
        f"{labels['add_comment']}</summary>{comment}</details>{na_reason}{action}"
        f"<a class=evidence-link href={labels['base']}{row['pk']}/evidence/>{evidence}</a>"
        f'<input type=hidden name={prefix}-version value="{escape(values["version"])}">'
        f"<p class=save-status>{escape(row['saved'])}</p>"
        "</fieldset>"
    )
