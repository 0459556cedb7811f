"""A shot's picture for the animatic, found in the project: its active take (an image or a
clip), its thumbnail, an ingredient's reference image — or None, for a title card.

The active take is the one project.json chooses (`activeTake`), else the latest complete
take — the takes gallery's rule — among the takes that are pictures: a shot's Veo payload
takes (JSON) are skipped.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from nodes.sdk import MediaKind, MediaRef, PathSandbox, RunContext
from nodes.sdk.preproduction import Shot, slot_ingredients
from nodes.sdk.takes import ShotCoords

THUMBNAIL_STEM = "thumbnail"


def picture_kind(path: Path) -> MediaKind | None:
    mime = mimetypes.guess_type(path.name)[0] or ""
    if mime.startswith("image/"):
        return "image"
    if mime.startswith("video/"):
        return "video"
    return None


def thumbnail(shot_dir: Path) -> Path | None:
    found = sorted(p for p in shot_dir.glob(f"{THUMBNAIL_STEM}.*") if picture_kind(p) == "image")
    return found[0] if found else None


def _ref(ctx: RunContext, path: Path) -> MediaRef:
    kind = picture_kind(path) or "image"
    return ctx.media_ref(path, kind=kind)


def find_picture(ctx: RunContext, root: Path | None, shot: Shot, chosen: dict[str, int]) -> tuple[MediaRef | None, str]:
    """(picture, where it came from: take, thumbnail, reference, or title card). `chosen` is
    `ctx.takes.chosen()`, read once for all the shots."""
    if root is not None:
        coords = ShotCoords.parse(shot.shot_path)
        take = ctx.takes.active(coords, chosen=chosen, accept=lambda take: picture_kind(take.file) is not None)
        if take is not None:
            return _ref(ctx, take.file), "take"
        shot_dir = PathSandbox([root]).resolve(coords.folder)
        thumb = thumbnail(shot_dir) if shot_dir.is_dir() else None
        if thumb is not None:
            return _ref(ctx, thumb), "thumbnail"
    for ingredient in slot_ingredients(shot):
        for reference in ingredient.reference_images:
            return reference, "reference"
    return None, "title card"
