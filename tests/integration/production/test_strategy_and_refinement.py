"""production.video_strategy's deterministic variations, and the breakdown's refine_with_llm
path against the Ollama double (our side of the contract): a valid answer is merged, invalid
and missing JSON are retried then fall back to the deterministic breakdown with a warning,
an unreachable Ollama is a clear error naming AUTEUR_OLLAMA_URL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from nodes.production.llm import URL_ENV
from nodes.production.script_breakdown import ShotListRefinement
from nodes.sdk import NodeRegistry, discover, layout

from ..media.media_fixtures import outputs_of, run_node
from .test_ollama_contract import OllamaDouble, ollama_double  # noqa: F401  (fixture)

SCREENPLAY = Path(__file__).resolve().parents[2] / "data" / "screenplays" / "two_rooms.fountain"
SHOT = {"id": "sh-1", "description": "Ana opens the door.", "duration": 4.0, "cast": ["ANA"]}


@pytest.fixture(scope="module")
def registry() -> NodeRegistry:
    return discover(only=["core", "production"])


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    shutil.copy(SCREENPLAY, tmp_path / "two_rooms.fountain")
    return tmp_path


def strategy(workspace: Path, registry: NodeRegistry, **inputs: Any) -> list[dict[str, Any]]:
    shots: list[dict[str, Any]] = outputs_of(run_node(workspace, registry, "production.video_strategy",
                                                      {"shot": SHOT, **inputs}))["shots"]
    return shots


def test_video_strategy_gives_the_same_variations_for_the_same_shot_mood_genre_platform(
        workspace: Path, registry: NodeRegistry) -> None:
    first = strategy(workspace, registry, mood="tense", genre="thriller", platform="cinema")
    assert first == strategy(workspace, registry, mood="tense", genre="thriller", platform="cinema")
    assert [s["id"] for s in first] == ["sh-1-v1", "sh-1-v2", "sh-1-v3"]
    assert [(s["size"], s["angle"], s["movement"], s["lens"]) for s in first] == [
        ("close-up", "low angle", "dolly in", "85mm"),
        ("medium shot", "dutch angle", "handheld", "35mm"),
        ("extreme close-up", "eye level", "static", "100mm macro")]
    assert first[0]["lighting"] == "hard side light, thriller genre conventions"
    assert all(s["description"] == SHOT["description"] and s["cast"] == ["ANA"] for s in first)


def test_video_strategy_frames_wide_shots_tighter_for_vertical_platforms(
        workspace: Path, registry: NodeRegistry) -> None:
    cinema = strategy(workspace, registry, mood="epic", platform="cinema", variations=2)
    vertical = strategy(workspace, registry, mood="epic", platform="tiktok", variations=2)
    assert [s["size"] for s in cinema] == ["extreme wide shot", "wide shot"]
    assert [s["size"] for s in vertical] == ["full shot", "full shot"]
    assert [s["lighting"] for s in vertical] == ["backlit, volumetric", "high contrast"]


def test_framings_a_person_approved_rank_first_in_the_projects_next_strategies(
        workspace: Path, registry: NodeRegistry) -> None:
    first = strategy(workspace, registry, mood="tense")
    chosen = first[2]  # the extreme close-up, suggested last
    counts = [outputs_of(run_node(workspace, registry, "production.approve_variation", {"shot": chosen}))["approvals"]
              for _ in range(2)]
    assert counts == [1, 2]
    stored = json.loads((workspace / layout.STRATEGY_APPROVALS).read_text(encoding="utf-8"))
    assert stored["counts"] == {"extreme close-up|eye level|static": 2}
    again = strategy(workspace, registry, mood="tense")
    assert [s["size"] for s in again] == ["extreme close-up", "close-up", "medium shot"]
    assert [s["id"] for s in again] == ["sh-1-v1", "sh-1-v2", "sh-1-v3"]
    assert [s["size"] for s in strategy(workspace, registry, mood="tense", variations=1)] == ["extreme close-up"]


def breakdown(workspace: Path, registry: NodeRegistry) -> dict[str, Any]:
    result = run_node(workspace, registry, "production.script_breakdown",
                      {"script": "two_rooms.fountain", "refine_with_llm": True, "llm_model": "llama3.1:8b"})
    found: dict[str, Any] = outputs_of(result)["breakdown"]
    return found


def deterministic(workspace: Path, registry: NodeRegistry) -> dict[str, Any]:
    found: dict[str, Any] = outputs_of(run_node(workspace, registry, "production.script_breakdown",
                                                {"script": "two_rooms.fountain"}))["breakdown"]
    return found


def test_a_valid_refinement_is_merged_shot_by_shot(
        workspace: Path, registry: NodeRegistry, ollama_double: OllamaDouble) -> None:  # noqa: F811
    plain = deterministic(workspace, registry)
    answer = {"shots": [{"id": s["id"], "description": f"Refined: {s['description']}", "size": "close-up",
                         "angle": "low angle", "movement": "dolly in", "lens": "50mm"} for s in plain["shots"]]}
    ollama_double.answers = [json.dumps(answer)]
    refined = breakdown(workspace, registry)
    assert refined["refined_by"] == "llama3.1:8b" and refined["warnings"] == []
    assert [s["id"] for s in refined["shots"]] == [s["id"] for s in plain["shots"]]
    assert all(s["description"].startswith("Refined: ") and s["size"] == "close-up" for s in refined["shots"])
    (path, body), = ollama_double.requests
    assert path == "/api/chat" and body["format"] == ShotListRefinement.model_json_schema()
    assert body["options"]["temperature"] == 0.2 and body["model"] == "llama3.1:8b"
    sent = json.loads(body["messages"][1]["content"])
    assert [s["id"] for s in sent["shots"]] == [s["id"] for s in plain["shots"]]


def test_invalid_and_missing_json_are_retried_then_the_deterministic_breakdown_is_kept(
        workspace: Path, registry: NodeRegistry, ollama_double: OllamaDouble) -> None:  # noqa: F811
    ollama_double.answers = ['{"shots": [{"id": 1}]}', "not json", ""]
    refined = breakdown(workspace, registry)
    assert len(ollama_double.requests) == 3
    assert refined["refined_by"] is None
    assert refined["shots"] == deterministic(workspace, registry)["shots"]
    assert len(refined["warnings"]) == 4 and "kept the deterministic result" in refined["warnings"][-1]


def test_an_answer_with_other_shot_ids_is_not_used(
        workspace: Path, registry: NodeRegistry, ollama_double: OllamaDouble) -> None:  # noqa: F811
    ollama_double.answers = [json.dumps({"shots": [{"id": "invented", "description": "x", "size": "insert",
                                                    "angle": "overhead", "movement": "zoom", "lens": "24mm"}]})]
    refined = breakdown(workspace, registry)
    assert refined["refined_by"] is None and "changed the shot ids" in refined["warnings"][-1]


def test_an_unreachable_ollama_fails_the_breakdown_naming_the_setting(
        workspace: Path, registry: NodeRegistry, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(URL_ENV, "http://127.0.0.1:9")
    result = run_node(workspace, registry, "production.script_breakdown",
                      {"script": "two_rooms.fountain", "refine_with_llm": True})
    assert result.error is not None and result.error.code == "ollama_unreachable"
    assert URL_ENV in result.error.message and "127.0.0.1:9" in result.error.message
