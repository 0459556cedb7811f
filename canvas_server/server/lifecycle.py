"""Starting and stopping the long-lived services: runner, executor, run manager, and the
WebSocket subscriptions that outlive a restart. The server wires the run queue; the run
queue (`runs/`) knows nothing of the server."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from nodes.sdk import AuteurError

from ..engine.factory import make_executor, make_runner
from ..runs.manager import RunManager
from ..runs.store import RunStore
from ..runs.workspace_lock import acquire
from ..workspace.manifest_sync import ManifestSync
from ..workspace.store import ProjectStore
from .services import AppServices


def project_root_finder(store: ProjectStore) -> Callable[[str], Path | None]:
    """Resolve a run's `project` (name or id) to its folder, or None if there is none."""

    def find(project: str) -> Path | None:
        try:
            return store.find(project).root
        except AuteurError:
            return None

    return find


async def start_services(services: AppServices) -> None:
    """Start the runner, then the run manager (which restores the persisted queue)."""
    settings = services.settings
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    services.events.attach(asyncio.get_running_loop())  # sync routes publish from the pool
    # Before the queue is touched: a second server must not recover the first one's runs.
    services.workspace_lock = services.workspace_lock or acquire(
        settings.state_dir, f"http://{settings.host}:{settings.port}")
    runner = services.runner or make_runner(settings)
    await runner.start()
    services.runner = runner
    executor = make_executor(settings, services.registry, runner, tiers=services.tiers)
    services.runs = RunManager(
        RunStore(settings.state_dir / "runs.sqlite3"), executor, services.events,
        concurrency=settings.concurrent_runs, progress_interval=settings.progress_interval_s,
        resume_attempts=settings.resume_attempts,
        project_root=project_root_finder(ProjectStore(settings.workspace)),
        on_audit=lambda run, data: services.audit.record_action(run.principal, run.run_id, run.project, data),
    )
    manifest_sync = ManifestSync(ProjectStore(settings.workspace))
    services.events.listen(manifest_sync.on_event)
    services.manifest_sync = manifest_sync
    restore_subscriptions(services, services.runs.store)
    await services.runs.start()


def restore_subscriptions(services: AppServices, store: RunStore) -> None:
    """After a restart, clients keep receiving (and replaying) the events of their runs."""
    for client_id, run_id, principal in store.client_runs():
        services.events.subscribe(client_id, runs=[run_id])
        state = services.events.client(client_id)
        state.owner = state.owner or principal


async def stop_services(services: AppServices) -> None:
    if services.runs is not None:
        await services.runs.stop()
        services.runs.store.close()
    if services.runner is not None:
        await services.runner.close()
    if services.manifest_sync is not None:
        await services.manifest_sync.drain()
    services.events.close()
    if services.workspace_lock is not None:
        services.workspace_lock.release()
        services.workspace_lock = None
