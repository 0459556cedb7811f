"""Containers and codecs the convert/trim/extract nodes write, and their encoder options."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

VideoFormat = Literal["mp4", "webm", "mov", "avi", "mkv"]
AudioFormat = Literal["mp3", "m4a", "wav", "flac"]


class Container(BaseModel):
    suffix: str
    video_codec: str
    audio_codec: str
    muxer_options: dict[str, Any] = {}


VIDEO_FORMATS: dict[str, Container] = {
    "mp4": Container(suffix=".mp4", video_codec="libx264", audio_codec="aac",
                     muxer_options={"movflags": "+faststart"}),
    "webm": Container(suffix=".webm", video_codec="libvpx-vp9", audio_codec="libopus"),
    "mov": Container(suffix=".mov", video_codec="libx264", audio_codec="aac"),
    "avi": Container(suffix=".avi", video_codec="libx264", audio_codec="libmp3lame"),
    "mkv": Container(suffix=".mkv", video_codec="libx264", audio_codec="aac"),
}

AUDIO_FORMATS: dict[str, dict[str, Any]] = {
    "mp3": {"c:a": "libmp3lame", "q:a": 2},
    "m4a": {"c:a": "aac", "b:a": "192k"},
    "wav": {"c:a": "pcm_s16le"},
    "flac": {"c:a": "flac"},
}

_AUDIO_BITRATES = {"aac": "160k", "libopus": "128k", "libmp3lame": "192k"}
# VP9 has no x264 presets: map them to libvpx's speed knobs (higher cpu-used is faster).
_VP9_SPEED = {"ultrafast": 8, "superfast": 8, "veryfast": 6, "faster": 5, "fast": 4,
              "medium": 3, "slow": 2, "slower": 1, "veryslow": 0}


def container_for_suffix(suffix: str) -> Container:
    """The container written for an existing file's extension (mp4 for unknown ones)."""
    for container in VIDEO_FORMATS.values():
        if container.suffix == suffix.lower():
            return container
    return VIDEO_FORMATS["mp4"]


def encoder_options(container: Container, *, preset: str, crf: int) -> dict[str, Any]:
    """ffmpeg-python output kwargs for re-encoding into `container` at a tier's quality."""
    options: dict[str, Any] = {"c:a": container.audio_codec,
                               "b:a": _AUDIO_BITRATES[container.audio_codec]}
    if container.video_codec == "libvpx-vp9":
        # x264 CRF 18..28 corresponds roughly to VP9 CRF 25..40 (VP9's scale is 0..63).
        options.update({"c:v": "libvpx-vp9", "crf": min(63, round(crf * 1.4)), "b:v": 0,
                        "deadline": "good", "cpu-used": _VP9_SPEED.get(preset, 3),
                        "row-mt": 1})
    else:
        options.update({"c:v": "libx264", "preset": preset, "crf": crf, "pix_fmt": "yuv420p"})
    options.update(container.muxer_options)
    return options
