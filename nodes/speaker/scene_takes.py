"""The active take of each shot of a scene, read from the project on disk.

The active take is the one chosen in project.json (`activeTake`), else the latest complete
take — the same rule as the takes gallery.
"""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import Any

from nodes.sdk import MediaRef, NodeExecutionError, PathSandbox, RunContext, layout
from nodes.sdk.takes import ShotCoords, read_provenances


def _chosen(manifest: dict[str, Any], chapter: int, scene: int) -> dict[int, int]:
    """{shot number: active take} as project.json records them."""
    for item in manifest.get("narrative", {}).get("chapters", []):
        if item.get("number") != chapter:
            continue
        for scene_item in item.get("scenes", []):
            if scene_item.get("number") == scene:
                return {
                    int(shot["number"]): int(shot["activeTake"])
                    for shot in scene_item.get("shots", [])
                    if shot.get("activeTake") is not None
                }
    return {}


def _ref(ctx: RunContext, file: Path, sha256: str) -> MediaRef:
    mime = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    kind = "video" if mime.startswith("video/") else "audio" if mime.startswith("audio/") else "image"
    path = PathSandbox([ctx.workspace_root]).relative(file)
    return MediaRef(path=path, sha256=sha256, mime=mime, kind=kind)


def active_takes(ctx: RunContext, chapter: int, scene: int) -> list[MediaRef]:
    """The scene's active takes in shot order."""
    root = ctx.sandbox.base
    manifest_path = root / layout.MANIFEST
    if not manifest_path.is_file():
        raise NodeExecutionError(
            "reviewing takes needs a run inside a project: submit it with a project "
            "(API `project`, CLI `--project NAME`)", code="project_required",
        )
    chosen = _chosen(json.loads(manifest_path.read_text(encoding="utf-8")), chapter, scene)
    scene_dir = root / layout.RENDERS_DIR / f"Chapter_{chapter:02d}" / f"Scene_{scene:02d}"
    found: list[MediaRef] = []
    for shot_dir in sorted(scene_dir.glob("Shot_*")):
        coords = ShotCoords.parse(shot_dir.relative_to(root).as_posix())
        takes = {p.take_number: p for p in read_provenances(shot_dir) if p.status == "complete" and p.file}
        number = chosen.get(coords.shot) if chosen.get(coords.shot) in takes else max(takes, default=None)
        if number is not None:
            take = takes[number]
            found.append(_ref(ctx, shot_dir / str(take.file), take.sha256 or ""))
    return found
