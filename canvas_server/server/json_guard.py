"""Refuses JSON bodies that no route should ever see, before any route parses them, on both apps:

- nested deeper than `MAX_DEPTH` levels: Python's parser raises RecursionError past ~1,000,
  and a graph or manifest is never more than a few dozen levels deep;
- holding a lone UTF-16 surrogate (`"\\ud800"`): valid JSON text, but no UTF-8 string can hold
  it, so once stored every later read of it would fail.

A body that is not JSON at all passes: the route refuses it in its own shape (`json_invalid`,
or ComfyUI's). Runs inside `BodySizeLimit`, so what it buffers is bounded.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import send_error

MAX_DEPTH = 100
_OFF_LOOP_BYTES = 256 * 1024  # parse larger bodies in a thread: the event loop keeps answering
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")  # the only way JSON text spells one
_SURROGATE = re.compile("[\ud800-\udfff]")
_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"')
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))
_OPENING = frozenset(b"[{")
_JSON_TYPES = (b"application/json", b"text/plain", b"")  # text/plain: ComfyUI's clients send it


def json_problem(raw: bytes) -> str | None:
    """Why a JSON body is refused, or None (also for a body that is not JSON)."""
    if _too_deep(raw):
        return f"the JSON body is nested deeper than {MAX_DEPTH} levels"
    if _SURROGATE_ESCAPE.search(raw) is None:  # the common case: nothing more to look at
        return None
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return _lone_surrogate(value)


def _too_deep(raw: bytes) -> bool:
    """Depth from the text alone (strings removed, brackets counted): C-speed scans and one
    pass over the brackets, instead of parsing and walking every value."""
    depth = 0
    for byte in _STRING.sub(b"", raw).translate(None, _NOT_BRACKETS):
        if byte in _OPENING:
            depth += 1
            if depth > MAX_DEPTH:
                return True
        else:
            depth -= 1
    return False


def _lone_surrogate(value: Any) -> str | None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str) and _SURROGATE.search(item):
            return "the JSON body holds a lone UTF-16 surrogate (\\ud800-\\udfff), which is not text"
    return None


def _is_json(scope: Scope) -> bool:
    content_type = dict(scope["headers"]).get(b"content-type", b"")
    media_type = content_type.split(b";", 1)[0].strip().lower()
    return media_type in _JSON_TYPES or media_type.endswith(b"+json")


class JsonGuard:
    """ASGI middleware: reads a JSON request's body, refuses it (400 `json_invalid`) or hands
    it on unchanged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH") or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client left: nothing to answer
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        raw = b"".join(chunks)
        problem = await asyncio.to_thread(json_problem, raw) if len(raw) > _OFF_LOOP_BYTES else json_problem(raw)
        if problem is not None:
            await send_error(send, 400, "json_invalid", problem)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": raw, "more_body": False}

        await self.app(scope, replay, send)
