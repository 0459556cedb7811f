"""Each principal's ComfyUI user folder (`<state>/users/<name>/`, made by
`server.user_settings.user_dir`, its settings kept there too): the files ComfyUI's frontend
stores through `/userdata` (saved workflows under `workflows/`). Paths from the client are relative and never leave the folder; dot-files are the user's too
(the frontend keeps its bookmarks in `workflows/.index.json`) but are not listed."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from nodes.sdk import AuteurError
from nodes.sdk.atomic import atomic_publish, atomic_write_bytes

from ..server.user_settings import (
    user_dir as user_dir,  # the folder's one maker, used through here too
)


class UserPathError(AuteurError):
    code = "path_forbidden"


class UserFileNotFoundError(AuteurError):
    code = "not_found"


def user_path(root: Path, relative: str) -> Path:
    """`relative` inside `root`, refused when it is absolute or climbs out."""
    parts = PurePosixPath(relative.replace("\\", "/")).parts
    if (not parts or relative.startswith("/") or any(part in ("..", ".", "") for part in parts)
            or any(ord(char) < 32 for char in relative)):  # NUL or a control character: no file name
        raise UserPathError(f"{relative!r} is not a file path inside the user folder")
    return root.joinpath(*parts)


def list_files(root: Path, folder: str, *, recurse: bool) -> list[Path]:
    base = user_path(root, folder)
    if not base.is_dir():
        return []  # not made yet: empty (ComfyUI answers 404, which browsers log as an error)
    found = base.rglob("*") if recurse else base.glob("*")
    return sorted(path for path in found if path.is_file() and not any(
        part.startswith(".") for part in path.relative_to(base).parts))


def entry(path: Path, base: Path | None, shown: str | None = None) -> dict[str, Any]:
    """ComfyUI's `full_info` entry: `{path, size, modified}` (modified in ms, as it sends);
    the path relative to `base`, or `shown` (a project's workflow is not under the folder)."""
    stat = path.stat()
    name = shown if shown is not None or base is None else path.relative_to(base).as_posix()
    return {"path": name, "size": stat.st_size, "modified": stat.st_mtime * 1000}


def save(root: Path, relative: str, data: bytes, *, overwrite: bool) -> Path | None:
    """Store `data`; None when the file exists and `overwrite` is off (ComfyUI's 409)."""
    path = user_path(root, relative)
    if path.exists() and not overwrite:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, data)
    return path


def remove(root: Path, relative: str) -> None:
    path = user_path(root, relative)
    if not path.is_file():
        raise UserFileNotFoundError(f"no file {relative!r}")
    path.unlink()


def move(root: Path, source: str, target: str, *, overwrite: bool) -> Path | None:
    """Rename; None when `target` exists and `overwrite` is off."""
    src, dest = user_path(root, source), user_path(root, target)
    if not src.is_file():
        raise UserFileNotFoundError(f"no file {source!r}")
    if dest.exists() and not overwrite:
        return None
    dest.parent.mkdir(parents=True, exist_ok=True)
    atomic_publish(src, dest)
    return dest
