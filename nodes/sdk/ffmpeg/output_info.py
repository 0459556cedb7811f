"""Describe inputs and outputs without an extra ffprobe process where we already know.

An ffprobe start costs about as much as a short ffmpeg job, so a node (a) takes an input's
facts from its MediaRef when the ref carries them, and (b) reads an output's streams from
the `Output #0` section ffmpeg printed while writing it, and its duration from the final
`-progress` time. Either falls back to a real probe when the facts are missing.
"""

from __future__ import annotations

import re
from pathlib import Path

from nodes.sdk import MediaKind, MediaRef, RunContext

from .probe import Probe, media_file, probe
from .process import FfmpegRun

_VIDEO = re.compile(r"Video: (\w+).*?[ ,](\d{2,5})x(\d{2,5})[ ,\]]")
_AUDIO = re.compile(r"Audio: (\w+).*?, (\d+) Hz, ([^,]+)")
_LAYOUTS = {"mono": 1, "stereo": 2, "2.1": 3, "3.0": 3, "quad": 4, "4.0": 4, "5.0": 5,
            "5.0(side)": 5, "5.1": 6, "5.1(side)": 6, "6.1": 7, "7.1": 8}


def source(ctx: RunContext, ref: MediaRef) -> tuple[Path, Probe]:
    """An input's file and facts: from the ref when it has them, else from ffprobe."""
    path = media_file(ctx, ref)
    if ref.kind in ("video", "audio") and ref.duration is not None:
        return path, Probe(
            format_name="", duration=ref.duration, has_video=ref.width is not None,
            has_audio=ref.sample_rate is not None, width=ref.width, height=ref.height,
            sample_rate=ref.sample_rate, channels=ref.channels,
        )
    return path, probe(path)


def _channels(layout: str) -> int | None:
    layout = layout.strip()
    if layout.endswith(" channels") and layout.split()[0].isdigit():
        return int(layout.split()[0])
    return _LAYOUTS.get(layout)


def parse_output(stderr: str) -> Probe | None:
    """The first output's streams from ffmpeg's log (None when it printed none)."""
    lines = stderr.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("Output #0, ")), None)
    if start is None:
        return None
    info = Probe(format_name=lines[start].split(",")[1].strip())
    for line in lines[start + 1 :]:
        if not line.startswith("  "):
            break
        if (video := _VIDEO.search(line)) and not info.has_video:
            info.has_video, info.video_codec = True, video.group(1)
            info.width, info.height = int(video.group(2)), int(video.group(3))
        elif (audio := _AUDIO.search(line)) and not info.has_audio:
            info.has_audio, info.audio_codec = True, audio.group(1)
            info.sample_rate, info.channels = int(audio.group(2)), _channels(audio.group(3))
    return info if (info.has_video or info.has_audio) else None


def output_ref(ctx: RunContext, path: Path, run: FfmpegRun, kind: MediaKind | None = None) -> MediaRef:
    """A MediaRef for a file ffmpeg just wrote, without probing it again when possible."""
    info = parse_output(run.stderr)
    if info is None:
        info = probe(path)
    elif kind != "image":
        info.duration = run.out_seconds or None
    return ctx.media_ref(path, kind=kind or info.kind, **info.ref_fields())
