"""What every language-model provider speaks: messages in, a completion out, one error tree."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict

from .._errors import NodeExecutionError

Role = Literal["system", "user", "assistant"]
TokenSink = Callable[[str], None]
ProgressSink = Callable[[str], None]  # a step a person waits on (a conversion, a load)


class Message(BaseModel):
    """One turn of a conversation."""

    model_config = ConfigDict(frozen=True)

    role: Role
    content: str


@dataclass(frozen=True)
class Completion:
    """A model's answer and what it cost; `mean_logprob` only where the runtime reports it."""

    text: str
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    mean_logprob: float | None = None
    first_token_s: float | None = None
    total_s: float = 0.0

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class LanguageModel(Protocol):
    """A chat model. `schema` (a JSON Schema) asks for an answer under it: grammar-constrained
    where the runtime can (the embedded model, Ollama's `format`), requested otherwise."""

    @property
    def name(self) -> str:
        """`provider:model`, recorded in every agent result."""
        ...

    def complete(self, messages: Sequence[Message], *, schema: dict[str, Any] | None = None,
                 max_tokens: int = 512, temperature: float = 0.2,
                 on_token: TokenSink | None = None) -> Completion: ...


class LLMError(NodeExecutionError):
    """A language model could not answer. Codes: `llm_unreachable`, `llm_auth_failed`,
    `llm_http_error`, `llm_rate_limited`, `llm_model_missing`, `llm_invalid_output`.
    Messages and details never carry an API key."""

    code = "llm_failed"


def user(content: str) -> Message:
    return Message(role="user", content=content)


def system(content: str) -> Message:
    return Message(role="system", content=content)


def assistant(content: str) -> Message:
    """An answer already given: a worked example's, or a rejected one before a retry."""
    return Message(role="assistant", content=content)
