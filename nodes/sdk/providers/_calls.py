"""Calls to a remote generation service, the one way every provider makes them: each call runs
in a daemon thread while the caller watches for cancellation (a cancelled node returns within a
fraction of a second even when a request hangs), failures a classifier calls transient are
retried with exponential backoff (cancellably), and a job is polled with a doubling interval up
to a ceiling and a time limit."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from .._errors import NodeCancelledError

T = TypeVar("T")
WATCH_S = 0.05

Classify = Callable[[Exception, bool], Exception | None]
"""What a failed call means: the error to raise (`final` is True on the last attempt), or None
to try again. Returning the exception itself re-raises it unchanged."""


@dataclass(frozen=True)
class Backoff:
    """How often and how patiently a provider is asked again."""

    retries: int = 3
    first_s: float = 1.0


@dataclass(frozen=True)
class Polling:
    """When a job's status is asked: after `first_s`, doubling up to `max_s`, for `timeout_s`."""

    first_s: float = 2.0
    max_s: float = 30.0
    timeout_s: float = 1800.0


class Watch:
    """One run's view of a remote service: its calls are abandoned the moment the run is
    cancelled, and `on_cancel` (the provider's own cancel request, where its API has one) is
    tried once first."""

    def __init__(self, is_cancelled: Callable[[], bool], service: str,
                 on_cancel: Callable[[], None] | None = None) -> None:
        self._cancelled = is_cancelled
        self.service = service
        self.on_cancel = on_cancel

    def check(self) -> None:
        """Raise NodeCancelledError when the run was cancelled (after asking the service to
        cancel its job, when it can)."""
        if not self._cancelled():
            return
        cancel, self.on_cancel = self.on_cancel, None
        remote = "the job was abandoned"
        if cancel is not None:
            try:
                self.watched(cancel, watch=False)
                remote = "the job was cancelled there"
            except Exception as exc:  # the run ends cancelled either way; say what the service did
                remote = f"cancelling the job there failed ({type(exc).__name__})"
        raise NodeCancelledError(f"{self.service} generation cancelled; {remote}")

    def sleep(self, seconds: float) -> None:
        """Wait, ending at once (NodeCancelledError) when the run is cancelled."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self.check()
            time.sleep(min(WATCH_S, left))
        self.check()

    def watched(self, call: Callable[[], T], *, watch: bool = True) -> T:
        """Run `call` in a daemon thread; give up on it the moment the run is cancelled."""
        box: dict[str, Any] = {}

        def target() -> None:
            try:
                box["value"] = call()
            except BaseException as exc:  # re-raised in the caller's thread
                box["error"] = exc

        worker = threading.Thread(target=target, name=f"{self.service}-request", daemon=True)
        worker.start()
        while worker.is_alive():
            if watch:
                self.check()
            worker.join(WATCH_S)
        if "error" in box:
            raise box["error"]
        return box["value"]  # type: ignore[no-any-return]

    def retrying(self, call: Callable[[], T], classify: Classify, backoff: Backoff) -> T:
        """`call`, watched, retried while `classify` calls its failure transient."""
        delay = backoff.first_s
        for attempt in range(backoff.retries + 1):
            try:
                return self.watched(call)
            except NodeCancelledError:
                raise
            except Exception as exc:
                error = classify(exc, attempt == backoff.retries)
                if error is exc:
                    raise
                if error is not None:
                    raise error from exc
                if attempt == backoff.retries:
                    raise
            self.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable: the last attempt returns or raises")

    def poll(self, status: Callable[[], T], done: Callable[[T], bool], polling: Polling,
             on_poll: Callable[[float, T], None], timed_out: Callable[[float], Exception]) -> T:
        """Ask `status` (wrap it in `retrying` for transient failures) until `done`; each answer
        goes to `on_poll` with the seconds elapsed; past the time limit, `timed_out`'s error."""
        started, delay = time.monotonic(), polling.first_s
        while True:
            self.sleep(delay)
            answer = status()
            elapsed = time.monotonic() - started
            on_poll(elapsed, answer)
            if done(answer):
                return answer
            if elapsed > polling.timeout_s:
                raise timed_out(elapsed)
            delay = min(delay * 2, polling.max_s)
