"""An edited cut read back from an editing application: `.otio`, CMX 3600 `.edl`, FCPXML or FCP7
XML, reduced to what a conform needs — the picture clips of the first video track in record
order, each with its name, the media it references (as text: a name to compare, never a path to
open), its in point and its length in the project's frames, and the shot it came from when the
file kept the metadata an export wrote.

Everything here is hostile input: the text is size-limited by the caller, XML passes the one
guard (`nodes.sdk.safe_xml`) before OTIO's adapters parse it, names lose control characters and
are cut to a readable length, and the number of clips is bounded.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Mapping
from typing import Any, Literal

import opentimelineio as otio
from pydantic import BaseModel, Field

from .._errors import AuteurError
from ..safe_xml import UnsafeXmlError, check_xml

CutFormat = Literal["otio", "edl", "fcpxml", "fcp7"]
SUFFIXES: dict[str, str] = {"otio": ".otio", "edl": ".edl", "fcpxml": ".fcpxml", "fcp7": ".xml"}
ADAPTERS: dict[str, str] = {"otio": "otio_json", "fcpxml": "fcpx_xml", "fcp7": "fcp_xml"}
METADATA_KEY = "auteur"  # where an export keeps each clip's shot id and take provenance
SHOT_ID_REMARK = "AUTEUR SHOT ID"  # the shot id in an EDL comment and an FCP7 master comment
MAX_CLIPS = 10_000
MAX_NAME = 200
MAX_FRAMES = 24 * 3600 * 1000  # a day at 1,000 fps: anything longer is no edit of ours
# OTIO's JSON reader (C++) recurses per level and crashes the process far below Python's limit.
MAX_DEPTH = 64
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class CutError(AuteurError):
    """An edit that cannot be read (`edit_unreadable`, 422)."""

    code = "edit_unreadable"

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message, details=details or {})


class EditedClip(BaseModel):
    """One event of the edited picture cut."""

    name: str = Field(description="The clip's name in the edit (text only)")
    media: str | None = Field(None, description="The media it references, as written in the file (never opened)")
    gap: bool = Field(False, description="A title card or filler: no media")
    source_in: int = Field(0, ge=0, description="In point in the media, in project frames")
    frames: int = Field(ge=1, description="Length in the cut, in project frames")
    shot_id: str | None = Field(None, description="The shot's id, when the file kept the export's metadata")
    shot: str | None = Field(None, description="The shot's key (Chapter_01/Scene_01/Shot_01) from the metadata")


def clean_text(value: object) -> str:
    """A name from the file, safe to show and store: no control characters, bounded length."""
    text = _CONTROL.sub(" ", unicodedata.normalize("NFC", str(value))).strip()
    return text[:MAX_NAME]


def sniff_format(text: str) -> CutFormat:
    """The format of an edit by its first characters."""
    head = text.lstrip("\ufeff \t\r\n")[:4096]
    if head.startswith("{"):
        return "otio"
    if "<fcpxml" in head:
        return "fcpxml"
    if "<xmeml" in head:
        return "fcp7"
    return "edl"


def read_cut(text: str, fmt: CutFormat, fps: float) -> list[EditedClip]:
    """The picture clips of `text` (in `fmt`) in record order, timed in frames at `fps`."""
    if fmt == "edl":
        from .edl import read_edl  # edl.py builds on this module's types

        return read_edl(text, fps)
    if fmt != "otio":
        try:
            check_xml(text)
        except UnsafeXmlError as exc:
            raise CutError(str(exc), {"format": fmt}) from None
    else:
        _check_depth(text)
    try:
        timeline = otio.adapters.read_from_string(text.lstrip("\ufeff"), adapter_name=ADAPTERS[fmt])
    except Exception as exc:  # the adapters raise anything on a malformed file
        raise CutError(f"not a readable {fmt} file: {type(exc).__name__}", {"format": fmt}) from None
    if not isinstance(timeline, otio.schema.Timeline) or not timeline.video_tracks():
        raise CutError(f"the {fmt} file holds no timeline with a video track", {"format": fmt})
    items = [item for item in timeline.video_tracks()[0] if isinstance(item, otio.core.Item)]
    if len(items) > MAX_CLIPS:
        raise CutError(f"an edit of more than {MAX_CLIPS} clips is not conformed", {"limit": MAX_CLIPS})
    return [clip for item in items if (clip := _clip(item, fps)) is not None]


def _check_depth(text: str) -> None:
    """Refuse JSON nested deeper than an edit ever is, before OTIO's reader sees it."""
    try:
        data = json.loads(text.lstrip("\ufeff"))
    except (ValueError, RecursionError):
        raise CutError("not a readable otio file: not JSON", {"format": "otio"}) from None
    stack: list[tuple[object, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise CutError(f"the timeline is nested deeper than {MAX_DEPTH} levels", {"format": "otio"})
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        stack.extend((child, depth + 1) for child in children)


def _clip(item: otio.core.Item, fps: float) -> EditedClip | None:
    try:
        length = float(item.duration().rescaled_to(fps).value)
        start = float(item.source_range.start_time.rescaled_to(fps).value) if item.source_range else 0.0
    except (ValueError, TypeError, ArithmeticError):
        raise CutError(f"clip {clean_text(item.name)!r} has no readable timing") from None
    if not (math.isfinite(length) and math.isfinite(start)) or length > MAX_FRAMES or start > MAX_FRAMES:
        raise CutError(f"clip {clean_text(item.name)!r} is timed beyond any cut", {"clip": clean_text(item.name)})
    frames = round(length)
    if frames < 1:
        return None
    meta = item.metadata.get(METADATA_KEY)
    meta = meta if isinstance(meta, Mapping) else {"shot_id": _fcp7_shot_id(item)}
    media = None
    if isinstance(item, otio.schema.Clip) and isinstance(item.media_reference, otio.schema.ExternalReference):
        media = clean_text(item.media_reference.target_url or "") or None
    return EditedClip(name=clean_text(item.name or ""), media=media, gap=isinstance(item, otio.schema.Gap),
                      source_in=max(0, round(start)), frames=frames,
                      shot_id=_text_or_none(meta.get("shot_id")), shot=_text_or_none(meta.get("shot")))


def _fcp7_shot_id(item: otio.core.Item) -> str | None:
    """The shot id an FCP7 XML export of ours leaves in the clip's first master comment."""
    fcp = item.metadata.get("fcp_xml")
    comments = fcp.get("comments") if isinstance(fcp, Mapping) else None
    comment = comments.get("mastercomment1") if isinstance(comments, Mapping) else None
    prefix = f"{SHOT_ID_REMARK}: "
    return comment.removeprefix(prefix) if isinstance(comment, str) and comment.startswith(prefix) else None


def _text_or_none(value: object) -> str | None:
    return clean_text(value) or None if isinstance(value, str) else None


