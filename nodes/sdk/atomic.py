"""The one atomic writer for stored files: write a temporary file in the same folder, fsync it,
rename it over the target, fsync the folder. Readers see the old file or the new one, never half
of either; a crash or an exception midway leaves the old file whole (and no temporary behind).

Nodes and the server both write through it (project files, takes, tokens, templates, canvases).
"""

from __future__ import annotations

import fcntl
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

# The temporary names end in `.tmp` and start with a dot, so watchers and listings skip them.
_TEMP_SUFFIX = ".tmp"


def temp_path(target: Path) -> Path:
    """A fresh hidden name beside `target` (same folder, so the final rename is atomic)."""
    return target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}{_TEMP_SUFFIX}")


def atomic_write_bytes(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Replace `path` with `data` atomically and durably. `mode` (e.g. 0o600 for secrets) is
    set exactly; without it the file gets the usual 0o666 less the process umask."""
    _place(path, data, mode, os.replace)


def atomic_create_bytes(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Create `path` with `data`, whole or not at all; FileExistsError when it exists (whoever
    creates it first wins, and nobody ever reads a half-written file)."""
    def link(temp: Path, target: Path) -> None:
        os.link(temp, target)  # fails if the target exists: never replaces
        temp.unlink()

    _place(path, data, mode, link)


def atomic_create_text(path: Path, text: str, *, mode: int | None = None) -> None:
    atomic_create_bytes(path, text.encode("utf-8"), mode=mode)


def _place(path: Path, data: bytes, mode: int | None, move: Callable[[Path, Path], None]) -> None:
    """Write `data` to a temporary beside `path`, fsync it, `move` it into place, fsync the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = temp_path(path)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 if mode is None else mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            if mode is not None:
                os.fchmod(handle.fileno(), mode)  # the umask must not loosen or tighten it
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        move(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def atomic_write_text(path: Path, text: str, *, mode: int | None = None) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), mode=mode)


def atomic_publish(staged: Path, target: Path) -> None:
    """Move a finished file written by someone else (ffmpeg, a copy) over `target`: fsync its
    content, rename, fsync the folder. `staged` must lie on `target`'s file system (best in its
    folder, where nobody mistakes it for a finished file)."""
    fd = os.open(staged, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(staged, target)
    fsync_dir(target.parent)


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` itself durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def folder_locked(folder: Path) -> Iterator[None]:
    """One holder at a time of `folder` (an exclusive lock on it, across processes and the
    servers sharing a workspace volume): for a read-modify-write of a file in it, which the
    atomic writer alone does not make safe (two writers would each keep only their change)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
