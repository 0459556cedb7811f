"""Wiring the runner, executor and run manager into the app's services."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from nodes.sdk import AuteurError

from ..engine.factory import make_executor, make_runner
from ..server.services import AppServices
from ..settings import Settings
from ..workspace.store import ProjectStore
from .manager import RunManager
from .store import RunStore


def project_root_finder(settings: Settings) -> Callable[[str], Path | None]:
    """Resolve a run's `project` (name or id) to its folder, or None if there is none."""
    store = ProjectStore(settings.workspace)

    def find(project: str) -> Path | None:
        try:
            return store.root(project).resolve()
        except AuteurError:
            return None

    return find


async def start_runs(services: AppServices) -> None:
    """Start the runner, then the run manager (which restores the persisted queue)."""
    settings = services.settings
    state_dir = settings.state_dir
    state_dir.mkdir(parents=True, exist_ok=True)
    runner = services.runner or make_runner(settings)
    await runner.start()
    services.runner = runner
    services.executor = make_executor(settings, services.registry, runner, tiers=services.tiers)
    services.runs = RunManager(
        RunStore(state_dir / "runs.sqlite3"), services.executor, services.events,
        concurrency=settings.concurrent_runs, progress_interval=settings.progress_interval_s,
        resume_attempts=settings.resume_attempts, project_root=project_root_finder(settings),
    )
    _restore_subscriptions(services, services.runs.store)
    await services.runs.start()


def _restore_subscriptions(services: AppServices, store: RunStore) -> None:
    """After a restart, clients keep receiving (and replaying) the events of their runs."""
    for client_id, run_id, principal in store.client_runs():
        services.events.subscribe(client_id, runs=[run_id])
        state = services.events.client(client_id)
        state.owner = state.owner or principal


async def stop_runs(services: AppServices) -> None:
    if services.runs is not None:
        await services.runs.stop()
        services.runs.store.close()
    if services.runner is not None:
        await services.runner.close()
