"""Each principal's ComfyUI user folder (`<state>/users/<name>/`): the settings file and the
files ComfyUI's frontend stores through `/userdata` (saved workflows under `workflows/`).
Paths from the client are relative and never leave the folder; dot-files are the user's too
(the frontend keeps its bookmarks in `workflows/.index.json`) but are not listed."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path, PurePosixPath
from typing import Any

from nodes.sdk import AuteurError
from nodes.sdk.atomic import atomic_publish, atomic_write_bytes, atomic_write_text
from nodes.sdk.layout import COMFY_SETTINGS_FILE, COMFY_USERS_DIR

from ..governance import Principal

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class UserPathError(AuteurError):
    code = "path_forbidden"


class UserFileNotFoundError(AuteurError):
    code = "not_found"


# Files ComfyUI's frontend reads at every start; present from the first, so a new user's
# start reads them instead of logging a 404 for each.
_STARTER_FILES = {"user.css": "", "comfy.templates.json": "[]", "workflows/.index.json": '{"favorites": []}'}


def user_dir(state_dir: Path, principal: Principal) -> Path:
    """The principal's folder, made with its starter files on first use; a name unfit for a
    folder is stored under its digest."""
    name = principal.name if _SAFE_NAME.match(principal.name) else hashlib.sha256(principal.name.encode()).hexdigest()[:32]
    root = state_dir / COMFY_USERS_DIR / name
    if not root.is_dir():
        root.mkdir(parents=True, exist_ok=True)
        for starter, text in _STARTER_FILES.items():
            (root / starter).parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(root / starter, text)
    return root


def user_path(root: Path, relative: str) -> Path:
    """`relative` inside `root`, refused when it is absolute or climbs out."""
    parts = PurePosixPath(relative.replace("\\", "/")).parts
    if (not parts or relative.startswith("/") or any(part in ("..", ".", "") for part in parts)
            or any(ord(char) < 32 for char in relative)):  # NUL or a control character: no file name
        raise UserPathError(f"{relative!r} is not a file path inside the user folder")
    return root.joinpath(*parts)


def read_settings(root: Path) -> dict[str, Any]:
    try:
        loaded = json.loads((root / COMFY_SETTINGS_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def write_settings(root: Path, settings: dict[str, Any]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    atomic_write_text(root / COMFY_SETTINGS_FILE, json.dumps(settings, indent=2, ensure_ascii=False))


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
