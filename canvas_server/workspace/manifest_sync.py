"""Keeps `project.json` in step with the takes on disk: a workspace service that reacts to
`take_created`, whoever saved the take (a server run, a Celery worker, `auteur run`).

Nodes never edit the manifest (concurrent runs would contend for it); this service mirrors
the shot folders into it after each new take, one sync at a time per project, coalescing a
burst of takes into as few rewrites as possible.
"""

from __future__ import annotations

import asyncio
import logging

from nodes.sdk import AuteurError, EventType

from .store import ProjectStore
from .takes import sync_manifest

log = logging.getLogger(__name__)


class TakeManifestSync:
    """Call `take_saved(project)` on the event loop; `drain()` waits for pending syncs."""

    def __init__(self, store: ProjectStore) -> None:
        self.store = store
        self._running: dict[str, asyncio.Task[None]] = {}
        self._again: set[str] = set()

    def on_event(self, event_type: str, project: str | None) -> None:
        if event_type == EventType.TAKE_CREATED and project:
            self.take_saved(project)

    def take_saved(self, project: str) -> None:
        if project in self._running:
            self._again.add(project)  # the running sync may have missed it: run once more
            return
        self._running[project] = asyncio.get_running_loop().create_task(self._sync(project))

    async def _sync(self, project: str) -> None:
        try:
            while True:
                self._again.discard(project)
                await asyncio.to_thread(self.sync_now, project)
                if project not in self._again:
                    return
        finally:
            self._running.pop(project, None)

    def sync_now(self, project: str) -> None:
        try:
            sync_manifest(self.store, project)
        except AuteurError as exc:  # the project was deleted or its manifest is damaged
            log.warning("takes of project %s not mirrored into project.json: %s", project, exc.message)

    async def drain(self) -> None:
        while self._running:
            await asyncio.gather(*list(self._running.values()), return_exceptions=True)
