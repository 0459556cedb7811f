"""A real `auteur serve` (main port and ComfyUI port) hammered by clients from the moment it
starts until it has stopped: every answer is a success or a 503 with `Retry-After`, never
another 5xx; successes begin as soon as the server is ready and end when shutdown begins."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from .server_harness import AUTEUR, chain_prompt, free_port


@dataclass
class Answer:
    sent: float  # when the request left: ordering claims compare a request's start with another's answer
    at: float
    what: str
    status: int
    retry_after: str | None


@dataclass
class Hammer:
    """One thread per request kind, each sending it again as soon as it is answered."""

    port: int
    comfyui_port: int
    answers: list[Answer] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)

    def requests(self) -> dict[str, tuple[str, str, dict[str, object] | None]]:
        main, comfy = f"http://127.0.0.1:{self.port}", f"http://127.0.0.1:{self.comfyui_port}"
        return {
            "POST /prompt": ("POST", f"{comfy}/prompt", {"prompt": chain_prompt()}),
            "POST /api/runs": ("POST", f"{main}/api/runs", {"graph": chain_prompt()}),
            "GET /api/health": ("GET", f"{main}/api/health", None),
        }

    def _loop(self, what: str, method: str, url: str, body: dict[str, object] | None) -> None:
        with httpx.Client(timeout=10) as client:
            while not self.done.is_set():
                sent = time.monotonic()
                try:
                    response = client.request(method, url, json=body)
                except httpx.TransportError:  # not listening (yet, or any more)
                    time.sleep(0.005)
                    continue
                self.answers.append(Answer(sent, time.monotonic(), what, response.status_code,
                                           response.headers.get("retry-after")))

    def start(self) -> list[threading.Thread]:
        threads = [threading.Thread(target=self._loop, args=(what, *request), daemon=True)
                   for what, request in self.requests().items()]
        for thread in threads:
            thread.start()
        return threads


def _ok(answer: Answer) -> bool:
    return answer.status in (200, 202)


def _assert_only_successes_and_retry_laters(answers: list[Answer]) -> None:
    for answer in answers:
        assert _ok(answer) or answer.status == 503, answer
        if answer.status == 503:
            assert answer.retry_after is not None and int(answer.retry_after) > 0, answer


def test_both_ports_answer_only_successes_or_503_with_retry_after_through_start_and_shutdown(tmp_path: Path) -> None:
    port, comfyui_port = free_port(), free_port()
    hammer = Hammer(port, comfyui_port)
    threads = hammer.start()  # before the process exists: the first connection is measured too
    process = subprocess.Popen(
        [*AUTEUR, "serve", "--port", str(port), "--comfyui-port", str(comfyui_port), "--log-level", "warning"],
        env={**os.environ, "AUTEUR_WORKSPACE": str(tmp_path / "ws"), "AUTEUR_LOAD_PLUGINS": "core"},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not all(any(a.what == what and _ok(a) for a in hammer.answers) for what in hammer.requests()):
            assert process.poll() is None and time.monotonic() < deadline, "the server never became ready"
            time.sleep(0.05)
        time.sleep(0.5)  # the server runs under load for a moment
        stopping_at = time.monotonic()
        os.kill(process.pid, signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        stopped_at = time.monotonic()
    finally:
        hammer.done.set()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        for thread in threads:
            thread.join(timeout=15)
    output = process.stdout.read().decode() if process.stdout else ""
    assert "Traceback" not in output, output

    answers = sorted(hammer.answers, key=lambda a: a.at)
    _assert_only_successes_and_retry_laters(answers)
    # Ready means ready: every request sent after the first success and answered before the
    # signal succeeds (one sent earlier may still have met the gate closed).
    first_ok = next(a.at for a in answers if _ok(a))
    while_up = [a for a in answers if first_ok <= a.sent and a.at < stopping_at]
    assert all(_ok(a) for a in while_up), [a for a in while_up if not _ok(a)][:5]
    # Once a 503 has said the server is going, no request sent after it succeeds (one already
    # inside the server when the gate closed may still finish and be answered later).
    going = [a.at for a in answers if a.status == 503 and a.at >= stopping_at]
    if going:
        assert not [a for a in answers if _ok(a) and a.sent > going[0]]
    assert all(a.at <= stopped_at for a in answers)
