"""The editorial timeline (docs/architecture.md §14): a scene, a chapter or the whole project as an
OpenTimelineIO timeline, and its exports for editing applications.

One clip per shot in story order, its approved (else active) take as media, referenced relative to
the export file; a shot without a picture is a titled gap (a black event in an EDL) so the cut
keeps its length; the notes on a take become markers at their frame; each clip's metadata names
its shot id and the take's provenance so a conform can find the shot again.

.otio, FCPXML and FCP7 XML are written by OTIO's adapters, the CMX 3600 EDL by
`nodes.sdk.editorial` (OTIO 0.18 moved its cmx_3600 adapter into a package this project does not
install). A shot a conform left out of the cut (`omitted`) is not exported; a conformed in point
(`source_in`) starts the clip that far into its take.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import opentimelineio as otio
from pydantic import BaseModel, Field, model_validator

from nodes.sdk import atomic_write_text, layout
from nodes.sdk.editorial import ADAPTERS, METADATA_KEY, SUFFIXES, CutFormat, write_edl
from nodes.sdk.ffmpeg.probe import probe
from nodes.sdk.takes import ShotCoords

from .errors import ItemNotFoundError
from .manifest import ProjectManifest, Scene, Shot
from .store import ProjectStore
from .takes import shot_takes

ExportFormat = CutFormat
# A shot with neither a duration nor a moving picture holds the screen this long (a title card).
DEFAULT_SECONDS = 3.0


class Scope(BaseModel):
    """What to cut: the whole project, one chapter, or one scene of a chapter."""

    chapter: int | None = Field(None, ge=1, le=9999)
    scene: int | None = Field(None, ge=1, le=9999, description="Needs chapter")

    @model_validator(mode="after")
    def _scene_in_a_chapter(self) -> Scope:
        if self.scene is not None and self.chapter is None:
            raise ValueError("a scene is numbered within its chapter: give the chapter too")
        return self


class ExportedClip(BaseModel):
    name: str
    shot: str = Field(description="Chapter_01/Scene_01/Shot_01")
    shot_id: str | None
    take: int | None = Field(description="None: a title card, the shot has no picture yet")
    media: str | None = Field(description="Path of the media relative to the export file")
    frames: int
    markers: int


def scenes_in(manifest: ProjectManifest, scope: Scope) -> list[tuple[int, Scene]]:
    """(chapter number, scene) of every scene in `scope`, in story order."""
    chapters = [c for c in manifest.narrative.chapters if scope.chapter in (None, c.number)]
    if scope.chapter is not None and not chapters:
        raise ItemNotFoundError("chapter", str(scope.chapter))
    found = [(c.number, s) for c in chapters for s in c.scenes if scope.scene in (None, s.number)]
    if scope.scene is not None and not found:
        raise ItemNotFoundError("scene", f"{scope.chapter}/{scope.scene}", {"chapter": scope.chapter, "scene": scope.scene})
    return found


def _frames(seconds: float, fps: float) -> int:
    return max(1, round(seconds * fps))


def build_timeline(root: Path, manifest: ProjectManifest, scope: Scope, export_dir: Path) -> otio.schema.Timeline:
    """The cut of `scope` as an OTIO timeline whose media paths are relative to `export_dir`."""
    fps = float(manifest.settings.fps)
    timeline = otio.schema.Timeline(name=manifest.name, global_start_time=otio.opentime.RationalTime(0, fps))
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    timeline.tracks.append(track)
    for chapter, scene in scenes_in(manifest, scope):
        for shot in scene.shots:
            if not shot.omitted:
                track.append(_item(root, manifest, ShotCoords(chapter, scene.number, shot.number), shot, export_dir, fps))
    return timeline


def clip_name(coords: ShotCoords) -> str:
    """The name a shot's clip has in an export (and by which a conform finds it again)."""
    return f"SC{coords.scene:02d}_SH{coords.shot:02d}"


