"""Everything the routes need, built and started once per app by the lifespan
(`lifecycle.started_services`) and handed out by `deps.get_services` only once complete:
no field is ever None, so request code never checks whether a service has started."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from function_runners.base import Runner
from function_runners.tiers import TierConfig
from nodes.sdk import NodeRegistry
from nodes.sdk.storage import MediaStore

from ..governance import AuditLog, TokenStore
from ..governance.auth import Authenticator
from ..runs.manager import RunManager
from ..runs.webhooks import WebhookDispatcher
from ..settings import Settings
from ..workspace.gitrepo import LfsStatus
from ..workspace.manifest_sync import ManifestSync
from .bus import EventBus
from .template_store import TemplateStore
from .user_settings import UserSettings


class BackgroundTasks:
    """Work a request starts and does not wait for (asset thumbnails): kept so that shutdown
    can wait for it a moment and cancel the rest, instead of the loop closing under it."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, work: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def __len__(self) -> int:
        return len(self._tasks)

    async def close(self, grace: float) -> None:
        """Wait up to `grace` seconds for the running tasks, then cancel what is left."""
        if not self._tasks:
            return
        _, pending = await asyncio.wait(set(self._tasks), timeout=grace)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


@dataclass
class AppServices:
    settings: Settings
    registry: NodeRegistry
    tiers: TierConfig
    events: EventBus
    tokens: TokenStore
    auth: Authenticator
    audit: AuditLog
    runner: Runner
    runs: RunManager
    manifest_sync: ManifestSync
    git_lfs: LfsStatus  # found by the startup check; projects need git-lfs for media
    background: BackgroundTasks
    webhooks: WebhookDispatcher
    media: MediaStore  # where media is stored and served from (server/media.py)
    templates: TemplateStore  # bundled and the workspace's (files, or PostgreSQL for replicas)
    user_settings: UserSettings  # each principal's ComfyUI settings (likewise)
    extra: dict[str, Any] = field(default_factory=dict)
