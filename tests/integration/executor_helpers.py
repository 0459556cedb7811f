"""Graph builders and a harness for executor tests (shared by the runner parity tests)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from canvas_server.engine.executor import EngineEvent, Executor
from canvas_server.graph.prompt import ApiPrompt
from function_runners.base import Runner
from function_runners.result_cache import ResultCache
from function_runners.tiers import load_tiers
from nodes.sdk import discover

PACKS = ["core", "testpack"]
T = TypeVar("T")


def add_chain(length: int, *, bump: int | None = None) -> ApiPrompt:
    """integer(0) → add(+1) × length → show; node `bump` adds 2 instead of 1."""
    prompt: dict[str, Any] = {"0": {"class_type": "core.integer", "inputs": {"value": 0}}}
    for index in range(1, length + 1):
        prompt[str(index)] = {
            "class_type": "core.add",
            "inputs": {"a": [str(index - 1), 0], "b": 2 if index == bump else 1},
        }
    prompt["out"] = {"class_type": "core.show", "inputs": {"value": [str(length), 0]}}
    return ApiPrompt.model_validate(prompt)


def prompt_of(nodes: dict[str, tuple[str, dict[str, Any]]]) -> ApiPrompt:
    return ApiPrompt.model_validate(
        {node_id: {"class_type": kind, "inputs": inputs} for node_id, (kind, inputs) in nodes.items()}
    )


def make_executor(workspace: Path, runner: Runner, packs: list[str] = PACKS) -> Executor:
    return Executor(
        registry=discover(only=packs),
        runner=runner,
        cache=ResultCache(workspace / ".auteur" / "cache", workspace),
        tiers=load_tiers(),
        workspace=workspace,
        load_plugins=packs,
    )


class EventLog:
    """Collects engine events in order."""

    def __init__(self) -> None:
        self.events: list[EngineEvent] = []

    def __call__(self, event: EngineEvent) -> None:
        self.events.append(event)

    def types(self) -> list[str]:
        return [event.type for event in self.events]

    def of(self, event_type: str) -> list[EngineEvent]:
        return [event for event in self.events if event.type == event_type]


def run_async(factory: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(factory())  # type: ignore[arg-type]
