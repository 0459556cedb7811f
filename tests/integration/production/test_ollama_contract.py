"""Contract test of our side of Ollama's /api/chat (a local HTTP double: no model here):
the model, the JSON-Schema `format`, temperature 0.2 and messages we send; retries on
invalid or missing JSON, then the deterministic fallback; a clear error when unreachable."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from nodes.production.llm import URL_ENV, refine
from nodes.production.veo_payload import RefinedPrompt
from nodes.sdk import NodeExecutionError


class OllamaDouble:
    def __init__(self, answers: list[str]) -> None:
        self.answers, self.requests = answers, []  # type: ignore[var-annotated]
        double = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # /api/tags
                self.reply({"models": [{"name": "llama3.1:8b", "model": "llama3.1:8b"}]})

            def do_POST(self) -> None:  # /api/chat
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                double.requests.append((self.path, body))
                content = double.answers.pop(0) if double.answers else ""
                self.reply({"model": body["model"], "created_at": "2025-01-01T00:00:00Z", "done": True,
                            "message": {"role": "assistant", "content": content}})

            def reply(self, data: dict[str, Any]) -> None:
                raw = json.dumps(data).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def ollama_double(monkeypatch: pytest.MonkeyPatch) -> Iterator[OllamaDouble]:
    double = OllamaDouble([])
    monkeypatch.setenv(URL_ENV, double.url)
    yield double
    double.server.shutdown()


def test_a_valid_answer_is_used_and_the_request_follows_the_contract(ollama_double: OllamaDouble) -> None:
    ollama_double.answers = [json.dumps({"prompt": "Mara crosses the market."})]
    result = refine(RefinedPrompt, model="llama3.1:8b", system="sys", user="usr")
    assert result.value == RefinedPrompt(prompt="Mara crosses the market.") and result.warnings == []
    path, body = ollama_double.requests[0]
    assert path == "/api/chat"
    assert body["model"] == "llama3.1:8b"
    assert body["format"] == RefinedPrompt.model_json_schema()
    assert body["options"]["temperature"] == 0.2
    assert body["messages"] == [{"role": "system", "content": "sys"}, {"role": "user", "content": "usr"}]


def test_invalid_then_missing_json_is_retried_before_a_valid_answer(ollama_double: OllamaDouble) -> None:
    ollama_double.answers = ['{"prompt": ', "", json.dumps({"prompt": "ok"})]
    result = refine(RefinedPrompt, model="llama3.1:8b", system="s", user="u")
    assert result.value == RefinedPrompt(prompt="ok")
    assert len(ollama_double.requests) == 3 and len(result.warnings) == 2


def test_three_bad_answers_fall_back_with_a_warning(ollama_double: OllamaDouble) -> None:
    ollama_double.answers = ['{"wrong": 1}', "not json", ""]
    result = refine(RefinedPrompt, model="llama3.1:8b", system="s", user="u")
    assert result.value is None
    assert len(ollama_double.requests) == 3
    assert "kept the deterministic result" in result.warnings[-1]


def test_an_unreachable_ollama_names_the_url_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(URL_ENV, "http://127.0.0.1:9")
    with pytest.raises(NodeExecutionError) as caught:
        refine(RefinedPrompt, model="llama3.1:8b", system="s", user="u")
    assert caught.value.code == "ollama_unreachable"
    assert URL_ENV in caught.value.message and "127.0.0.1:9" in caught.value.message
