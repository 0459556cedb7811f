"""Wiring the runner, executor and run manager into the app's services."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from function_runners.base import Runner

from ..engine.cache import ResultCache
from ..engine.executor import Executor
from ..server.services import AppServices
from ..settings import Settings
from .manager import RunManager
from .store import RunStore


def project_root_finder(settings: Settings) -> Callable[[str], Path | None]:
    def find(project: str) -> Path | None:
        root = (settings.workspace / "Projects" / project).resolve()
        projects = (settings.workspace / "Projects").resolve()
        return root if root.parent == projects and root.is_dir() else None

    return find


def _make_runner(settings: Settings) -> Runner:
    """Celery workers when a broker is configured, else the local process pool."""
    if settings.broker_url:
        from function_runners.celery_runner import CeleryRunner

        return CeleryRunner(settings.broker_url)
    from function_runners.local import LocalRunner

    return LocalRunner(workers=settings.runner_workers, load_plugins=settings.load_plugins)


async def start_runs(services: AppServices) -> None:
    """Start the runner, then the run manager (which restores the persisted queue)."""
    settings = services.settings
    state_dir = settings.state_dir
    state_dir.mkdir(parents=True, exist_ok=True)
    runner = services.runner or _make_runner(settings)
    await runner.start()
    services.runner = runner
    services.executor = Executor(
        registry=services.registry, runner=runner,
        cache=ResultCache(state_dir / "cache"), tiers=services.tiers,
        workspace=settings.workspace, allowed_dirs=settings.allowed_dirs, load_plugins=settings.load_plugins,
    )
    services.runs = RunManager(
        RunStore(state_dir / "runs.sqlite3"), services.executor, services.events,
        concurrency=settings.concurrent_runs, progress_interval=settings.progress_interval_s,
        resume_attempts=settings.resume_attempts, project_root=project_root_finder(settings),
    )
    await services.runs.start()


async def stop_runs(services: AppServices) -> None:
    if services.runs is not None:
        await services.runs.stop()
        services.runs.store.close()
    if services.runner is not None:
        await services.runner.close()