def _item(root: Path, manifest: ProjectManifest, coords: ShotCoords, shot: Shot, export_dir: Path,
          fps: float) -> otio.core.Item:
    name, duration, description = clip_name(coords), shot.duration, shot.description
    meta: dict[str, Any] = {"shot": coords.key, "shot_id": shot.id, "description": description}
    gallery = shot_takes(root, manifest, coords)
    chosen = next((t for t in gallery.takes if t.number == gallery.active_take), None)
    if chosen is None:  # no picture yet: a title card that keeps the shot's place and length
        frames = _frames(duration or DEFAULT_SECONDS, fps)
        gap = otio.schema.Gap(source_range=otio.opentime.TimeRange(duration=otio.opentime.RationalTime(frames, fps)))
        gap.name = name
        gap.metadata[METADATA_KEY] = {**meta, "take": None, "title_card": description or name}
        return gap
    media_file = root / chosen.path
    info = probe(media_file)
    media_seconds = info.duration if info.kind == "video" and info.duration else None
    frames = _frames(duration or media_seconds or DEFAULT_SECONDS, fps)
    available = _frames(media_seconds, fps) if media_seconds else frames
    start = min(round((shot.source_in or 0) * fps), available - 1) if media_seconds else 0
    reference = otio.schema.ExternalReference(
        target_url=Path(os.path.relpath(media_file, export_dir)).as_posix(),
        available_range=otio.opentime.TimeRange(duration=otio.opentime.RationalTime(available, fps)),
    )
    reference.name = media_file.name
    clip = otio.schema.Clip(name=name, media_reference=reference, source_range=otio.opentime.TimeRange(
        otio.opentime.RationalTime(start, fps),
        otio.opentime.RationalTime(min(frames, available - start) if media_seconds else frames, fps)))
    provenance = chosen.provenance
    clip.metadata[METADATA_KEY] = {**meta, "take": chosen.number, "status": chosen.review.status,
                                   "run_id": provenance.run_id, "node_id": provenance.node_id,
                                   "sha256": provenance.sha256, "path": chosen.path}
    for note in chosen.review.notes:
        frame = note.frame if note.frame is not None else round(note.seconds * fps)
        clip.markers.append(otio.schema.Marker(
            name=note.text, color=otio.schema.MarkerColor.RED,
            marked_range=otio.opentime.TimeRange(otio.opentime.RationalTime(frame, fps), otio.opentime.RationalTime(0, fps)),
            metadata={METADATA_KEY: {"note_id": note.id, "author": note.author}},
        ))
    return clip


class EditorialExport(BaseModel):
    path: str = Field(description="Project-relative path of the written export")
    format: ExportFormat
    fps: float
    frames: int = Field(description="Length of the cut in frames")
    clips: list[ExportedClip]


def _scope_name(manifest: ProjectManifest, scope: Scope) -> str:
    if scope.chapter is None:
        return manifest.name
    if scope.scene is None:
        return f"{manifest.name}_Chapter_{scope.chapter:02d}"
    return f"{manifest.name}_Chapter_{scope.chapter:02d}_Scene_{scope.scene:02d}"


def export(store: ProjectStore, name_or_id: str, scope: Scope, fmt: ExportFormat) -> EditorialExport:
    """Write the cut of `scope` under 06_Exports/Editorial/ in `fmt`, media referenced relative to it."""
    root = store.root(name_or_id)
    manifest = store.get(name_or_id)
    export_dir = root / layout.EDITORIAL_EXPORTS_DIR
    timeline = build_timeline(root, manifest, scope, export_dir)
    fps = float(manifest.settings.fps)
    if fmt == "edl":
        text = write_edl(timeline, fps)
    else:
        text = otio.adapters.write_to_string(timeline, adapter_name=ADAPTERS[fmt])
    relative = f"{layout.EDITORIAL_EXPORTS_DIR}/{_scope_name(manifest, scope)}{SUFFIXES[fmt]}"
    export_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(root / relative, text)
    clips = [_described(item) for item in timeline.tracks[0]]
    return EditorialExport(path=relative, format=fmt, fps=fps, frames=int(timeline.duration().to_frames()), clips=clips)


def _described(item: otio.core.Item) -> ExportedClip:
    meta = item.metadata[METADATA_KEY]
    media = item.media_reference.target_url if isinstance(item, otio.schema.Clip) else None
    markers = len(item.markers) if isinstance(item, otio.schema.Clip) else 0
    return ExportedClip(name=item.name, shot=meta["shot"], shot_id=meta["shot_id"], take=meta["take"], media=media,
                        frames=int(item.duration().to_frames()), markers=markers)
