"""A local HTTP double of a hosted language-model API: it records each request (path, headers,
JSON body) and answers from a script of (status, headers, body lines). Our side of the protocol
is what the contract tests check; no hosted API is reachable here."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Reply:
    status: int = 200
    lines: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


def sse(*events: dict[str, Any], done: bool = False) -> list[str]:
    """Server-sent events, each `event:` + `data:` as the hosted APIs send them."""
    lines = []
    for event in events:
        lines += [f"event: {event.get('type', 'message')}", f"data: {json.dumps(event)}", ""]
    return [*lines, "data: [DONE]", ""] if done else lines


def ndjson(*chunks: dict[str, Any]) -> list[str]:
    return [json.dumps(chunk) for chunk in chunks]


class ApiDouble:
    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.requests: list[Request] = []
        double = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                double.requests.append(Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                reply = double.replies.pop(0) if double.replies else Reply(500, ['{"error": "no reply scripted"}'])
                raw = "".join(line + "\n" for line in reply.lines).encode()
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def answer(data: dict[str, Any]) -> Reply:
    """One streamed OpenAI-style chat completion whose content is `data` as JSON."""
    text = json.dumps(data)
    return Reply(lines=sse({"choices": [{"index": 0, "delta": {"content": text}}]},
                           {"choices": [], "usage": {"prompt_tokens": 50, "completion_tokens": 20}}, done=True))


def asked(request: Request) -> str:
    """What an agent asked in `request`: its last request before any reviewer's feedback, after
    its instructions and its worked example (a request and the answer to it)."""
    messages = request.body["messages"]
    assert [m["role"] for m in messages[:4]] == ["system", "user", "assistant", "user"], messages
    content: str = messages[3]["content"]
    return content


def scripted_openai(monkeypatch: pytest.MonkeyPatch) -> Iterator[ApiDouble]:
    """A double that the node SDK's language model reaches as an OpenAI-compatible endpoint
    (body of a test's fixture)."""
    api = ApiDouble()
    monkeypatch.setenv("AUTEUR_LLM_PROVIDER", "openai")
    monkeypatch.setenv("AUTEUR_LLM_BASE_URL", api.url)
    monkeypatch.setenv("AUTEUR_LLM_MODEL", "scripted")
    yield api
    api.close()
