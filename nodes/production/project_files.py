"""What production nodes read from and write to the run's project (never project.json
itself: the workspace's manifest sync mirrors these files into it). Folder and file names come
from `nodes.sdk.layout`; takes are saved through `ctx.takes`."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from nodes.sdk import MediaRef, NodeExecutionError, RunContext, layout

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
    """A reference image from the project's assets, as a MediaRef."""
    resolved = ctx.resolve(path, must_exist=True)
    return ctx.media_ref(resolved, kind="image")


def inline_image(ctx: RunContext, ref: MediaRef) -> VeoImage:
    data = base64.b64encode(ctx.media_path(ref).read_bytes()).decode("ascii")
    mime = ref.mime if ref.mime in ("image/png", "image/jpeg", "image/webp") else "image/png"
    return VeoImage(bytes_base64_encoded=data, mime_type=mime)
