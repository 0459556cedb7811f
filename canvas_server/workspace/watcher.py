"""Turn changes on disk under `Projects/` into `file_changed` / `project_update` events."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from watchfiles import Change, awatch

from nodes.sdk import EventType, layout

Publish = Callable[[str, dict[str, Any], str | None], None]
_CHANGE_NAMES = {Change.added: "added", Change.modified: "modified", Change.deleted: "deleted"}
# Internal churn nobody needs to hear about: Git internals, caches, temp files being written.
_IGNORED_PARTS = {".git", layout.CACHE_DIR}
_IGNORED_PREFIXES = (".upload-", ".take-", ".thumb-", f".{layout.MANIFEST}")
log = logging.getLogger("auteur.workspace.watcher")


def interesting(relative: tuple[str, ...]) -> bool:
    """Whether a path (parts under Projects/) is worth an event."""
    if len(relative) < 2 or _IGNORED_PARTS.intersection(relative):
        return False
    name = relative[-1]
    return not (name.startswith(_IGNORED_PREFIXES) or name.endswith(".tmp"))


def events_for(projects_dir: Path, changes: set[tuple[Change, str]]) -> list[tuple[str, dict[str, Any], str]]:
    """(event type, data, project) for a batch of watchfiles changes; one project_update per
    project whose manifest changed."""
    events: list[tuple[str, dict[str, Any], str]] = []
    updated: set[str] = set()
    for change, raw in sorted(changes, key=lambda item: item[1]):
        try:
            parts = Path(raw).relative_to(projects_dir).parts
        except ValueError:
            continue
        if not interesting(parts):
            continue
        project, relative = parts[0], "/".join(parts[1:])
        if relative == layout.MANIFEST:
            updated.add(project)
            continue
        events.append((EventType.FILE_CHANGED, {"path": relative, "change": _CHANGE_NAMES[change]}, project))
    events.extend((EventType.PROJECT_UPDATE, {"reason": "manifest_changed"}, project) for project in sorted(updated))
    return events


class ProjectWatcher:
    """Watch the workspace's projects in a background asyncio task (start/stop with the app)."""

    def __init__(self, projects_dir: Path, publish: Publish, *, debounce_ms: int = 300) -> None:
        self.projects_dir = projects_dir.resolve()
        self.publish = publish
        self.debounce_ms = debounce_ms
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.projects_dir.mkdir(parents=True, exist_ok=True)
        self._stop.clear()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="auteur-project-watcher")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def _run(self) -> None:
        async for changes in awatch(
            self.projects_dir,
            stop_event=self._stop,
            debounce=self.debounce_ms,
            step=50,
            recursive=True,
            watch_filter=lambda change, path: "/.git/" not in path,
        ):
            for event_type, data, project in events_for(self.projects_dir, changes):
                self.publish(event_type, data, project)
