"""Media written on the workspace disk, stored under the same name in the media store. The
disk copy stays the working copy (ffmpeg reads files); the store is what URLs hand out. A
store that fails costs its URLs, never the run: the file is still served from the disk."""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ._base import MediaStore, StorageError, is_stored_media

log = logging.getLogger("auteur.storage")


def store_file(store: MediaStore, workspace: str | Path, file: Path) -> bool:
    """Store one media file under its workspace-relative path; False (logged) when it could not."""
    key = file.resolve().relative_to(Path(workspace).resolve()).as_posix()
    if not is_stored_media(key):
        return False
    try:
        store.put(key, file, content_type=mimetypes.guess_type(key)[0])
    except (StorageError, OSError) as exc:
        log.warning("media %s stays on the workspace disk only: %s", key, exc)
        return False
    return True


def unstore_file(store: MediaStore, workspace: str | Path, file: Path) -> None:
    """Remove the object of a media file the workspace no longer has (deleted, trashed)."""
    key = file.resolve().relative_to(Path(workspace).resolve()).as_posix()
    if not is_stored_media(key):
        return
    try:
        store.delete(key)
    except StorageError as exc:
        log.warning("the object of deleted media %s stays in storage: %s", key, exc)


def store_media(store: MediaStore, workspace: str | Path, outputs: Any) -> list[str]:
    """Store every media file a node's outputs name (each `MediaRef`: a `path` with a
    `sha256`); the keys stored."""
    root = Path(workspace)
    stored = []
    for path in sorted(set(_media_paths(outputs))):
        file = root / path
        if ".." not in Path(path).parts and file.is_file() and store_file(store, root, file):
            stored.append(path)
    return stored


def _media_paths(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("path"), str) and isinstance(value.get("sha256"), str):
            yield value["path"]
        for item in value.values():
            yield from _media_paths(item)
    elif isinstance(value, list):
        for item in value:
            yield from _media_paths(item)
