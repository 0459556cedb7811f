"""ffprobe: what a file contains, and the MediaRef that describes it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from nodes.sdk import (
    INPUT_GUARD,
    MediaKind,
    MediaRef,
    RunContext,
    check_media_budget,
    check_picture,
    limited,
)

from .errors import MediaNotFoundError, NoAudioStreamError, NotMediaError
from .process import find_tool

# Demuxers that hold a single still picture rather than a video.
_IMAGE_FORMATS = ("image2", "png_pipe", "jpeg_pipe", "webp_pipe", "bmp_pipe", "tiff_pipe", "gif")


class Probe(BaseModel):
    """The facts about a media file the nodes act on."""

    format_name: str
    duration: float | None = None
    has_video: bool = False
    has_audio: bool = False
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    video_codec: str | None = None
    audio_codec: str | None = None
    sample_rate: int | None = None
    channels: int | None = None

    @property
    def kind(self) -> MediaKind:
        if self.has_video:
            still = any(name in self.format_name.split(",") for name in _IMAGE_FORMATS)
            return "image" if still and not self.has_audio else "video"
        return "audio" if self.has_audio else "file"

    def ref_fields(self) -> dict[str, Any]:
        """The optional MediaRef fields this probe knows."""
        fields = {
            "duration": self.duration if self.kind != "image" else None,
            "width": self.width,
            "height": self.height,
            "sample_rate": self.sample_rate,
            "channels": self.channels,
        }
        return {key: value for key, value in fields.items() if value is not None}


def _rate(text: str | None) -> float | None:
    if not text or "/" not in text:
        return None
    num, den = text.split("/", 1)
    return float(num) / float(den) if float(den) else None


def _from_json(data: dict[str, Any]) -> Probe:
    streams = data.get("streams", [])
    video = next(
        (s for s in streams if s.get("codec_type") == "video"
         and not s.get("disposition", {}).get("attached_pic")),
        None,
    )
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    fmt = data.get("format", {})
    duration = fmt.get("duration") or (video or audio or {}).get("duration")
    return Probe(
        format_name=fmt.get("format_name", ""),
        duration=float(duration) if duration not in (None, "N/A") else None,
        has_video=video is not None,
        has_audio=audio is not None,
        width=video.get("width") if video else None,
        height=video.get("height") if video else None,
        fps=_rate(video.get("avg_frame_rate")) if video else None,
        video_codec=video.get("codec_name") if video else None,
        audio_codec=audio.get("codec_name") if audio else None,
        sample_rate=int(audio["sample_rate"]) if audio and audio.get("sample_rate") else None,
        channels=audio.get("channels") if audio else None,
    )


def probe(path: Path, name: str | None = None) -> Probe:
    """Probe `path`; NotMediaError when ffprobe cannot read it as audio, video or image,
    MediaTooLargeError when it is over the pixel or duration budget (a picture's header is
    checked before ffprobe, which would decode it). A refusal names the file as `name` (the
    caller's project-relative path; else its file name), never by the server's path."""
    shown = name or path.name
    if not path.is_file():
        raise MediaNotFoundError(f"media file not found: {shown}", details={"path": shown})
    check_picture(path)
    command = limited([find_tool("ffprobe"), "-v", "error", *INPUT_GUARD, "-show_format",
                       "-show_streams", "-of", "json", str(path)])
    result = subprocess.run(command, capture_output=True, check=False)
    data: dict[str, Any] = json.loads(result.stdout or b"{}") if result.returncode == 0 else {}
    info = _from_json(data) if data else None
    if info is None or not (info.has_video or info.has_audio):
        # ffprobe starts its complaint with the path it was given: the server's, never shown.
        stderr = result.stderr.decode("utf-8", "replace").replace(f"{path}: ", "").replace(str(path), shown)
        reason = stderr.strip() or "no audio or video stream"
        raise NotMediaError(f"{shown} is not a media file ffmpeg can read ({reason})", details={"path": shown})
    check_media_budget(shown, width=info.width, height=info.height, duration=info.duration)
    return info


def media_file(ctx: RunContext, ref: MediaRef) -> Path:
    """The file behind an input MediaRef; MediaNotFoundError when it was moved or deleted."""
    try:
        return ctx.media_path(ref)
    except FileNotFoundError as exc:
        raise MediaNotFoundError(
            f"media file not found: {ref.path} (it was moved or deleted since it was loaded)",
            details={"path": ref.path},
        ) from exc


def require_audio(info: Probe, name: str) -> None:
    """Refuse a file without an audio stream before ffmpeg runs."""
    if not info.has_audio:
        raise NoAudioStreamError(
            f"{name} has no audio stream; connect a file that contains sound",
            details={"path": name},
        )

