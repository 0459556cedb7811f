"""Build the executor and its runner from settings (shared by the server and the CLI)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from function_runners.base import Runner
from function_runners.result_cache import open_result_cache
from function_runners.select import make_runner as select_runner
from function_runners.tiers import TierConfig, load_tiers
from nodes.sdk import NodeRegistry
from nodes.sdk.storage import MediaStore, media_store

from ..settings import Settings
from .executor import Executor

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def make_runner(settings: Settings) -> Runner:
    """Celery workers when `AUTEUR_BROKER_URL` is set, else the local process pool."""
    return select_runner(broker_url=settings.broker_url, workers=settings.runner_workers,
                         load_plugins=settings.load_plugins)


def make_executor(
    settings: Settings, registry: NodeRegistry, runner: Runner, *, tiers: TierConfig | None = None,
    media: MediaStore | None = None,
) -> Executor:
    """`media`: where node outputs are stored (default: as the settings say)."""
    workspace = settings.workspace.resolve()
    return Executor(
        registry=registry,
        runner=runner,
        cache=open_result_cache(settings.state_dir / "cache", workspace, settings.database_url,
                                engine_for=_server_engine),
        tiers=tiers or load_tiers(settings.tiers_file),
        workspace=workspace,
        allowed_dirs=settings.allowed_dirs,
        load_plugins=settings.load_plugins,
        media=media if media is not None else media_store(settings, workspace),
    )


def _server_engine(url: str) -> Engine:
    """The server's engine for the cache's index: its loop guard and text check apply too."""
    from ..db.engine import connect  # SQLAlchemy loads only when a database is set

    return connect(url)
