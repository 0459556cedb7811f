"""The HTTP side shared by the hosted providers: one streamed POST with retries on 429/5xx,
server-sent-event parsing, and errors that never carry the API key."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from ._types import LLMError

log = logging.getLogger("auteur.llm")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 529})  # 529: Anthropic's "overloaded"
MAX_RETRY_AFTER_S = 30.0


def redact(text: str, secret: str | None) -> str:
    """`text` with every occurrence of the secret replaced (a provider may echo a bad key)."""
    return text.replace(secret, "***") if secret else text


@dataclass
class HttpTransport:
    """POST a JSON body and stream the answer's lines; `secret` is only ever sent, never shown."""

    provider: str
    base_url: str
    env: str  # the setting that names base_url, for error messages
    headers: dict[str, str] = field(default_factory=dict)
    secret: str | None = None
    timeout_s: float = 120.0
    retries: int = 2
    backoff_s: float = 1.0

    def stream_lines(self, path: str, body: dict[str, Any]) -> Iterator[str]:
        url = self.base_url.rstrip("/") + path
        for attempt in range(self.retries + 1):
            log.debug("%s request %s (attempt %d)", self.provider, url, attempt + 1)
            try:
                with httpx.Client(timeout=self.timeout_s) as client, client.stream(
                        "POST", url, json=body, headers=self.headers) as response:
                    if response.status_code in RETRY_STATUSES and attempt < self.retries:
                        wait = self._wait(response, attempt)
                        log.info("%s answered %d; retrying in %.1fs", self.provider, response.status_code, wait)
                        time.sleep(wait)
                        continue
                    if response.status_code >= 400:
                        raise self._status_error(response)
                    yield from (line for line in response.iter_lines() if line.strip())
                    return
            except httpx.TransportError as exc:
                raise LLMError(
                    f"{self.provider} is not reachable at {self.base_url} ({type(exc).__name__}); "
                    f"start it or set {self.env} to its address",
                    code="llm_unreachable", details={"provider": self.provider, "url": self.base_url,
                                                     "env": self.env}) from exc
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _wait(self, response: httpx.Response, attempt: int) -> float:
        try:
            return min(float(response.headers.get("retry-after", "")), MAX_RETRY_AFTER_S)
        except ValueError:
            return self.backoff_s * 2.0 ** attempt

    def _status_error(self, response: httpx.Response) -> LLMError:
        response.read()
        detail = redact(_error_text(response), self.secret)[:500]
        status = response.status_code
        code = ("llm_auth_failed" if status in (401, 403) else
                "llm_rate_limited" if status in RETRY_STATUSES else "llm_http_error")
        hint = " (check the API key setting AUTEUR_LLM_API_KEY)" if code == "llm_auth_failed" else ""
        return LLMError(f"{self.provider} answered {status}: {detail}{hint}", code=code,
                        details={"provider": self.provider, "status": status})


def _error_text(response: httpx.Response) -> str:
    """The provider's own error message when it sent one (`{"error": {"message"}}` or
    `{"error": "..."}`), else the start of the body."""
    try:
        data = response.json()
    except ValueError:
        return response.text.strip() or response.reason_phrase
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict):
        return str(error.get("message") or error)
    return str(error or data)


def sse_data(lines: Iterator[str]) -> Iterator[dict[str, Any]]:
    """The JSON payloads of a server-sent-event stream (`data: {...}`), up to `[DONE]`."""
    for line in lines:
        if not line.startswith("data:"):
            continue  # `event:` names repeat the payload's own `type`; comments are keep-alives
        payload = line[5:].strip()
        if payload == "[DONE]":
            return
        yield json.loads(payload)
