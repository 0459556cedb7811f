"""A shot's picture for the animatic, found in the project: its active take (an image or a
clip), its thumbnail, an ingredient's reference image — or None, for a title card.

The active take is the one project.json chooses (`activeTake`), else the latest complete
take — the takes gallery's rule — among the takes that are pictures: a shot's Veo payload
takes (JSON) are skipped.
"""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import Any

from nodes.sdk import MediaKind, MediaRef, PathSandbox, RunContext, layout
from nodes.sdk.preproduction import Shot, slot_ingredients
from nodes.sdk.takes import Provenance, ShotCoords, read_provenances

THUMBNAIL_STEM = "thumbnail"


def picture_kind(path: Path) -> MediaKind | None:
    mime = mimetypes.guess_type(path.name)[0] or ""
    if mime.startswith("image/"):
        return "image"
    if mime.startswith("video/"):
        return "video"
    return None


def chosen_takes(root: Path) -> dict[str, int]:
    """{`Chapter_01/Scene_01/Shot_01`: active take number} as project.json records them."""
    try:
        manifest: dict[str, Any] = json.loads((root / layout.MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    chosen: dict[str, int] = {}
    for chapter in manifest.get("narrative", {}).get("chapters", []) or []:
        for scene in chapter.get("scenes", []) or []:
            for shot in scene.get("shots", []) or []:
                if shot.get("activeTake") is not None:
                    key = ShotCoords(int(chapter["number"]), int(scene["number"]), int(shot["number"])).key
                    chosen[key] = int(shot["activeTake"])
    return chosen


def active_picture_take(shot_dir: Path, chosen: int | None) -> Path | None:
    """The active take among the shot's picture takes."""
    takes: dict[int, Provenance] = {
        p.take_number: p for p in read_provenances(shot_dir)
        if p.status == "complete" and p.file and picture_kind(Path(p.file)) and (shot_dir / p.file).is_file()
    }
    number = chosen if chosen in takes else max(takes, default=None)
    return None if number is None else shot_dir / str(takes[number].file)


def thumbnail(shot_dir: Path) -> Path | None:
    found = sorted(p for p in shot_dir.glob(f"{THUMBNAIL_STEM}.*") if picture_kind(p) == "image")
    return found[0] if found else None


def _ref(ctx: RunContext, path: Path) -> MediaRef:
    kind = picture_kind(path) or "image"
    return ctx.media_ref(path, kind=kind)


def find_picture(ctx: RunContext, root: Path | None, shot: Shot, chosen: dict[str, int]) -> tuple[MediaRef | None, str]:
    """(picture, where it came from: take, thumbnail, reference, or title card)."""
    if root is not None:
        shot_dir = PathSandbox([root]).resolve(f"{layout.RENDERS_DIR}/{shot.shot_path}")
        take = active_picture_take(shot_dir, chosen.get(shot.shot_path))
        if take is not None:
            return _ref(ctx, take), "take"
        thumb = thumbnail(shot_dir) if shot_dir.is_dir() else None
        if thumb is not None:
            return _ref(ctx, thumb), "thumbnail"
    for ingredient in slot_ingredients(shot):
        for reference in ingredient.reference_images:
            return reference, "reference"
    return None, "title card"
