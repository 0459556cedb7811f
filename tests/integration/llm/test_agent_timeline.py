"""The narrative and consistency agents read the project's story timeline (issue 22): its events
in story order reach the model, and a check that needs no model flags content that contradicts
it — a character the timeline has already killed, an event that has not happened yet where the
content stands. The model is an OpenAI-compatible double here that finds nothing wrong, so what
is flagged is the timeline check's own finding."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nodes.sdk import AgentResult, NodeRegistry, discover

from ..media.media_fixtures import outputs_of, run_node
from .doubles import ApiDouble, answer, asked, scripted_openai

INGREDIENTS = [{"id": "character-mara", "kind": "Character", "name": "Mara", "path": "x"},
               {"id": "character-tomas", "kind": "Character", "name": "Tomas", "path": "y"}]
# Stored out of order on purpose: the agents read them in story order.
TIMELINE = [
    {"id": "e4", "title": "The Coronation", "type": "ceremony", "order": 5, "participants": ["character-mara"]},
    {"id": "e1", "title": "Mara meets Tomas", "type": "meeting", "order": 1, "timeLabel": "Spring, Year 1",
     "participants": ["character-mara", "character-tomas"], "description": "At the ferry landing."},
    {"id": "e3", "title": "Tomas drowns at the ford", "type": "death", "order": 3,
     "participants": ["character-tomas"]},
    {"id": "e2", "title": "The Siege of Harrow", "type": "battle", "order": 2, "participants": ["character-tomas"]},
]
IN_ORDER = ("Story timeline, in order:\n"
            "1. Spring, Year 1: Mara meets Tomas (meeting; with Mara, Tomas): At the ferry landing.\n"
            "2. order 2: The Siege of Harrow (battle; with Tomas)\n"
            "3. order 3: Tomas drowns at the ford (death; with Tomas)\n"
            "4. order 5: The Coronation (ceremony; with Mara)\n")


@pytest.fixture(scope="module")
def registry() -> NodeRegistry:
    return discover(only=["agents"])


@pytest.fixture
def double(monkeypatch: pytest.MonkeyPatch) -> Iterator[ApiDouble]:
    yield from scripted_openai(monkeypatch)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The test workspace plays the run's project: its project.json holds the story."""
    (tmp_path / "project.json").write_text(json.dumps({"schemaVersion": 1, "name": "Grey River",
                                                       "ingredients": INGREDIENTS, "timeline": TIMELINE}),
                                           encoding="utf-8")
    return tmp_path


def check(project: Path, registry: NodeRegistry, double: ApiDouble, content: str,
          at: str = "") -> tuple[dict[str, Any], AgentResult]:
    double.replies = [answer({"consistent": True, "violations": []})]
    out: dict[str, Any] = outputs_of(run_node(project, registry, "agents.consistency_check",
                                              {"content": content, "at": at}))
    return out, AgentResult.model_validate(out["result"])


def test_the_consistency_check_sees_the_timeline_in_order_and_flags_a_character_it_has_killed(
        project: Path, registry: NodeRegistry, double: ApiDouble) -> None:
    out, result = check(project, registry, double, "Mara waits at the gate. Tomas greets her with a bow.")
    assert out["consistent"] is False and result.needs_review
    (violation,) = result.structured["violations"]  # type: ignore[index]
    assert violation["quote"] == "Tomas greets her with a bow."
    assert violation["reason"] == ("Tomas died in “Tomas drowns at the ford” (order 3), before this point of the "
                                   "story (after the last event of the timeline)")
    timeline = {e.check: e for e in result.evidence}["timeline"]
    assert timeline.blocking and not timeline.passed
    prompt = asked(double.requests[0])
    assert IN_ORDER + "The content happens after every event above." in prompt

    out, result = check(project, registry, double, "Mara mourns Tomas at the ford.")  # remembered, not brought on
    assert out["consistent"] is True and not result.needs_review
    assert {e.check: e.passed for e in result.evidence}["timeline"] is True


def test_an_event_still_to_come_where_the_content_stands_is_flagged_and_no_longer_once_it_is_past(
        project: Path, registry: NodeRegistry, double: ApiDouble) -> None:
    content = "Tomas sharpens his sword after the siege of Harrow. Mara dreams of the coronation."
    _, result = check(project, registry, double, content, at="The Siege of Harrow")
    (violation,) = result.structured["violations"]  # type: ignore[index]
    assert violation["quote"] == "Mara dreams of the coronation."
    assert violation["reason"].startswith("“The Coronation” happens at order 5, after this point of the story")
    prompt = asked(double.requests[0])
    assert "The content happens at The Siege of Harrow (order 2): later events have not happened yet." in prompt

    _, result = check(project, registry, double, content, at="6")  # after the coronation, and after Tomas drowned
    (violation,) = result.structured["violations"]  # type: ignore[index]
    assert violation["quote"] == "Tomas sharpens his sword after the siege of Harrow."
    assert violation["reason"].startswith("Tomas died in “Tomas drowns at the ford”")


def test_a_narrative_scene_reads_the_timeline_and_one_that_contradicts_it_goes_to_review(
        project: Path, registry: NodeRegistry, double: ApiDouble) -> None:
    scene = {"title": "Before the Walls", "setting": "the camp at Harrow", "characters_present": ["Tomas"],
             "beats": ["Tomas waits"], "text": "Tomas waits for the Coronation under the walls of Harrow."}
    double.replies = [answer(scene)]
    out = outputs_of(run_node(project, registry, "agents.narrative",
                              {"prompt": "Tomas before the siege", "words": 30, "at": "2"}))
    result = AgentResult.model_validate(out["result"])
    timeline = {e.check: e for e in result.evidence}["timeline"]
    assert not timeline.passed and "“The Coronation” happens at order 5" in timeline.detail and result.needs_review
    prompt = asked(double.requests[0])
    assert IN_ORDER + "The content happens at order 2: later events have not happened yet." in prompt


def test_a_story_time_that_is_neither_a_date_a_number_nor_an_event_fails_before_asking_the_model(
        project: Path, registry: NodeRegistry, double: ApiDouble) -> None:
    result = run_node(project, registry, "agents.consistency_check", {"content": "Mara rows.", "at": "next Tuesday"})
    assert result.error is not None and result.error.code == "story_time_invalid"
    assert "next Tuesday" in result.error.message and double.requests == []


def test_every_violation_of_a_long_content_is_reported_whole(
        project: Path, registry: NodeRegistry, double: ApiDouble) -> None:
    long_sentence = "Tomas, " + "who was tired and cold and far from home, " * 8 + "draws a laser."
    content = " ".join([long_sentence, *(f"Guard {n} fires a rifle." for n in range(6))])
    double.replies = [answer({"consistent": True, "violations": []})]
    out = outputs_of(run_node(project, registry, "agents.consistency_check",
                              {"content": content, "world": {"tech_level": "medieval"}}))
    violations = AgentResult.model_validate(out["result"]).structured["violations"]  # type: ignore[index]
    assert len(violations) == 8  # 7 against the technology level, one against the timeline (Tomas is dead)
    assert all(v["quote"] in content and len(v["quote"]) <= 240 for v in violations)
