"""The agent nodes run as a runner runs them, their model an OpenAI-compatible endpoint (a local
double scripted with the answers): what each sends, the result it builds, and how the evidence
decides confidence and review — a rule check that catches what the model missed, quotes the
content does not hold, a reviewer's feedback that reaches the model, and a clear node error after
three invalid answers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from nodes.agents.consistency import Verdict
from nodes.agents.location import LocationDesign
from nodes.agents.narrative import scene_schema
from nodes.agents.scribe import Copy
from nodes.sdk import AgentResult, NodeRegistry, discover
from nodes.sdk.llm import assistant, system, user
from nodes.sdk.llm.embedded import document_prompt

from ..media.media_fixtures import outputs_of, run_node
from .doubles import ApiDouble, answer, asked, scripted_openai

MEDIEVAL = {"name": "Westmark", "genre": "fantasy", "tone": "grim", "tech_level": "medieval",
            "physics": "", "magic_system": "none"}
MARA = {"id": "character-mara", "kind": "Character", "name": "Mara", "description": "a ferrywoman",
        "traits": {"personality": "stubborn"}}


@pytest.fixture(scope="module")
def registry() -> NodeRegistry:
    return discover(only=["agents"])


@pytest.fixture
def double(monkeypatch: pytest.MonkeyPatch) -> Iterator[ApiDouble]:
    yield from scripted_openai(monkeypatch)


def run_agent(tmp_path: Path, registry: NodeRegistry, type_id: str, inputs: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = outputs_of(run_node(tmp_path, registry, type_id, inputs))
    return found


def test_the_consistency_check_catches_a_laser_pistol_the_model_missed_and_sends_it_to_review(
        tmp_path: Path, registry: NodeRegistry, double: ApiDouble) -> None:
    double.replies = [answer({"consistent": True, "violations": []})]
    content = "Mara rows across the grey river. She draws a laser pistol and fires at the gate."
    out = run_agent(tmp_path, registry, "agents.consistency_check",
                    {"content": content, "world": MEDIEVAL, "character_1": MARA})
    result = AgentResult.model_validate(out["result"])
    assert out["consistent"] is False and result.needs_review
    (violation,) = result.structured["violations"]  # type: ignore[index]
    assert violation["quote"] == "She draws a laser pistol and fires at the gate."
    assert "laser, pistol" in violation["reason"] and "medieval" in violation["rule"]
    checks = {e.check: e for e in result.evidence}
    assert not checks["world_rules"].passed and checks["world_rules"].blocking and not checks["agreement"].passed
    assert 0 < result.confidence < 1 and result.model == "openai:scripted"
    prompt = asked(double.requests[0])
    assert "tech level: medieval" in prompt and "Mara (character): a ferrywoman" in prompt


def test_a_consistent_text_with_an_agreeing_model_needs_no_review(
        tmp_path: Path, registry: NodeRegistry, double: ApiDouble) -> None:
    double.replies = [answer({"consistent": True, "violations": []})]
    out = run_agent(tmp_path, registry, "agents.consistency_check",
                    {"content": "Mara lights a tallow candle and waits for the tide.", "world": MEDIEVAL})
    result = AgentResult.model_validate(out["result"])
    assert out["consistent"] is True and not result.needs_review and result.reasons == []
    assert result.confidence == pytest.approx(1.0)  # the double reports no token probabilities


def test_a_violation_whose_quote_is_not_in_the_content_is_dropped_and_lowers_confidence(
        tmp_path: Path, registry: NodeRegistry, double: ApiDouble) -> None:
    double.replies = [answer({"consistent": False, "violations": [
        {"rule": "tone", "quote": "a cheerful song", "reason": "too light for a grim world"}]})]
    out = run_agent(tmp_path, registry, "agents.consistency_check",
                    {"content": "Mara waits by the river.", "world": MEDIEVAL})
    result = AgentResult.model_validate(out["result"])
    assert out["consistent"] is True and result.structured == {"consistent": True, "violations": []}
    assert {e.check: e.passed for e in result.evidence}["quotes_verified"] is False
    assert result.confidence < 1.0


def test_the_location_designer_returns_a_location_ingredient_and_keeps_the_reviewers_feedback(
        tmp_path: Path, registry: NodeRegistry, double: ApiDouble) -> None:
    double.replies = [answer({"name": "Gull Rock", "description": "A fishing village clinging to a cliff.",
                              "landmarks": ["the chapel", "the net sheds"], "atmosphere": "salt and wind",
                              "layout_notes": "one stair from harbour to chapel"})]
    out = run_agent(tmp_path, registry, "agents.location_designer",
                    {"brief": "a village on a cliff", "world": MEDIEVAL, "feedback": "More weather, please."})
    location, result = out["location"], AgentResult.model_validate(out["result"])
    assert (location["id"], location["kind"], location["name"]) == ("location-gull-rock", "Location", "Gull Rock")
    assert location["traits"] == {"atmosphere": "salt and wind", "landmarks": "the chapel; the net sheds",
                                  "layout": "one stair from harbour to chapel"}
    assert not result.needs_review and result.structured["landmarks"] == ["the chapel", "the net sheds"]  # type: ignore[index]
    messages = double.requests[0].body["messages"]
    assert messages[-1] == {"role": "user", "content": "A reviewer asked for changes; follow them: More weather, please."}


def test_a_narrative_scene_too_short_for_its_length_is_scored_down_and_sent_to_review(
        tmp_path: Path, registry: NodeRegistry, double: ApiDouble) -> None:
    scene = {"title": "The Crossing", "setting": "a river at dawn", "characters_present": ["Mara"],
             "beats": ["Mara waits", "the fog lifts"], "text": "Mara waits. The fog lifts."}
    double.replies = [answer(scene)]
    out = run_agent(tmp_path, registry, "agents.narrative",
                    {"prompt": "Mara crosses the river", "words": 300, "world": MEDIEVAL, "character_1": MARA})
    result = AgentResult.model_validate(out["result"])
    assert out["text"] == "Mara waits. The fog lifts." and result.structured == scene
    checks = {e.check: e for e in result.evidence}
    assert not checks["length"].passed and checks["length"].detail == "5 words, wanted 225–375"
    assert checks["characters"].passed
    assert result.needs_review == (result.confidence < 0.6)


def test_three_invalid_answers_fail_the_agent_node_with_a_clear_error(
        tmp_path: Path, registry: NodeRegistry, double: ApiDouble) -> None:
    double.replies = [answer({"consistent": "perhaps"}) for _ in range(3)]
    result = run_node(tmp_path, registry, "agents.consistency_check", {"content": "x", "world": MEDIEVAL})
    assert result.error is not None and result.error.code == "llm_invalid_output"
    assert "no answer matching Verdict in 3 attempts" in result.error.message and len(double.requests) == 3


EXAMPLE_CASES: list[tuple[str, dict[str, Any], dict[str, Any], type[BaseModel]]] = [
    ("agents.consistency_check", {"content": "Mara waits."}, {"consistent": True, "violations": []}, Verdict),
    ("agents.location_designer", {"brief": "a mill"},
     {"name": "Mill", "description": "A mill.", "landmarks": ["wheel"], "atmosphere": "damp", "layout_notes": "one room"},
     LocationDesign),
    ("agents.narrative", {"prompt": "Mara waits", "words": 30},
     {"title": "T", "setting": "S", "characters_present": [], "beats": ["b"], "text": "Mara waits."}, scene_schema(37)),
    ("agents.scribe", {"story": "A ferrywoman.", "kind": "logline"}, {"text": "A ferrywoman waits."}, Copy),
]


@pytest.mark.parametrize(("type_id", "inputs", "reply", "schema"), EXAMPLE_CASES)
def test_each_agent_shows_a_worked_example_valid_under_its_own_schema_before_its_request(
        tmp_path: Path, registry: NodeRegistry, double: ApiDouble, type_id: str, inputs: dict[str, Any],
        reply: dict[str, Any], schema: type[BaseModel]) -> None:
    double.replies = [answer(reply), answer(reply)]  # the scribe asks twice: draft, then refine
    run_agent(tmp_path, registry, type_id, inputs)
    messages = double.requests[0].body["messages"]
    assert asked(double.requests[0]) != messages[1]["content"]  # the example's request is not the agent's
    schema.model_validate_json(messages[2]["content"])


def test_the_embedded_model_reads_a_conversation_as_a_document_of_requests_and_answers() -> None:
    prompt = document_prompt([system("Write loglines."), user("A lighthouse."), assistant('{"text": "A keeper."}'),
                              user("A ferry.")])
    assert prompt == ('<bos>Write loglines.\n\nRequest:\nA lighthouse.\n\nAnswer:\n{"text": "A keeper."}\n\n'
                      "Request:\nA ferry.\n\nAnswer:\n")
