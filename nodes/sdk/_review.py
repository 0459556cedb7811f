"""Human review (docs/architecture.md §12): what a node raises to pause its branch until a person
decides, and the decision the server hands back to it.

A node that needs a person raises `ReviewRequired`; the engine marks it `awaiting_review`, leaves
its descendants pending and ends the execution with the run `awaiting_review` (persisted, so the
wait survives restarts). A decision re-queues the run with the node's `decision` input set to a
`ReviewDecision` naming the digest of the content it was made for: upstream nodes come from the
cache, the node sees the decision, and only a decision about the content it has now counts.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from pydantic import BaseModel, Field

from ._errors import AuteurError

ReviewAction = Literal["approve", "reject", "edit", "request_changes"]
AWAITING_REVIEW = "awaiting_review"


class ReviewRequired(AuteurError):
    """Raised by a node whose input needs a person: `details` is a `ReviewWait`'s fields."""

    code = AWAITING_REVIEW


class ReviewWait(BaseModel):
    """What waits at a node and why: shown in the run, the runs panel and the jobs list."""

    reasons: list[str] = Field(description="Why it waits (low confidence, a violation, always)")
    content: str = Field(description="The text a person reviews")
    confidence: float | None = Field(None, description="The producer's confidence 0–1, when it gave one")
    digest: str = Field(description="sha256 of the reviewed value; a decision names it")
    feedback_node: str | None = Field(None, description="The upstream node a request for changes re-runs")


class ReviewDecision(BaseModel):
    """A person's decision about one reviewed value (the node's `decision` input, as JSON)."""

    action: ReviewAction
    digest: str = Field(description="The digest of the content decided on")
    content: str | None = Field(None, description="The edited text (action edit)")
    note: str | None = Field(None, description="Why (reject), or what to change (request_changes)")


def value_digest(value: Any) -> str:
    """sha256 of a JSON value in canonical form (key order and spacing never matter)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()
