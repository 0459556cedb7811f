"""`production.review`: a person checks an agent's work before the branch uses it.

The node waits (raises `ReviewRequired`) when its input needs review — the producer said so,
its confidence is below the threshold, a consistency check found violations, or `always` is
set — and passes the content on once a person approved or edited it. The server hands the
decision back through the `decision` input (docs/architecture.md §12, human review).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from nodes.sdk import (
    REVIEW_THRESHOLD,
    Input,
    Node,
    NodeExecutionError,
    Output,
    Outputs,
    ReviewDecision,
    ReviewRequired,
    ReviewWait,
    RunContext,
    node,
    value_digest,
)


class ReviewOut(Outputs):
    content: str = Output(description="The approved (or edited) text")
    result: Any = Output(socket="*", description="The input with its content as approved or edited")


@dataclass(frozen=True)
class Reviewed:
    """An agent result `{content, confidence, needs_review, structured, ...}` or plain text."""

    value: Any
    text: str
    confidence: float | None
    flagged: bool
    violations: list[str]
    stated: tuple[str, ...] = ()  # the producer's own reasons for review

    @classmethod
    def of(cls, value: Any) -> Reviewed:
        if isinstance(value, str):
            try:
                parsed = json.loads(value)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict) and "content" in parsed:
                value = parsed
        if not isinstance(value, dict):
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            return cls(value, text, None, False, [])
        content = value.get("content")
        text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
        confidence = value.get("confidence")
        stated = value.get("reasons")
        return cls(value, text, float(confidence) if isinstance(confidence, (int, float)) else None,
                   value.get("needs_review") is True, _violations(value),
                   tuple(str(reason) for reason in stated) if isinstance(stated, list) else ())

    def reasons(self, always: bool, threshold: float) -> list[str]:
        reasons = [*(self.stated or ["the producer asked for review"])] if self.flagged else []
        if self.confidence is not None and self.confidence < threshold and not self.flagged:
            reasons.append(f"confidence {self.confidence:.2f} is below {threshold:.2f}")
        reasons += [f"consistency violation: {violation}" for violation in self.violations]
        if always and not reasons:
            reasons.append("this Review node always asks a person")
        return reasons

    def with_text(self, text: str) -> Any:
        return {**self.value, "content": text} if isinstance(self.value, dict) else text


def _violations(value: dict[str, Any]) -> list[str]:
    """Violations a consistency check reported, at the top level or under `structured`."""
    found: list[str] = []
    for place in (value, value.get("structured")):
        if isinstance(place, dict) and isinstance(place.get("violations"), list):
            for violation in place["violations"]:
                reason = violation.get("reason") if isinstance(violation, dict) else violation
                found.append(str(reason))
    return found


@node("production.review", title="Review", category="Production/Review", version="1.0.0",
      maturity="STUDENT", runs_on="inline", cache=False)
class Review(Node):
    """Pause this branch until a person approves, edits or rejects the content, when it needs
    review (low confidence, a consistency violation, the producer's own flag, or always)."""

    content: Any = Input(description="An agent result (nodes.sdk.AgentResult: content, confidence, "
                                     "needs_review, reasons…) or text", socket="*")
    always: bool = Input(False, description="Wait for a person even when nothing looks wrong")
    threshold: float = Input(REVIEW_THRESHOLD, ge=0.0, le=1.0, description="Below this confidence the content waits")
    decision: str = Input("", description="Set by the server when a person decides; leave empty")

    def run(self, ctx: RunContext) -> ReviewOut:
        reviewed = Reviewed.of(self.content)
        digest = value_digest(reviewed.value)
        decision = _decision(self.decision)
        if decision is not None and decision.digest == digest:
            if decision.action == "reject":
                raise NodeExecutionError(f"rejected by the reviewer: {decision.note or 'no reason given'}",
                                         code="review_rejected")
            if decision.action == "approve":
                return ReviewOut(content=reviewed.text, result=reviewed.value)
            if decision.action == "edit" and decision.content is not None:
                return ReviewOut(content=decision.content, result=reviewed.with_text(decision.content))
        reasons = reviewed.reasons(self.always, self.threshold)
        if not reasons:
            return ReviewOut(content=reviewed.text, result=reviewed.value)
        wait = ReviewWait(reasons=reasons, content=reviewed.text, confidence=reviewed.confidence, digest=digest)
        raise ReviewRequired(f"waiting for review: {'; '.join(reasons)}", details=wait.model_dump())


def _decision(text: str) -> ReviewDecision | None:
    if not text.strip():
        return None
    try:
        return ReviewDecision.model_validate_json(text)
    except ValidationError as exc:
        raise NodeExecutionError(f"the decision input is not a review decision: {exc.errors()[0]['msg']}",
                                 code="value_invalid") from exc
