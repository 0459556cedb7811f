"""Optional refinement by a local Ollama model, through the official `ollama` client.

The model is asked for JSON matching a pydantic model's JSON Schema (`format`), at
temperature 0.2; an answer that does not validate is retried up to twice, then the caller
keeps its deterministic result and reports a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

import httpx
import ollama
from pydantic import BaseModel, ValidationError

from nodes.sdk import NodeExecutionError

from .settings import ProductionSettings

URL_ENV = "AUTEUR_OLLAMA_URL"  # named in messages; declared in ProductionSettings
DEFAULT_URL: str = ProductionSettings.model_fields["ollama_url"].default
TEMPERATURE = 0.2
RETRIES = 2
M = TypeVar("M", bound=BaseModel)


@dataclass
class Refinement(Generic[M]):
    """The validated answer (None when every attempt failed) and what went wrong on the way."""

    value: M | None
    warnings: list[str] = field(default_factory=list)


def ollama_url(override: str = "") -> str:
    return override.strip() or ProductionSettings().ollama_url.strip() or DEFAULT_URL


def refine(schema: type[M], *, model: str, system: str, user: str, url: str = "") -> Refinement[M]:
    """Ask `model` for a `schema` instance; errors only when Ollama cannot be reached."""
    host = ollama_url(url)
    client = ollama.Client(host=host, timeout=120)
    messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
    warnings: list[str] = []
    for attempt in range(1, RETRIES + 2):
        try:
            response = client.chat(model=model, messages=messages, format=schema.model_json_schema(),
                                   options={"temperature": TEMPERATURE})
        except (ConnectionError, httpx.TransportError) as exc:
            raise NodeExecutionError(
                f"Ollama is not reachable at {host} ({exc}); start Ollama or set {URL_ENV} "
                "to its address, or turn refine_with_llm off",
                code="ollama_unreachable", details={"url": host, "env": URL_ENV}) from exc
        except ollama.ResponseError as exc:
            raise NodeExecutionError(
                f"Ollama at {host} refused model {model!r}: {exc.error} (pull it with `ollama pull {model}`)",
                code="ollama_model_error", details={"url": host, "model": model}) from exc
        content = response.message.content or ""
        try:
            return Refinement(schema.model_validate_json(content), warnings)
        except ValidationError as exc:
            warnings.append(f"attempt {attempt}: {model} answered invalid JSON "
                            f"({exc.error_count()} problem(s): {exc.errors()[0]['msg']})")
    warnings.append(f"{model} gave no valid answer in {RETRIES + 1} attempts; "
                    "kept the deterministic result")
    return Refinement(None, warnings)
