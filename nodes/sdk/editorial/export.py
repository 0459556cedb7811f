"""Writing a cut for an editing application: `.otio`, FCPXML and FCP7 XML through OTIO's
adapters, CMX 3600 through `edl.py`, under the project's `06_Exports/Editorial/`. Media is
referenced relative to the export file, or packed with it in a zip (`media/<take file>`), the
zip's entry names checked and the archive written whole (a hidden temporary, then one rename)."""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path, PurePosixPath

import opentimelineio as otio
from pydantic import BaseModel, Field

from .._errors import AuteurError
from ..atomic import atomic_publish, atomic_write_text, temp_path
from ..layout import EDITORIAL_EXPORTS_DIR
from .cut import ADAPTERS, METADATA_KEY, SUFFIXES, CutFormat
from .edl import write_edl
from .project_cut import Scope, read_project_cut
from .timeline import build_timeline

MEDIA_DIR = "media"
_SAFE_ENTRY = re.compile(r"^[^/\\\x00-\x1f]{1,200}$")


class ExportedClip(BaseModel):
    name: str
    shot: str = Field(description="Chapter_01/Scene_01/Shot_01")
    shot_id: str | None
    take: int | None = Field(description="None: a title card, the shot has no picture yet")
    media: str | None = Field(description="Path of the media relative to the export file (in a zip: inside it)")
    frames: int
    markers: int


class EditorialExport(BaseModel):
    path: str = Field(description="Project-relative path of the written export (a .zip when packed)")
    format: CutFormat
    fps: float
    frames: int = Field(description="Length of the cut in frames")
    clips: list[ExportedClip]
    soundtracks: int = Field(0, description="Scenes whose animatic soundtrack lies on the audio track")
    packed: list[str] = Field(default_factory=list, description="The zip's entries, when packed")


def _scope_name(name: str, scope: Scope) -> str:
    if scope.chapter is None:
        return name
    if scope.scene is None:
        return f"{name}_Chapter_{scope.chapter:02d}"
    return f"{name}_Chapter_{scope.chapter:02d}_Scene_{scope.scene:02d}"


def render(timeline: otio.schema.Timeline, fmt: CutFormat, fps: float) -> str:
    return write_edl(timeline, fps) if fmt == "edl" else str(otio.adapters.write_to_string(
        timeline, adapter_name=ADAPTERS[fmt]))


def _entry(name: str) -> str:
    """A zip entry name: one plain path component (or media/<one>), never absolute or `..`."""
    parts = PurePosixPath(name).parts
    if not parts or len(parts) > 2 or (len(parts) == 2 and parts[0] != MEDIA_DIR) or \
            not all(_SAFE_ENTRY.match(part) and part not in (".", "..") for part in parts):
        raise AuteurError(f"refusing the zip entry {name!r}", code="export_invalid", details={"entry": name})
    return name


def export_cut(root: Path, scope: Scope, fmt: CutFormat, *, packed: bool = False) -> EditorialExport:
    """Write the cut of `scope` in `fmt` under 06_Exports/Editorial/ (zipped with its media when
    `packed`) and describe it."""
    cut = read_project_cut(root, scope)
    export_dir = root / EDITORIAL_EXPORTS_DIR
    stem = _scope_name(cut.name, scope)
    media: dict[str, Path] = {}  # entry -> file, when packed

    def media_path(file: Path) -> str:
        if not packed:
            return Path(os.path.relpath(file, export_dir)).as_posix()
        entry = next((e for e, f in media.items() if f == file), None)
        if entry is None:  # two shots may use files of one name from different folders
            entry = f"{MEDIA_DIR}/{file.name}" if f"{MEDIA_DIR}/{file.name}" not in media else \
                f"{MEDIA_DIR}/{len(media):03d}_{file.name}"
            media[_entry(entry)] = file
        return entry

    timeline = build_timeline(root, cut, media_path)
    text = render(timeline, fmt, cut.fps)
    export_dir.mkdir(parents=True, exist_ok=True)
    if packed:
        relative = f"{EDITORIAL_EXPORTS_DIR}/{stem}.{fmt}.zip"
        entries = [_entry(f"{stem}{SUFFIXES[fmt]}"), *media]
        _write_zip(root / relative, entries[0], text, media)
    else:
        relative, entries = f"{EDITORIAL_EXPORTS_DIR}/{stem}{SUFFIXES[fmt]}", []
        atomic_write_text(root / relative, text)
    video = timeline.video_tracks()[0]
    return EditorialExport(path=relative, format=fmt, fps=cut.fps, frames=int(video.duration().to_frames()),
                           clips=[_described(item) for item in video],
                           soundtracks=sum(len(track.find_clips()) for track in timeline.audio_tracks()),
                           packed=entries)


def _write_zip(target: Path, name: str, text: str, media: dict[str, Path]) -> None:
    staged = temp_path(target)
    try:
        with zipfile.ZipFile(staged, "w") as archive:
            archive.writestr(name, text, compress_type=zipfile.ZIP_DEFLATED)
            for entry, file in media.items():  # video and images are compressed already
                archive.write(file, entry, compress_type=zipfile.ZIP_STORED)
        atomic_publish(staged, target)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise


def _described(item: otio.core.Item) -> ExportedClip:
    meta = item.metadata[METADATA_KEY]
    is_clip = isinstance(item, otio.schema.Clip)
    return ExportedClip(name=item.name, shot=meta["shot"], shot_id=meta["shot_id"], take=meta["take"],
                        media=item.media_reference.target_url if is_clip else None,
                        frames=int(item.duration().to_frames()), markers=len(item.markers) if is_clip else 0)
