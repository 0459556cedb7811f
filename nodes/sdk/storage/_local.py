"""The default media store: the workspace disk itself. A key is the file at that path; storing
a file that is already there costs nothing, and no URL is signed (the server serves files)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

from ..atomic import atomic_publish, temp_path
from ._base import ObjectNotFoundError, check_key


class LocalMediaStore:
    def __init__(self, workspace: Path) -> None:
        self._root = workspace.resolve()

    @property
    def remote(self) -> bool:
        return False

    def _path(self, key: str) -> Path:
        return self._root / check_key(key)

    def put(self, key: str, file: Path, *, content_type: str | None = None) -> None:
        target = self._path(key)
        if target.exists() and target.resolve() == file.resolve():
            return  # written in place: the usual case
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = temp_path(target)
        shutil.copyfile(file, staged)
        atomic_publish(staged, target)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        return self._existing(key).stat().st_size

    def read(self, key: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        path = self._existing(key)
        with path.open("rb") as handle:
            while chunk := handle.read(chunk_size):
                yield chunk

    def download(self, key: str, target: Path) -> None:
        source = self._existing(key)
        if target.exists() and target.resolve() == source:
            return
        staged = temp_path(target)
        shutil.copyfile(source, staged)
        atomic_publish(staged, target)

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def url_for_get(self, key: str, ttl_s: int, *, filename: str | None = None) -> str | None:
        check_key(key)
        return None

    def url_for_put(self, key: str, ttl_s: int, *, content_type: str) -> str | None:
        check_key(key)
        return None

    def _existing(self, key: str) -> Path:
        path = self._path(key)
        if not path.is_file():
            raise ObjectNotFoundError("no such media", details={"key": key})
        return path
