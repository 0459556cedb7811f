"""The Function Runner contract the executor dispatches to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .task import NodeResult, NodeTask


def _ignore_progress(fraction: float, step: str | None) -> None:
    return None


def _ignore_event(event_type: str, data: dict[str, Any]) -> None:
    return None


@dataclass
class TaskCallbacks:
    """How a runner reports back while a task runs (called on the event loop thread)."""

    progress: Callable[[float, str | None], None] = field(default=_ignore_progress)
    emit: Callable[[str, dict[str, Any]], None] = field(default=_ignore_event)


class Runner(Protocol):
    """Executes node tasks. Cancelling the awaiting asyncio task cancels the node: the
    runner must then stop the work (kill the process) before re-raising CancelledError."""

    name: str

    def capacity(self, tier: str) -> int:
        """How many tasks of this tier may run at once."""
        ...

    async def start(self) -> None: ...

    def healthy(self) -> bool:
        """Whether tasks can be dispatched right now (a broker answers); may block ~1 s."""
        ...

    async def run(self, task: NodeTask, callbacks: TaskCallbacks) -> NodeResult: ...

    async def close(self) -> None: ...
