"""State transitions and multi-model changes. Each is one function, atomic, audited.

Views never change a status or a phase themselves: they call these functions, which lock
the rows two people could change at once (always in the order of ``locks``), check the
rule, write the change and an audit entry. Each function's refusal can also be asked
beforehand (``start_refusal``, ``editing_refusal``, ``decision_refusal``,
``evaluation_refusal``), so pages offer only what the workflow would accept.
"""

from .errors import RefusedResponse, StaleAnswer, WorkflowError
from .evidence import attach_evidence, remove_evidence
from .filling import (
    CRITICAL_REASON_MIN_WORDS,
    AnswerInput,
    AnswerValues,
    Blocker,
    SavedAnswer,
    SubmissionBlocked,
    editing_refusal,
    mark_action_point_done,
    not_applicable_problem,
    response_refusal,
    save_answer,
    start_checklist,
    start_refusal,
    submission_blockers,
    submit_checklist,
)
from .frameworks import (
    audit_export,
    current_framework,
    draft_refusal,
    import_framework_draft,
    publish_framework,
    publish_problems,
    record_earlier_version,
    retire_draft_item,
    save_draft_item,
    start_new_framework_version,
    write_items,
)
from .office_items import (
    agree_critical,
    office_draft,
    office_item_problems,
    office_items_for,
    office_published,
    publish_office_items,
    save_office_item,
    start_office_draft,
)
from .review import (
    NEXT_PHASE_ON_APPROVAL,
    Condition,
    decide_checklist,
    decision_refusal,
    evaluation_refusal,
    move_to_evaluation,
)
from .risk_analysis import (
    RISK_FIELDS,
    delete_risk_row,
    risk_analysis_refusal,
    risk_row_to_action_point,
    save_risk_row,
)

__all__ = [
    "agree_critical",
    "office_draft",
    "office_item_problems",
    "office_items_for",
    "office_published",
    "publish_office_items",
    "save_office_item",
    "start_office_draft",
    "attach_evidence",
    "remove_evidence",
    "NEXT_PHASE_ON_APPROVAL",
    "AnswerInput",
    "AnswerValues",
    "SavedAnswer",
    "Blocker",
    "Condition",
    "RefusedResponse",
    "StaleAnswer",
    "SubmissionBlocked",
    "WorkflowError",
    "audit_export",
    "current_framework",
    "decide_checklist",
    "decision_refusal",
    "draft_refusal",
    "CRITICAL_REASON_MIN_WORDS",
    "editing_refusal",
    "evaluation_refusal",
    "import_framework_draft",
    "mark_action_point_done",
    "move_to_evaluation",
    "not_applicable_problem",
    "response_refusal",
    "publish_framework",
    "publish_problems",
    "record_earlier_version",
    "write_items",
    "retire_draft_item",
    "save_answer",
    "save_draft_item",
    "start_checklist",
    "start_new_framework_version",
    "start_refusal",
    "submission_blockers",
    "submit_checklist",
    "RISK_FIELDS",
    "delete_risk_row",
    "risk_analysis_refusal",
    "risk_row_to_action_point",
    "save_risk_row",
]
