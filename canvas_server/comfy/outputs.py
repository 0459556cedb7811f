"""A node's outputs in ComfyUI's shape: media as `{filename, subfolder, type}` lists under
`images` / `gifs` / `audio` / `video`, every other value as text under `text` (ComfyUI's
frontend shows only those keys), each file and each text once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .files import file_entry

_LIST_BY_KIND = {"image": "images", "video": "video", "audio": "audio", "file": "files"}
_MEDIA_KEYS = frozenset({"path", "sha256", "mime", "kind"})


def is_media(value: Any) -> bool:
    return isinstance(value, dict) and _MEDIA_KEYS <= value.keys() and isinstance(value["path"], str)


def _list_for(media: dict[str, Any]) -> str:
    if media["kind"] == "image" and str(media.get("mime", "")) == "image/gif":
        return "gifs"
    return _LIST_BY_KIND.get(str(media["kind"]), "files")


def _once(ui: dict[str, list[Any]], key: str, entry: Any) -> None:
    """A node that returns one file twice (a media and its thumbnail output) lists it once."""
    listed = ui.setdefault(key, [])
    if entry not in listed:
        listed.append(entry)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def _add(ui: dict[str, list[Any]], workspace: Path, value: Any) -> None:
    if is_media(value):
        _once(ui, _list_for(value), file_entry(workspace, value["path"]))
    elif isinstance(value, list) and value and all(is_media(item) for item in value):
        for item in value:
            _add(ui, workspace, item)
    elif value is not None:
        _once(ui, "text", _text(value))


def ui_output(workspace: Path, outputs: dict[str, Any] | None) -> dict[str, list[Any]]:
    """ComfyUI's `output` of one node (`executed` message, `/history` outputs)."""
    ui: dict[str, list[Any]] = {}
    for value in (outputs or {}).values():
        _add(ui, workspace, value)
    return ui


def has_media(outputs: dict[str, Any] | None) -> bool:
    return any(is_media(value) or (isinstance(value, list) and any(is_media(i) for i in value))
               for value in (outputs or {}).values())
