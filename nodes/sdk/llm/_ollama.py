"""Ollama's /api/chat: `format` carries the JSON Schema (Ollama constrains decoding to it),
answers stream as JSON lines."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from ._http import HttpTransport
from ._types import Completion, LLMError, Message, TokenSink

OLLAMA_ENV = "AUTEUR_OLLAMA_URL"


class OllamaModel:
    def __init__(self, transport: HttpTransport, model: str) -> None:
        self.transport, self.model = transport, model

    @property
    def name(self) -> str:
        return f"ollama:{self.model}"

    def complete(self, messages: Sequence[Message], *, schema: dict[str, Any] | None = None,
                 max_tokens: int = 512, temperature: float = 0.2,
                 on_token: TokenSink | None = None) -> Completion:
        body: dict[str, Any] = {"model": self.model, "messages": [m.model_dump() for m in messages],
                                "stream": True, "options": {"temperature": temperature, "num_predict": max_tokens}}
        if schema is not None:
            body["format"] = schema
        start, first, parts = time.perf_counter(), None, []
        prompt_tokens = completion_tokens = 0
        for line in self.transport.stream_lines("/api/chat", body):
            chunk = json.loads(line)
            if chunk.get("error"):
                raise LLMError(f"Ollama refused model {self.model!r}: {chunk['error']} "
                               f"(pull it with `ollama pull {self.model}`)", code="llm_model_missing",
                               details={"provider": "ollama", "model": self.model})
            text = (chunk.get("message") or {}).get("content") or ""
            if text:
                first = first if first is not None else time.perf_counter() - start
                parts.append(text)
                if on_token is not None:
                    on_token(text)
            if chunk.get("done"):
                prompt_tokens, completion_tokens = chunk.get("prompt_eval_count", 0), chunk.get("eval_count", 0)
        return Completion("".join(parts), self.name, prompt_tokens, completion_tokens, None, first,
                          time.perf_counter() - start)
