"""Build the executor and its runner from settings (shared by the server and the CLI)."""

from __future__ import annotations

from function_runners.base import Runner
from function_runners.local import LocalRunner
from function_runners.tiers import load_tiers
from nodes.sdk import NodeRegistry

from ..settings import Settings
from .cache import ResultCache
from .executor import Executor


def make_runner(settings: Settings) -> Runner:
    """Celery workers when a broker is configured, else the local process pool."""
    if settings.broker_url:
        from function_runners.select import make_runner as select_runner

        return select_runner(
            broker_url=settings.broker_url,
            workers=settings.runner_workers,
            load_plugins=settings.load_plugins,
        )
    return LocalRunner(workers=settings.runner_workers, load_plugins=settings.load_plugins)


def make_executor(settings: Settings, registry: NodeRegistry, runner: Runner) -> Executor:
    workspace = settings.workspace.resolve()
    return Executor(
        registry=registry,
        runner=runner,
        cache=ResultCache(settings.state_dir / "cache", workspace),
        tiers=load_tiers(settings.tiers_file),
        workspace=workspace,
        allowed_dirs=settings.allowed_dirs,
        load_plugins=settings.load_plugins,
    )
