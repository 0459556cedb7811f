"""The agent result model in nodes.sdk: confidence from evidence, and when a person must look."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from nodes.sdk import (
    AGENT_RESULT_SOCKET,
    DOMAIN_TYPES,
    AgentResult,
    Evidence,
    agent_result,
    confidence_from,
)


def test_confidence_is_the_weighted_mean_of_the_evidence_scores() -> None:
    evidence = [Evidence(check="schema_valid", passed=True, score=1.0, weight=3),
                Evidence(check="token_probability", passed=True, score=0.5, weight=1)]
    assert confidence_from(evidence) == pytest.approx(0.875)
    assert confidence_from([]) == 0.0


def test_a_well_supported_answer_needs_no_review_and_carries_no_reasons() -> None:
    result = agent_result(content="A scene.", model="embedded:gemma-3-270m", tokens=42,
                          evidence=[Evidence(check="schema_valid", passed=True, score=1.0)])
    assert (result.confidence, result.needs_review, result.reasons) == (1.0, False, [])


def test_low_confidence_sends_the_answer_to_review_and_says_why() -> None:
    result = agent_result(content="?", model="m", evidence=[
        Evidence(check="attempts", passed=False, score=0.2, detail="valid only on the third attempt")])
    assert result.needs_review
    assert result.reasons[0].startswith("confidence 0.20 is below 0.60")
    assert "attempts: valid only on the third attempt" in result.reasons


def test_a_failed_blocking_check_sends_the_answer_to_review_despite_high_confidence() -> None:
    evidence = [Evidence(check="schema_valid", passed=True, score=1.0, weight=9),
                Evidence(check="consistency", passed=False, score=0.0, blocking=True, detail="a laser pistol")]
    result = agent_result(content="verdict", model="m", evidence=evidence)
    assert result.confidence == pytest.approx(0.9)
    assert result.needs_review and result.reasons == ["consistency: a laser pistol"]


def test_always_review_asks_for_review_of_a_perfect_answer() -> None:
    result = agent_result(content="x", model="m", always_review=True,
                          evidence=[Evidence(check="schema_valid", passed=True, score=1.0)])
    assert result.needs_review and result.reasons == ["review requested for every result"]


def test_the_result_round_trips_through_json_and_rejects_a_confidence_above_one() -> None:
    result = agent_result(content="x", structured={"a": 1}, model="m",
                          evidence=[Evidence(check="schema_valid", passed=True, score=1.0)])
    assert AgentResult.model_validate_json(result.model_dump_json()) == result
    with pytest.raises(ValidationError):
        AgentResult(content="x", confidence=1.5, needs_review=False, model="m")


def test_the_agent_result_is_a_domain_socket_type() -> None:
    assert AGENT_RESULT_SOCKET in DOMAIN_TYPES
