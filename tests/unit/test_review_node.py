"""The Review node decides when content needs a person and honours a decision only for the
content it was made about (nodes/production/review.py)."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest

from nodes.production.review import Review, ReviewOut
from nodes.sdk import (
    NodeExecutionError,
    ReviewDecision,
    ReviewRequired,
    ReviewWait,
    RunContext,
    value_digest,
)

NO_CONTEXT = cast(RunContext, None)  # the node reads nothing from its context


def reviewed(content: Any, **inputs: Any) -> ReviewOut:
    return Review.model_validate({"content": content, **inputs}).run(NO_CONTEXT)


def wait_of(content: Any, **inputs: Any) -> ReviewWait:
    with pytest.raises(ReviewRequired) as raised:
        reviewed(content, **inputs)
    return ReviewWait.model_validate(raised.value.details)


def test_confident_content_and_plain_text_pass_unless_review_is_always_asked() -> None:
    result = {"content": "A scene.", "confidence": 0.9, "needs_review": False}
    assert reviewed(result).content == "A scene." and reviewed(result).result == result
    assert reviewed("plain text").content == "plain text"
    assert wait_of("plain text", always=True).reasons == ["this Review node always asks a person"]


def test_low_confidence_a_producer_flag_and_consistency_violations_each_wait_with_their_reason() -> None:
    assert wait_of({"content": "x", "confidence": 0.3}).reasons == ["confidence 0.30 is below 0.60"]
    flagged = wait_of({"content": "x", "confidence": 0.3, "needs_review": True, "reasons": ["schema retried twice"]})
    assert flagged.reasons == ["schema retried twice"] and flagged.confidence == 0.3
    violation = {"content": "He draws a laser pistol.", "confidence": 0.8,
                 "structured": {"violations": [{"reason": "a laser pistol in a medieval world"}]}}
    assert wait_of(violation).reasons == ["consistency violation: a laser pistol in a medieval world"]
    as_json = wait_of(json.dumps({"content": "y", "confidence": 0.1}))  # an agent result sent as text
    assert as_json.content == "y"


def test_a_decision_counts_only_for_the_content_it_was_made_about() -> None:
    content = {"content": "Draft", "confidence": 0.2}
    digest = wait_of(content).digest
    assert digest == value_digest(content)

    def decided(**fields: Any) -> str:
        return ReviewDecision(digest=digest, **fields).model_dump_json()

    assert reviewed(content, decision=decided(action="approve")).content == "Draft"
    edited = reviewed(content, decision=decided(action="edit", content="Better"))
    assert edited.content == "Better" and edited.result == {"content": "Better", "confidence": 0.2}
    with pytest.raises(NodeExecutionError) as rejected:
        reviewed(content, decision=decided(action="reject", note="off tone"))
    assert rejected.value.code == "review_rejected" and "off tone" in rejected.value.message
    other = {"content": "Another draft", "confidence": 0.2}
    assert wait_of(other, decision=decided(action="approve")).content == "Another draft"
    with pytest.raises(NodeExecutionError) as bad:
        reviewed(content, decision="{not json")
    assert bad.value.code == "value_invalid"


def test_an_agent_result_with_a_failed_blocking_check_waits_with_the_agents_own_reasons() -> None:
    from nodes.sdk import Evidence, agent_result

    result = agent_result(content="Sir Aldric draws a laser pistol.", model="embedded:gemma3-270m", evidence=[
        Evidence(check="schema_valid", passed=True, score=1.0),
        Evidence(check="consistency", passed=False, score=0.9, blocking=True,
                 detail="a laser pistol in a medieval world"),
    ])
    wait = wait_of(result.model_dump(mode="json"))
    assert wait.reasons == ["consistency: a laser pistol in a medieval world"]
    assert wait.content == "Sir Aldric draws a laser pistol." and wait.confidence == result.confidence
    confident = agent_result(content="A quiet dawn.", model="embedded:gemma3-270m",
                             evidence=[Evidence(check="schema_valid", passed=True, score=1.0)])
    assert reviewed(confident.model_dump(mode="json")).content == "A quiet dawn."
