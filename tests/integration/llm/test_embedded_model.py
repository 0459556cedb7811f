"""The embedded model really runs (Gemma 3 270M from its PyPI package, on the CPU, decoded under
the JSON Schema): structured output, retry then a clear error, and every agent node end to end on
a small project — a narrative scene that reads the project's timeline, a location ingredient, the
consistency check catching a planted violation, a scribe logline — each result schema-valid. One
model load for the module; answers kept short (a 270M model on 2 cores): each agent shows a short
worked example, which the pretrained model imitates, length included."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, Field

from nodes.agents.consistency import Report
from nodes.agents.location import LocationDesign
from nodes.agents.narrative import SceneDetails
from nodes.sdk import AgentResult, ModelCache, NodeRegistry, discover
from nodes.sdk.llm import LLMError, LLMSettings, ask_structured, language_model, user
from nodes.sdk.llm.embedded import EmbeddedModel

from ..media.media_fixtures import outputs_of, run_node

# `make setup` converts the GGUF before the suite; a machine where it did not run converts it once
# inside the first test (2-7 minutes on 2 cores): more than the suite's 300 s default.
pytestmark = pytest.mark.timeout(900)

MEDIEVAL = {"name": "Westmark", "genre": "fantasy", "tone": "grim", "tech_level": "medieval",
            "physics": "", "magic_system": "none"}
MARA = {"id": "character-mara", "kind": "Character", "name": "Mara", "description": "a ferrywoman on the grey river"}


class Place(BaseModel):
    name: str = Field(max_length=30)
    landmarks: list[str] = Field(min_length=1, max_length=2)


@pytest.fixture(scope="module")
def models() -> Iterator[ModelCache]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AUTEUR_LLM_PROVIDER", "embedded")
        for name in ("AUTEUR_OLLAMA_URL", "AUTEUR_LLM_BASE_URL", "AUTEUR_LLM_MODEL"):
            patch.delenv(name, raising=False)
        yield ModelCache()


@pytest.fixture(scope="module")
def registry() -> NodeRegistry:
    return discover(only=["agents"])


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test project: Mara, and a story timeline the narrative agent reads."""
    root = tmp_path_factory.mktemp("film")
    (root / "project.json").write_text(json.dumps({
        "schemaVersion": 1, "name": "Grey River",
        "ingredients": [{**MARA, "path": "x"}],
        "timeline": [{"id": "e1", "title": "The flood", "type": "disaster", "order": 1,
                      "participants": ["character-mara"]}]}), encoding="utf-8")
    return root


def agent(project: Path, registry: NodeRegistry, models: ModelCache, type_id: str,
          inputs: dict[str, Any]) -> dict[str, Any]:
    result = run_node(project, registry, type_id, inputs, models=models)
    assert result.error is None, result.error
    found: dict[str, Any] = outputs_of(result)
    return found


def test_the_embedded_model_answers_under_the_json_schema(models: ModelCache) -> None:
    model = language_model(models, LLMSettings())
    assert isinstance(model, EmbeddedModel) and model.name == "embedded:gemma-3-270m"
    tokens: list[str] = []
    answer = ask_structured(model, Place, [user("A fishing village on a cliff: its name and a landmark.")],
                            max_tokens=48, on_token=tokens.append)
    assert isinstance(answer.value, Place) and answer.completion.mean_logprob is not None
    assert "".join(tokens) == answer.completion.text and answer.completion.first_token_s is not None
    assert language_model(models, LLMSettings()) is model and models.loads == 1  # loaded once per process


def test_an_answer_that_cannot_finish_is_retried_twice_then_a_clear_error(models: ModelCache) -> None:
    model = language_model(models, LLMSettings())
    with pytest.raises(LLMError) as caught:
        ask_structured(model, Place, [user("A village.")], max_tokens=2)  # two tokens never close the JSON
    assert caught.value.code == "llm_invalid_output" and len(caught.value.details["failures"]) == 3


def test_the_consistency_check_catches_a_laser_pistol_in_a_medieval_world(project: Path, registry: NodeRegistry,
                                                                          models: ModelCache) -> None:
    out = agent(project, registry, models, "agents.consistency_check",
                {"content": "Mara rows across the river. She draws a laser pistol.", "world": MEDIEVAL})
    result = AgentResult.model_validate(out["result"])
    verdict = Report.model_validate(result.structured)
    assert out["consistent"] is False and result.needs_review
    assert any("laser pistol" in violation.quote for violation in verdict.violations)


def schema_valid(out: dict[str, Any], model: type[BaseModel]) -> AgentResult:
    result = AgentResult.model_validate(out["result"])
    model.model_validate(result.structured)
    assert result.model == "embedded:gemma-3-270m" and result.tokens > 0
    assert "token_probability" in {e.check for e in result.evidence}  # the model's own probabilities count
    return result


def test_the_narrative_agent_writes_a_scene_for_the_project_after_its_timeline(
        project: Path, registry: NodeRegistry, models: ModelCache) -> None:
    out = agent(project, registry, models, "agents.narrative",
                {"prompt": "Mara ferries a stranger across the river", "words": 30, "world": MEDIEVAL,
                 "character_1": MARA})
    result = schema_valid(out, SceneDetails)
    assert out["text"] == result.content and out["text"].strip()
    assert {"length", "characters", "timeline"} <= {e.check for e in result.evidence}


def test_the_location_designer_gives_a_location_ingredient(project: Path, registry: NodeRegistry,
                                                           models: ModelCache) -> None:
    out = agent(project, registry, models, "agents.location_designer",
                {"brief": "a fishing village on a cliff", "name": "Gull Rock", "world": MEDIEVAL})
    schema_valid(out, LocationDesign)
    location = out["location"]
    assert (location["id"], location["kind"], location["name"]) == ("location-gull-rock", "Location", "Gull Rock")
    assert location["description"] and location["traits"]["landmarks"]


def test_the_scribe_drafts_checks_and_refines_a_logline(project: Path, registry: NodeRegistry,
                                                        models: ModelCache) -> None:
    out = agent(project, registry, models, "agents.scribe",
                {"story": "A ferrywoman hides a runaway prince from the king's riders.", "kind": "logline",
                 "title": "Grey River", "voice": "Spare, warm, hopeful."})
    result = AgentResult.model_validate(out["result"])
    assert result.model == "embedded:gemma-3-270m" and out["text"].strip() == result.content
    structured = result.structured or {}
    assert structured["kind"] == "logline" and structured["draft"].strip()
    assert -1 <= structured["sentiment"]["compound"] <= 1
    assert {"length", "refined", "voice_sentiment", "token_probability"} <= {e.check for e in result.evidence}
