"""Starting and stopping the long-lived services (runner, executor, run manager)."""

from __future__ import annotations

from .services import AppServices


async def start_services(services: AppServices) -> None:
    """Start the runner and the run manager, restoring the persisted queue."""
    from ..runs.setup import start_runs

    await start_runs(services)


async def stop_services(services: AppServices) -> None:
    from ..runs.setup import stop_runs

    await stop_runs(services)
    services.events.close()
