"""Optional refinement by a local Ollama model, through the SDK's one language-model interface.

The model is asked for JSON matching a pydantic model's JSON Schema (Ollama's `format`), at
temperature 0.2; an answer that does not validate is retried up to twice, then the caller
keeps its deterministic result and reports a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from pydantic import BaseModel

from nodes.sdk import ModelCache, NodeExecutionError
from nodes.sdk.llm import LLMError, LLMSettings, ask_structured, language_model
from nodes.sdk.llm import system as system_message
from nodes.sdk.llm import user as user_message

URL_ENV = "AUTEUR_OLLAMA_URL"  # named in messages; declared in nodes.sdk.llm.LLMSettings
TEMPERATURE = 0.2
M = TypeVar("M", bound=BaseModel)


@dataclass
class Refinement(Generic[M]):
    """The validated answer (None when every attempt failed) and what went wrong on the way."""

    value: M | None
    warnings: list[str] = field(default_factory=list)


def ollama_url(override: str = "") -> str:
    return override.strip() or LLMSettings().ollama_url.strip()


def refine(schema: type[M], *, model: str, system: str, user: str, url: str = "") -> Refinement[M]:
    """Ask `model` for a `schema` instance; errors only when Ollama cannot be reached."""
    host = ollama_url(url)
    ollama = language_model(ModelCache(), LLMSettings(llm_provider="ollama", llm_model=model, ollama_url=host))
    try:
        answer = ask_structured(ollama, schema, [system_message(system), user_message(user)],
                                temperature=TEMPERATURE, max_tokens=2048)
    except LLMError as exc:
        if exc.code == "llm_invalid_output":
            failures = [f"{model} answered invalid JSON, {failure}" for failure in exc.details["failures"]]
            return Refinement(None, [*failures, f"{model} gave no valid answer in {len(failures)} attempts; "
                                     "kept the deterministic result"])
        if exc.code == "llm_unreachable":
            raise NodeExecutionError(f"{exc.message}, or turn refine_with_llm off", code="ollama_unreachable",
                                     details={"url": host, "env": URL_ENV}) from exc
        raise NodeExecutionError(exc.message, code="ollama_model_error",
                                 details={"url": host, "model": model}) from exc
    return Refinement(answer.value, [f"{model} answered invalid JSON, {failure}" for failure in answer.failures])
