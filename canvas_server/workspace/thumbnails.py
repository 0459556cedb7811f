"""Thumbnails for images and videos, made with ffmpeg into the project's git-ignored cache."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

from nodes.sdk import (
    MediaTooLargeError,
    MissingDependencyError,
    PathSandbox,
    atomic_publish,
    guard_inputs,
    layout,
    limited,
)

from .errors import WorkspaceError

THUMBNAIL_WIDTH = 320


def thumbnail_path(project_root: Path, relative: str) -> Path:
    """Where the thumbnail of a project file lives (`05_Cache/thumbnails/<path>.jpg`), never
    through a symlink that leads out of the project."""
    return PathSandbox([project_root]).contain(project_root / layout.THUMBNAILS_DIR / f"{relative}.jpg")


def make_thumbnail(source: Path, target: Path, *, video: bool, width: int = THUMBNAIL_WIDTH) -> Path:
    """Write a JPEG `width` pixels wide; for a video, a representative frame."""
    if shutil.which("ffmpeg") is None:
        raise MissingDependencyError("ffmpeg is not installed; install it (apt-get install ffmpeg) for thumbnails")
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".thumb-{uuid.uuid4().hex}.jpg")
    scale = f"scale={width}:-2"
    filters = f"thumbnail=50,{scale}" if video else scale
    command = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(source), "-vf", filters, "-frames:v", "1", str(temp)]
    try:
        # The same guard as every node's ffmpeg: media demuxers only, a picture's pixel budget
        # read from its header, a memory limit, and death with this process.
        guarded = limited(guard_inputs(command))
    except MediaTooLargeError as exc:
        raise WorkspaceError(f"no thumbnail for {source.name}: {exc.message}", code="media_too_large") from exc
    try:
        done = subprocess.run(guarded, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0 or not temp.is_file():
            raise WorkspaceError(
                f"ffmpeg could not make a thumbnail of {source.name}: {done.stderr.strip()[-500:]}",
                code="thumbnail_failed",
            )
        atomic_publish(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    return target
