"""Structured answers: decoded under a pydantic model's JSON Schema, validated, retried twice
with the validation error shown to the model, then a clear node error."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError

from ._types import Completion, LanguageModel, LLMError, Message, TokenSink, assistant, user

RETRIES = 2
M = TypeVar("M", bound=BaseModel)


@dataclass
class Structured(Generic[M]):
    """The validated answer, the completion that gave it and what failed before it."""

    value: M
    completion: Completion
    attempts: int
    failures: list[str] = field(default_factory=list)
    tokens: int = 0


def strip_fences(text: str) -> str:
    """A JSON answer without the Markdown fence some models wrap it in."""
    body = text.strip()
    if body.startswith("```"):
        body = body.split("\n", 1)[1] if "\n" in body else ""
        body = body.rsplit("```", 1)[0]
    return body.strip()


def ask_structured(model: LanguageModel, schema: type[M], messages: Sequence[Message], *,
                   retries: int = RETRIES, max_tokens: int = 512, temperature: float = 0.2,
                   on_token: TokenSink | None = None) -> Structured[M]:
    """A `schema` instance from `model`; raises `LLMError(llm_invalid_output)` after
    `retries + 1` answers that do not validate."""
    json_schema = schema.model_json_schema()
    conversation, failures, tokens = list(messages), [], 0
    for attempt in range(1, retries + 2):
        completion = model.complete(conversation, schema=json_schema, max_tokens=max_tokens,
                                    temperature=temperature, on_token=on_token)
        tokens += completion.tokens
        try:
            value = schema.model_validate_json(strip_fences(completion.text))
        except ValidationError as exc:
            problem = f"{exc.error_count()} problem(s), first: {exc.errors()[0]['msg']}"
            failures.append(f"attempt {attempt}: {problem}")
            conversation += [assistant(completion.text or "(nothing)"),
                             user(f"That answer does not match the JSON schema ({problem}). Answer again "
                                  "with only JSON that matches it.")]
            continue
        return Structured(value, completion, attempt, failures, tokens)
    raise LLMError(f"{model.name} gave no answer matching {schema.__name__} in {retries + 1} attempts "
                   f"({failures[-1]})", code="llm_invalid_output",
                   details={"model": model.name, "schema": schema.__name__, "failures": failures})
