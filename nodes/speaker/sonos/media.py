"""Media a Sonos can play, served by our server at a signed, expiring URL.

Sonos plays MP3, AAC, FLAC, WAV, AIFF and Ogg Vorbis up to 48 kHz. Anything else with an
audio stream (a video take, a 96 kHz master) is transcoded beforehand to 48 kHz FLAC in the
task's scratch folder; the speaker then fetches the file from `AUTEUR_PUBLIC_URL`.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from nodes.sdk import (
    MediaRef,
    MissingDependencyError,
    PathSandbox,
    RunContext,
    guard_inputs,
    limited,
    signed_url,
    url_signing_key,
    workspace_secret,
)

from ..config import SpeakerConfig
from ..errors import PublicUrlMissingError, UnsupportedMediaError

SONOS_MIMES = frozenset({
    "audio/mpeg", "audio/mp3", "audio/aac", "audio/mp4", "audio/x-m4a", "audio/flac",
    "audio/x-flac", "audio/wav", "audio/x-wav", "audio/wave", "audio/aiff", "audio/x-aiff",
    "audio/ogg",
})
MAX_SAMPLE_RATE = 48_000


def playable(ref: MediaRef) -> bool:
    """Whether a Sonos plays the file as it is."""
    if ref.kind != "audio" or ref.mime not in SONOS_MIMES:
        return False
    return ref.sample_rate is None or ref.sample_rate <= MAX_SAMPLE_RATE


def transcode(source: Path, target: Path) -> Path:
    """48 kHz FLAC of the source's first audio stream."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise MissingDependencyError(
            "ffmpeg is needed to convert this media for Sonos; install it with "
            "`apt-get install ffmpeg` (macOS: `brew install ffmpeg`)", details={"tool": "ffmpeg"}
        )
    command = [ffmpeg, "-nostdin", "-v", "error", "-y", "-i", str(source), "-map", "0:a:0",
               "-vn", "-ar", str(MAX_SAMPLE_RATE), "-c:a", "flac", str(target)]
    done = subprocess.run(limited(guard_inputs(command)), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise UnsupportedMediaError(
            f"{source.name} cannot be played on Sonos: it has no audio stream ffmpeg can read "
            f"({done.stderr.strip()[-300:]})", details={"path": source.name},
        )
    return target


def playable_path(ctx: RunContext, ref: MediaRef) -> str:
    """The workspace-relative path of a version of `ref` that Sonos plays."""
    if ref.kind == "image":
        raise UnsupportedMediaError(
            f"{ref.path} is an image; Sonos plays audio (a take's sound is used for video)",
            details={"path": ref.path, "kind": ref.kind},
        )
    if playable(ref):
        return ref.path
    source = ctx.media_path(ref)
    target = ctx.scratch_dir() / f"{source.stem}.sonos.flac"
    if not target.exists():
        transcode(source, target)
    return PathSandbox([ctx.workspace_root]).relative(target)


def media_url(ctx: RunContext, config: SpeakerConfig, path: str) -> str:
    """A signed URL of a workspace file that expires after AUTEUR_MEDIA_URL_TTL_S."""
    if not config.public_url:
        raise PublicUrlMissingError(
            "set AUTEUR_PUBLIC_URL to this server's address as the speakers see it (e.g. "
            "http://192.168.1.10:8000, not 127.0.0.1) so they can fetch the media",
        )
    key = url_signing_key(workspace_secret(ctx.workspace_root))
    return signed_url(config.public_url, key, path, config.media_url_ttl_s)
