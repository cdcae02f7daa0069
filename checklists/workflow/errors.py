"""What the workflow raises when a rule refuses a change; views show the message as is."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..models import Answer


class WorkflowError(Exception):
    """A transition the rules refuse; the message is shown to the user as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class RefusedResponse(WorkflowError):
    """A response the item does not accept ("not applicable" where everything applies)."""


class StaleAnswer(Exception):
    """The answer changed since the user loaded it; carries the current answer."""

    def __init__(self, answer: Answer):
        super().__init__("stale answer")
        self.answer = answer
