"""CMX 3600 edit decision lists, written and read here: OTIO 0.18 moved its cmx_3600 adapter into
a package this project does not install.

Written: one event per clip (reel AX) or title card (BL), record time from 01:00:00:00, the clip
name, the shot's stable id (`* AUTEUR SHOT ID`) and the source file as comments, a LOC line per
marker. Read: the video events of any CMX 3600
list (cuts, and the incoming side of a dissolve or wipe), with the clip name and source file
comments an editing application writes (and the shot id when the list is one of ours); audio-only
events are not part of the picture cut.
"""

from __future__ import annotations

import re

import opentimelineio as otio

from .cut import MAX_CLIPS, METADATA_KEY, SHOT_ID_REMARK, CutError, EditedClip, clean_text

_TC = r"(\d{1,2}[:;.]\d{2}[:;.]\d{2}[:;.]\d{2})"
_EVENT = re.compile(rf"^(\d{{1,6}})\s+(\S+)\s+(\S+)\s+(C|D|W\d{{3}}|K\s*[BO]?)\s*(\d{{1,4}})?\s+"
                    rf"{_TC}\s+{_TC}\s+{_TC}\s+{_TC}\s*$")
_REMARK = re.compile(rf"^\*\s*(FROM CLIP NAME|SOURCE FILE|{SHOT_ID_REMARK})\s*:\s*(.*)$", re.IGNORECASE)


def _timecode(frames: int, fps: float) -> str:
    return str(otio.opentime.to_timecode(otio.opentime.RationalTime(frames, fps), fps))


def write_edl(timeline: otio.schema.Timeline, fps: float) -> str:
    """The first video track of `timeline` as a CMX 3600 list, then its audio tracks' clips."""
    record_start = round(3600 * fps)
    lines = [f"TITLE: {timeline.name}", "FCM: NON-DROP FRAME", ""]
    at = record_start
    for number, item in enumerate(timeline.tracks[0], start=1):
        frames = int(item.duration().to_frames())
        source_in = int(item.source_range.start_time.to_frames()) if item.source_range else 0
        reel = "BL" if isinstance(item, otio.schema.Gap) else "AX"
        lines.append(f"{number:03d}  {reel:<8} V     C        {_timecode(source_in, fps)} "
                     f"{_timecode(source_in + frames, fps)} {_timecode(at, fps)} {_timecode(at + frames, fps)}")
        lines.append(f"* FROM CLIP NAME: {item.name}")
        shot_id = (item.metadata.get(METADATA_KEY) or {}).get("shot_id")
        if shot_id:  # the shot's stable id: a conform finds it even after shots were renumbered
            lines.append(f"* {SHOT_ID_REMARK}: {clean_text(shot_id)}")
        if isinstance(item, otio.schema.Clip) and isinstance(item.media_reference, otio.schema.ExternalReference):
            lines.append(f"* SOURCE FILE: {item.media_reference.target_url}")
            for marker in item.markers:
                when = at + int(marker.marked_range.start_time.to_frames())
                text = " ".join(marker.name.split())  # one line per locator
                lines.append(f"* LOC: {_timecode(when, fps)} RED     {text}")
        lines.append("")
        at += frames
    number = len(timeline.tracks[0])
    for track in timeline.audio_tracks():  # a soundtrack: audio events at their record time
        at = record_start
        for item in track:
            frames = int(item.duration().to_frames())
            if isinstance(item, otio.schema.Clip) and isinstance(item.media_reference, otio.schema.ExternalReference):
                number += 1
                source_in = int(item.source_range.start_time.to_frames()) if item.source_range else 0
                lines.append(f"{number:03d}  AX       A     C        {_timecode(source_in, fps)} "
                             f"{_timecode(source_in + frames, fps)} {_timecode(at, fps)} {_timecode(at + frames, fps)}")
                lines += [f"* FROM CLIP NAME: {item.name}", f"* SOURCE FILE: {item.media_reference.target_url}", ""]
            at += frames
    return "\n".join(lines)


def _frames(timecode: str, fps: float, line: int) -> int:
    try:
        return int(otio.opentime.from_timecode(timecode.replace(";", ":").replace(".", ":"), fps).to_frames())
    except ValueError:
        raise CutError(f"line {line}: {timecode!r} is not a timecode at {fps:g} fps",
                       {"line": line}) from None


class _Event:
    def __init__(self, number: str, reel: str, source_in: int, record_in: int, record_out: int) -> None:
        self.number, self.reel = number, reel
        self.source_in, self.record_in, self.record_out = source_in, record_in, record_out
        self.name = ""
        self.media: str | None = None
        self.shot_id: str | None = None


def read_edl(text: str, fps: float) -> list[EditedClip]:
    """The picture cut of a CMX 3600 list, in record order."""
    events: dict[str, _Event] = {}
    current: _Event | None = None
    for line_number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if (event := _EVENT.match(line)) is not None:
            number, reel, channels = event.group(1), event.group(2), event.group(3).upper()
            current = None
            if "V" not in channels and channels != "B":
                continue  # audio only
            source_in = _frames(event.group(6), fps, line_number)
            record_in, record_out = _frames(event.group(8), fps, line_number), _frames(event.group(9), fps, line_number)
            if record_out <= record_in:
                continue  # the outgoing side of a transition holds no time of its own
            # A transition's second line is its incoming clip: it replaces the first.
            current = events[number] = _Event(number, reel.upper(), source_in, record_in, record_out)
            if len(events) > MAX_CLIPS:
                raise CutError(f"an edit of more than {MAX_CLIPS} events is not conformed", {"limit": MAX_CLIPS})
        elif current is not None and (remark := _REMARK.match(line)) is not None:
            value = remark.group(2).strip()
            kind = remark.group(1).upper()
            if kind == "FROM CLIP NAME":
                current.name = clean_text(value)
            elif kind == SHOT_ID_REMARK:
                current.shot_id = clean_text(value) or None
            else:
                current.media = clean_text(value) or None
    if not events:
        raise CutError("no video events: not a CMX 3600 edit decision list")
    ordered = sorted(events.values(), key=lambda e: e.record_in)
    return [EditedClip(name=e.name or ("" if e.reel in ("AX", "BL", "BLACK") else clean_text(e.reel)), media=None if e.reel in ("BL", "BLACK") else e.media,
                       gap=e.reel in ("BL", "BLACK"), source_in=e.source_in,
                       frames=e.record_out - e.record_in, shot_id=e.shot_id) for e in ordered]
