"""Wiring the runner, executor and run manager into the app's services."""

from __future__ import annotations

from ..server.services import AppServices


async def start_runs(services: AppServices) -> None:
    """Placeholder until the executor lands: the queue is not started."""


async def stop_runs(services: AppServices) -> None:
    """Nothing to stop yet."""
