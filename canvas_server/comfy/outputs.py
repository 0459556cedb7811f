"""A node's outputs in ComfyUI's shape: media as `{filename, subfolder, type}` lists under
`images` / `gifs` / `audio` / `video`, text under `text`, any other value under its output's
name."""

from __future__ import annotations

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


def _add(ui: dict[str, list[Any]], workspace: Path, name: str, value: Any) -> None:
    if is_media(value):
        ui.setdefault(_list_for(value), []).append(file_entry(workspace, value["path"]))
    elif isinstance(value, list) and value and all(is_media(item) for item in value):
        for item in value:
            _add(ui, workspace, name, item)
    elif isinstance(value, str):
        ui.setdefault("text", []).append(value)
    else:
        ui.setdefault(name, []).append(value)


def ui_output(workspace: Path, outputs: dict[str, Any] | None) -> dict[str, list[Any]]:
    """ComfyUI's `output` of one node (`executed` message, `/history` outputs)."""
    ui: dict[str, list[Any]] = {}
    for name, value in (outputs or {}).items():
        _add(ui, workspace, name, value)
    return ui


def has_media(outputs: dict[str, Any] | None) -> bool:
    return any(is_media(value) or (isinstance(value, list) and any(is_media(i) for i in value))
               for value in (outputs or {}).values())
