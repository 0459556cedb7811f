"""Coalesces `node_progress` events so a run never floods its clients: per run, at most one
progress event per node per `interval`; a node that finishes drops its pending progress
(its `node_completed` says more)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

Publish = Callable[[dict[str, Any]], None]


class ProgressThrottle:
    def __init__(self, publish: Publish, interval: float) -> None:
        self._publish = publish
        self._interval = interval
        self._last_sent = 0.0
        self._pending: dict[str, dict[str, Any]] = {}
        self._timer: asyncio.TimerHandle | None = None

    def offer(self, data: dict[str, Any]) -> None:
        node_id = str(data.get("node_id"))
        self._pending[node_id] = data
        wait = self._last_sent + self._interval - time.monotonic()
        if wait <= 0:
            self._flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(wait, self._flush)

    def node_finished(self, node_id: str) -> None:
        self._pending.pop(node_id, None)

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._pending.clear()

    def _flush(self) -> None:
        self._timer = None
        self._last_sent = time.monotonic()
        pending, self._pending = self._pending, {}
        for data in pending.values():
            self._publish(data)
