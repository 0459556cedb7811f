"""Any OpenAI-compatible /chat/completions endpoint (OpenAI, vLLM, llama.cpp's server, LM
Studio…): `response_format` carries the JSON Schema, answers stream as SSE with usage last and
token log-probabilities where the server gives them."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from ._http import HttpTransport, sse_data
from ._types import Completion, Message, TokenSink


class OpenAICompatibleModel:
    def __init__(self, transport: HttpTransport, model: str) -> None:
        self.transport, self.model = transport, model

    @property
    def name(self) -> str:
        return f"openai:{self.model}"

    def complete(self, messages: Sequence[Message], *, schema: dict[str, Any] | None = None,
                 max_tokens: int = 512, temperature: float = 0.2,
                 on_token: TokenSink | None = None) -> Completion:
        body: dict[str, Any] = {
            "model": self.model, "messages": [m.model_dump() for m in messages], "max_tokens": max_tokens,
            "temperature": temperature, "stream": True, "stream_options": {"include_usage": True},
            "logprobs": True}
        if schema is not None:
            # strict mode would demand additionalProperties=false and every field required,
            # which pydantic's schemas do not promise; the answer is validated on our side.
            body["response_format"] = {"type": "json_schema", "json_schema": {
                "name": str(schema.get("title", "answer"))[:64], "schema": schema, "strict": False}}
        start, first, parts, logprobs = time.perf_counter(), None, [], []
        prompt_tokens = completion_tokens = 0
        for chunk in sse_data(self.transport.stream_lines("/chat/completions", body)):
            for choice in chunk.get("choices") or []:
                text = (choice.get("delta") or {}).get("content") or ""
                if text:
                    first = first if first is not None else time.perf_counter() - start
                    parts.append(text)
                    if on_token is not None:
                        on_token(text)
                logprobs += [item["logprob"] for item in ((choice.get("logprobs") or {}).get("content") or [])]
            usage = chunk.get("usage") or {}
            prompt_tokens = usage.get("prompt_tokens", prompt_tokens)
            completion_tokens = usage.get("completion_tokens", completion_tokens)
        mean = sum(logprobs) / len(logprobs) if logprobs else None
        return Completion("".join(parts), self.name, prompt_tokens, completion_tokens, mean, first,
                          time.perf_counter() - start)
