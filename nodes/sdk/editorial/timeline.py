"""The editorial timeline: a project's cut as an OpenTimelineIO timeline.

One clip per shot in story order, its chosen take as media at a path the caller decides (relative
to the export file, or inside a zip); a shot without a picture is a titled gap (a black event in
an EDL) so the cut keeps its length; the notes on a take become markers at their frame; each
clip's metadata names its shot id and the take's provenance so a conform can find the shot again.
A shot a conform left out of the cut (`omitted`) is not in it; a conformed in point (`sourceIn`)
starts the clip that far into its take. When a scene's animatic carries a soundtrack, that audio
lies on an audio track under the scene's shots.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import opentimelineio as otio

from ..ffmpeg.probe import probe
from .cut import METADATA_KEY, SHOT_ID_REMARK
from .project_cut import CutScene, CutShot, ProjectCut

# A shot with neither a duration nor a moving picture holds the screen this long (a title card).
DEFAULT_SECONDS = 3.0
MediaPath = Callable[[Path], str]  # a media file -> how the export refers to it


def _frames(seconds: float, fps: float) -> int:
    return max(1, round(seconds * fps))


def _time(frames: int, fps: float) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(frames, fps)


def build_timeline(root: Path, cut: ProjectCut, media_path: MediaPath) -> otio.schema.Timeline:
    """The cut as an OTIO timeline: V1 the shots, A1 the scenes' soundtracks when there are any."""
    fps = cut.fps
    timeline = otio.schema.Timeline(name=cut.name, global_start_time=_time(0, fps))
    video = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    audio = otio.schema.Track(name="A1", kind=otio.schema.TrackKind.Audio)
    timeline.tracks.append(video)
    for scene in cut.scenes:
        start = int(video.duration().to_frames()) if len(video) else 0
        for shot in scene.shots:
            if not shot.omitted:
                video.append(_item(root, shot, media_path, fps))
        length = (int(video.duration().to_frames()) if len(video) else 0) - start
        if scene.animatic is not None and length > 0:
            _lay_soundtrack(root, audio, scene, start, length, media_path, fps)
    if len(audio):
        timeline.tracks.append(audio)
    return timeline


def _item(root: Path, shot: CutShot, media_path: MediaPath, fps: float) -> otio.core.Item:
    name = shot.clip_name
    meta: dict[str, Any] = {"shot": shot.coords.key, "shot_id": shot.id, "description": shot.description}
    chosen = shot.chosen
    if chosen is None:  # no picture yet: a title card that keeps the shot's place and length
        gap = otio.schema.Gap(source_range=otio.opentime.TimeRange(duration=_time(
            _frames(shot.duration or DEFAULT_SECONDS, fps), fps)))
        gap.name = name
        gap.metadata[METADATA_KEY] = {**meta, "take": None, "title_card": shot.description or name}
        return gap
    media_file = root / chosen.path
    info = probe(media_file)
    media_seconds = info.duration if info.kind == "video" and info.duration else None
    frames = _frames(shot.duration or media_seconds or DEFAULT_SECONDS, fps)
    available = _frames(media_seconds, fps) if media_seconds else frames
    start = min(round((shot.source_in or 0) * fps), available - 1) if media_seconds else 0
    reference = otio.schema.ExternalReference(
        target_url=media_path(media_file), available_range=otio.opentime.TimeRange(duration=_time(available, fps)))
    reference.name = media_file.name
    clip = otio.schema.Clip(name=name, media_reference=reference, source_range=otio.opentime.TimeRange(
        _time(start, fps), _time(min(frames, available - start) if media_seconds else frames, fps)))
    provenance = chosen.provenance
    if shot.id:  # FCP7 XML keeps a clip's master comments, not our metadata
        clip.metadata["fcp_xml"] = {"comments": {"mastercomment1": f"{SHOT_ID_REMARK}: {shot.id}"}}
    clip.metadata[METADATA_KEY] = {**meta, "take": chosen.number, "take_shot_id": provenance.shot_id,
                                   "status": chosen.review.status, "run_id": provenance.run_id,
                                   "node_id": provenance.node_id, "sha256": provenance.sha256, "path": chosen.path}
    for note in chosen.review.notes:
        frame = note.frame if note.frame is not None else round(note.seconds * fps)
        clip.markers.append(otio.schema.Marker(
            name=note.text, color=otio.schema.MarkerColor.RED,
            marked_range=otio.opentime.TimeRange(_time(frame, fps), _time(0, fps)),
            metadata={METADATA_KEY: {"note_id": note.id, "author": note.author}},
        ))
    return clip


def _lay_soundtrack(root: Path, audio: otio.schema.Track, scene: CutScene, start: int, length: int,
                    media_path: MediaPath, fps: float) -> None:
    """The animatic's sound under the scene's shots, from the scene's first frame (a gap before
    it when earlier scenes have none), never longer than the scene."""
    assert scene.animatic is not None
    media_file = root / scene.animatic
    info = probe(media_file)
    if not info.has_audio or not info.duration:
        return
    at = int(audio.duration().to_frames()) if len(audio) else 0
    if start > at:
        audio.append(otio.schema.Gap(source_range=otio.opentime.TimeRange(duration=_time(start - at, fps))))
    available = _frames(info.duration, fps)
    reference = otio.schema.ExternalReference(
        target_url=media_path(media_file), available_range=otio.opentime.TimeRange(duration=_time(available, fps)))
    reference.name = media_file.name
    clip = otio.schema.Clip(name=f"SC{scene.coords.scene:02d} soundtrack", media_reference=reference,
                            source_range=otio.opentime.TimeRange(_time(0, fps), _time(min(available, length), fps)))
    clip.metadata[METADATA_KEY] = {"scene": scene.coords.key, "soundtrack": True, "path": scene.animatic}
    audio.append(clip)
