"""Each principal's ComfyUI user folder (`<state>/users/<name>/`) and its settings: one JSON
object per principal, in the folder's settings file (`SettingsFiles`, the default) or, with
AUTEUR_DATABASE_URL, in PostgreSQL (`canvas_server.db.templates.PgUserSettings`), which every
server replica shares. The ComfyUI app's routes (`comfy/routes_frontend.py`) read and change
them through `AppServices.user_settings`."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any, Protocol

from nodes.sdk.atomic import atomic_write_text, folder_locked
from nodes.sdk.layout import COMFY_SETTINGS_FILE, COMFY_USERS_DIR

from ..governance import Principal

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# Files ComfyUI's frontend reads at every start; present from the first, so a new user's
# start reads them instead of logging a 404 for each.
_STARTER_FILES = {"user.css": "", "comfy.templates.json": "[]", "workflows/.index.json": '{"favorites": []}'}


def folder_name(principal: str) -> str:
    """The user folder's name of a principal: its name, or the name's digest when unfit for a folder."""
    return principal if _SAFE_NAME.match(principal) else hashlib.sha256(principal.encode()).hexdigest()[:32]


def user_dir(state_dir: Path, principal: Principal) -> Path:
    """The principal's folder, made with its starter files on first use; a name unfit for a
    folder is stored under its digest."""
    root = state_dir / COMFY_USERS_DIR / folder_name(principal.name)
    if not root.is_dir():
        root.mkdir(parents=True, exist_ok=True)
        for starter, text in _STARTER_FILES.items():
            (root / starter).parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(root / starter, text)
    return root



class UserSettings(Protocol):
    """Each principal's ComfyUI settings, one JSON object."""

    def read(self, principal: Principal) -> dict[str, Any]:
        """The principal's settings ({} before the first is stored)."""
        ...

    def update(self, principal: Principal, changes: dict[str, Any]) -> None:
        """Store `changes` over the principal's settings (other settings are kept)."""
        ...


class SettingsFiles:
    """The settings file in each principal's user folder under `state_dir`."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir

    def read(self, principal: Principal) -> dict[str, Any]:
        return _read_settings(user_dir(self.state_dir, principal))

    def update(self, principal: Principal, changes: dict[str, Any]) -> None:
        root = user_dir(self.state_dir, principal)
        with folder_locked(root):  # two requests at once each keep their change
            _write_settings(root, {**_read_settings(root), **changes})


def _read_settings(root: Path) -> dict[str, Any]:
    try:
        loaded = json.loads((root / COMFY_SETTINGS_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _write_settings(root: Path, settings: dict[str, Any]) -> None:
    # ASCII with escapes: a lone surrogate from a client's JSON cannot be encoded as UTF-8.
    root.mkdir(parents=True, exist_ok=True)
    atomic_write_text(root / COMFY_SETTINGS_FILE, json.dumps(settings, indent=2))
