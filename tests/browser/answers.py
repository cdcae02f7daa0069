"""What a browser test compares after a reload: every field of an answer, as the page shows
it and as the database stores it, against what the person typed."""

from checklists.models import Answer

FIELDS = [
    "response",
    "comment",
    "not_applicable_reason",
    "action_description",
    "action_owner",
    "action_due",
]


def shown_values(page, plan) -> dict[int, dict[str, str]]:
    shown = page.evaluate(
        """(ids) => Object.fromEntries(ids.map((id) => {
            const item = document.querySelector(`.answer[data-answer='${id}']`);
            const value = (name) => {
                const input = item.querySelector(`[name='a${id}-${name}']`);
                return input && !input.closest('[hidden]') ? input.value : '';
            };
            const checked = item.querySelector('input[type=radio]:checked');
            return [id, {
                response: checked ? checked.value : '',
                comment: value('comment'),
                not_applicable_reason: value('not_applicable_reason'),
                action_description: value('action_description'),
                action_owner: value('action_owner'),
                action_due: value('action_due'),
            }];
        }))""",
        list(plan),
    )
    return {int(pk): values for pk, values in shown.items()}


def stored_values(plan) -> dict[int, dict[str, str]]:
    stored = {}
    for answer in Answer.objects.filter(pk__in=plan).select_related("action_point"):
        action = getattr(answer, "action_point", None)
        gap = action is not None and action.withdrawn_on is None
        stored[answer.pk] = {
            "response": answer.response,
            "comment": answer.comment,
            "not_applicable_reason": answer.not_applicable_reason,
            "action_description": action.description if gap else "",
            "action_owner": str(action.owner_id) if gap and action.owner_id else "",
            "action_due": action.due_date.isoformat() if gap and action.due_date else "",
        }
    return stored


def expected_in_full(plan) -> dict[int, dict[str, str]]:
    return {pk: {name: values.get(name, "") for name in FIELDS} for pk, values in plan.items()}


def lost(expected, found) -> list[str]:
    return [
        f"answer {pk}: {name} typed {value!r}, found {found[pk][name]!r}"
        for pk, values in expected.items()
        for name, value in values.items()
        if found[pk][name] != value
    ]
