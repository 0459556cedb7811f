"""The embedded model really runs (Gemma 3 270M from its PyPI package, on the CPU, decoded under
the JSON Schema): structured output, retry then a clear error, and each agent node end to end on
a small project. One model load for the module; answers kept short (a 270M model on 2 cores), and
one agent node only here: the others run on the same model call and are shown against an
OpenAI-compatible double (test_agent_nodes.py), since each costs 40-55 s of CPU on the real model."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, Field

from nodes.agents.consistency import Verdict
from nodes.sdk import AgentResult, ModelCache, NodeRegistry, discover
from nodes.sdk.llm import LLMError, LLMSettings, ask_structured, language_model, user
from nodes.sdk.llm.embedded import EmbeddedModel

from ..media.media_fixtures import outputs_of, run_node

# A fresh machine converts the GGUF once on first load (about 2-5 minutes on 2 cores) inside the
# first test: more than the suite's 300 s default.
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
    return tmp_path_factory.mktemp("film")


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
    verdict = Verdict.model_validate(result.structured)
    assert out["consistent"] is False and result.needs_review
    assert any("laser pistol" in violation.quote for violation in verdict.violations)
