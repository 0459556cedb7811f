"""What production nodes read from and write to the run's project (never project.json
itself: the workspace's manifest sync mirrors these files into it). Folder and file names come
from `nodes.sdk.layout`; takes are saved through `ctx.takes`."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from nodes.sdk import (
    ImageMime,
    MediaRef,
    NodeExecutionError,
    PathForbiddenError,
    RunContext,
    layout,
    sniff_image,
)

from .domain import VeoImage


def project_root(ctx: RunContext) -> Path | None:
    """The run's project folder, or None when the run has no project."""
    try:
        return ctx.takes.project_root()
    except NodeExecutionError:
        return None


def project_aspect_ratio(ctx: RunContext) -> str:
    """The project's settings.aspectRatio (16:9 when outside a project or unset)."""
    root = project_root(ctx)
    if root is None:
        return "16:9"
    try:
        data = json.loads((root / layout.MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "16:9"
    return str((data.get("settings") or {}).get("aspectRatio") or "16:9")


def project_asset(ctx: RunContext, path: str) -> MediaRef:
    """A reference image, as a MediaRef: from the project's `01_Assets/` (or an output of
    the run), and a real PNG, JPEG or WebP by its first bytes, so no other file of the
    project is ever inlined into a request or a record."""
    resolved = ctx.resolve(path, must_exist=True)
    assets = ctx.sandbox.base / layout.ASSETS_DIR
    in_assets = resolved.is_relative_to(assets) and resolved != assets
    if not in_assets and resolved.is_relative_to(ctx.sandbox.base):
        raise PathForbiddenError(
            f"reference image {path!r} must be in the project's {layout.ASSETS_DIR}/ folder",
            details={"path": path})
    return ctx.media_ref(resolved, kind="image", mime=image_mime(resolved, path))


def image_mime(path: Path, named: str) -> ImageMime:
    """The image's MIME type by its magic bytes; anything else is refused."""
    mime = sniff_image(path) if path.is_file() else None
    if mime is None:
        raise NodeExecutionError(f"{named!r} is not a PNG, JPEG or WebP image",
                                 code="image_invalid", details={"path": named})
    return mime


def inline_image(ctx: RunContext, ref: MediaRef) -> VeoImage:
    """An image as Veo takes it, base64 inline; the ref is re-checked (roots, sha256) and
    the file sniffed again where it is read."""
    path = ctx.media_path(ref)
    mime = image_mime(path, ref.path)
    return VeoImage(bytes_base64_encoded=base64.b64encode(path.read_bytes()).decode("ascii"), mime_type=mime)
