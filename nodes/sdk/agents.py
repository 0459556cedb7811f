"""The agent result: what every language-model agent node returns and the Review node reads.

`{content, structured, confidence, needs_review, model, tokens, reasons, evidence}`. The
confidence is never a constant: it is the weighted mean of the evidence an agent gathered
(schema validity, retries, consistency checks, the model's own token probabilities), and a
failed `blocking` check (a consistency violation) sends the result to review whatever the mean.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field

AGENT_RESULT_SOCKET: Final = "AGENT_RESULT"
REVIEW_THRESHOLD: Final = 0.6  # below this a person looks before the result is used


class Evidence(BaseModel):
    """One observation that raises or lowers trust in an agent's answer."""

    model_config = ConfigDict(frozen=True)

    check: str = Field(description="What was checked: `schema_valid`, `attempts`, `token_probability`, `consistency`…")
    passed: bool = Field(description="Whether the answer passed this check")
    score: float = Field(ge=0, le=1, description="How strongly this check supports the answer (0–1)")
    weight: float = Field(1.0, gt=0, description="How much this check counts in the confidence")
    blocking: bool = Field(False, description="A failure sends the result to review whatever the confidence")
    detail: str = Field("", description="What was seen, for the reviewer")


class AgentResult(BaseModel):
    """An agent node's answer, scored, with what a reviewer needs to judge it."""

    content: str = Field(description="The answer as text (a scene, a logline, a verdict…)")
    structured: dict[str, Any] | None = Field(None, description="The schema-valid structured answer, if any")
    confidence: float = Field(ge=0, le=1, description="Weighted mean of the evidence scores")
    needs_review: bool = Field(description="Low confidence or a failed blocking check")
    model: str = Field(description="The model that answered, as `provider:name`")
    tokens: int = Field(0, ge=0, description="Tokens read and written for this answer")
    reasons: list[str] = Field(default_factory=list, description="Why it needs review (empty when it does not)")
    evidence: list[Evidence] = Field(default_factory=list, description="What the confidence is computed from")


def confidence_from(evidence: Iterable[Evidence]) -> float:
    """The weighted mean of the evidence scores; no evidence is no confidence."""
    items = list(evidence)
    total = sum(item.weight for item in items)
    if not total:
        return 0.0
    return round(sum(item.score * item.weight for item in items) / total, 4)


def agent_result(
    *,
    content: str,
    model: str,
    evidence: Iterable[Evidence],
    structured: dict[str, Any] | None = None,
    tokens: int = 0,
    threshold: float = REVIEW_THRESHOLD,
    always_review: bool = False,
) -> AgentResult:
    """Score an answer from its evidence and decide whether a person must look at it."""
    items = list(evidence)
    confidence = confidence_from(items)
    reasons = [f"{item.check}: {item.detail or 'failed'}" for item in items if not item.passed]
    if confidence < threshold:
        reasons.insert(0, f"confidence {confidence:.2f} is below {threshold:.2f}")
    if always_review:
        reasons.insert(0, "review requested for every result")
    blocked = any(item.blocking and not item.passed for item in items)
    needs_review = always_review or blocked or confidence < threshold
    return AgentResult(content=content, structured=structured, confidence=confidence,
                       needs_review=needs_review, model=model, tokens=tokens,
                       reasons=reasons if needs_review else [], evidence=items)
