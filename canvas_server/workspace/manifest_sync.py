"""Keeps `project.json` in step with what runs write into a project, whoever ran them (a
server run, a Celery worker, `auteur run`): takes (`take_created`), ingredients and script
breakdowns (`project_update`, see `workspace/preproduction.py`).

Nodes never edit the manifest (concurrent runs would contend for it); this service mirrors
the project's files into it after each such event, one sync at a time per project,
coalescing a burst of events into as few rewrites as possible. A sync that finds nothing new
leaves project.json untouched, so the `project_update` its own write causes ends there.
"""

from __future__ import annotations

import asyncio
import logging

from nodes.sdk import AuteurError, EventType

from .errors import ProjectNotFoundError
from .preproduction import drop_placeholder_acts, mirror_breakdowns, mirror_ingredients
from .render_folders import prune_render_folders
from .store import ProjectStore
from .takes import mirror_takes

log = logging.getLogger(__name__)

SYNC_EVENTS = frozenset({EventType.TAKE_CREATED, EventType.PROJECT_UPDATE})


def sync_project(store: ProjectStore, project: str) -> None:
    """Mirror ingredients, breakdowns (the narrative) and then takes into project.json; a
    breakdown's scenes replace the placeholder acts no one has worked in, and their render
    folders go with them."""
    root = store.root(project)
    with store.editing(project, only_if_changed=True) as manifest:
        mirror_ingredients(root, store.workspace, manifest)
        mirror_breakdowns(root, manifest)
        mirror_takes(root, manifest)
        drop_placeholder_acts(manifest)
        prune_render_folders(root, manifest)


class ManifestSync:
    """Create it on the event loop; `on_event(type, project)` may be called from any thread
    (some routes publish from the thread pool); `drain()` waits for pending syncs."""

    def __init__(self, store: ProjectStore) -> None:
        self.store = store
        self._loop = asyncio.get_running_loop()
        self._running: dict[str, asyncio.Task[None]] = {}
        self._again: set[str] = set()

    def on_event(self, event_type: str, project: str | None) -> None:
        if event_type not in SYNC_EVENTS or not project:
            return
        try:
            on_loop = asyncio.get_running_loop() is self._loop
        except RuntimeError:
            on_loop = False
        if on_loop:
            self.changed(project)
        else:
            self._loop.call_soon_threadsafe(self.changed, project)

    def changed(self, project: str) -> None:
        if project in self._running:
            self._again.add(project)  # the running sync may have missed it: run once more
            return
        self._running[project] = self._loop.create_task(self._sync(project))

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
            sync_project(self.store, project)
        except ProjectNotFoundError:
            log.debug("project %s is gone; nothing to mirror", project)
        except AuteurError as exc:  # its manifest is damaged
            log.warning("project %s not mirrored into project.json: %s", project, exc.message)

    async def drain(self) -> None:
        while self._running:
            await asyncio.gather(*list(self._running.values()), return_exceptions=True)
