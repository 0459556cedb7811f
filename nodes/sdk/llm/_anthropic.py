"""Anthropic's Messages API: a structured answer is a forced tool call whose `input_schema` is
the JSON Schema (the tool's input arrives as `input_json_delta` events); streamed as SSE."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from ._http import HttpTransport, sse_data
from ._types import Completion, LLMError, Message, TokenSink

API_VERSION = "2023-06-01"
ANSWER_TOOL = "answer"


class AnthropicModel:
    def __init__(self, transport: HttpTransport, model: str) -> None:
        self.transport, self.model = transport, model

    @property
    def name(self) -> str:
        return f"anthropic:{self.model}"

    def complete(self, messages: Sequence[Message], *, schema: dict[str, Any] | None = None,
                 max_tokens: int = 512, temperature: float = 0.2,
                 on_token: TokenSink | None = None) -> Completion:
        system = "\n\n".join(m.content for m in messages if m.role == "system")
        body: dict[str, Any] = {
            "model": self.model, "max_tokens": max_tokens, "temperature": temperature, "stream": True,
            "messages": [m.model_dump() for m in messages if m.role != "system"]}
        if system:
            body["system"] = system
        if schema is not None:
            body["tools"] = [{"name": ANSWER_TOOL, "description": "Give the answer in this shape.",
                              "input_schema": schema}]
            body["tool_choice"] = {"type": "tool", "name": ANSWER_TOOL}
        start, first, parts = time.perf_counter(), None, []
        prompt_tokens = completion_tokens = 0
        for event in sse_data(self.transport.stream_lines("/v1/messages", body)):
            kind = event.get("type")
            if kind == "error":
                error = event.get("error") or {}
                raise LLMError(f"Anthropic failed mid-answer: {error.get('message', error)}",
                               code="llm_http_error", details={"provider": "anthropic"})
            if kind == "message_start":
                prompt_tokens = event["message"].get("usage", {}).get("input_tokens", 0)
            elif kind == "message_delta":
                completion_tokens = event.get("usage", {}).get("output_tokens", completion_tokens)
            elif kind == "content_block_delta":
                delta = event["delta"]
                text = delta.get("text") if delta.get("type") == "text_delta" else delta.get("partial_json")
                if text:
                    first = first if first is not None else time.perf_counter() - start
                    parts.append(text)
                    if on_token is not None:
                        on_token(text)
        return Completion("".join(parts), self.name, prompt_tokens, completion_tokens, None, first,
                          time.perf_counter() - start)
