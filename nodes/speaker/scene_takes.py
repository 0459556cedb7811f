"""The active take of each shot of a scene, read from the project on disk.

The active take is the one chosen in project.json (`activeTake`), else the latest complete
take — the same rule as the takes gallery.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from nodes.sdk import MediaRef, PathSandbox, RunContext, layout
from nodes.sdk.takes import ShotCoords


def _ref(ctx: RunContext, file: Path, sha256: str) -> MediaRef:
    mime = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    kind = "video" if mime.startswith("video/") else "audio" if mime.startswith("audio/") else "image"
    path = PathSandbox([ctx.workspace_root]).relative(file)
    return MediaRef(path=path, sha256=sha256, mime=mime, kind=kind)


def active_takes(ctx: RunContext, chapter: int, scene: int) -> list[MediaRef]:
    """The scene's active takes in shot order."""
    root = ctx.takes.project_root("Reviewing takes")
    chosen = ctx.takes.chosen()
    scene_dir = root / layout.RENDERS_DIR / f"Chapter_{chapter:02d}" / f"Scene_{scene:02d}"
    found: list[MediaRef] = []
    for shot_dir in sorted(scene_dir.glob("Shot_*")):
        take = ctx.takes.active(ShotCoords.parse(shot_dir.relative_to(root).as_posix()), chosen=chosen)
        if take is not None:
            found.append(_ref(ctx, take.file, take.provenance.sha256 or ""))
    return found
