"""What production nodes read from and write to the run's project (never project.json
itself: the workspace's manifest sync mirrors these files into it)."""

from __future__ import annotations

import base64
import json
import os
import uuid
from pathlib import Path
from typing import Any

from nodes.sdk import EventType, MediaRef, NodeExecutionError, PathSandbox, RunContext, sha256_file
from nodes.sdk.takes import Provenance, ShotCoords, promote

from .domain import VeoImage

MANIFEST_NAME = "project.json"
INGREDIENTS_DIR = "01_Assets"
SHOTLISTS_DIR = "02_Source_Creative/ShotLists"
INGREDIENT_SUFFIX = ".ingredient.json"
BREAKDOWN_SUFFIX = ".breakdown.json"


def project_root(ctx: RunContext, *, required: bool, what: str) -> Path | None:
    root = ctx.project_root
    if root is not None and (root / MANIFEST_NAME).is_file():
        return root
    if required:
        raise NodeExecutionError(
            f"{what} needs a run inside a project: submit the run with a project "
            "(API `project`, CLI `--project NAME`)", code="project_required")
    return None


def project_aspect_ratio(ctx: RunContext) -> str:
    """The project's settings.aspectRatio (16:9 when outside a project or unset)."""
    root = project_root(ctx, required=False, what="")
    if root is None:
        return "16:9"
    try:
        data = json.loads((root / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "16:9"
    return str((data.get("settings") or {}).get("aspectRatio") or "16:9")


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def project_asset(ctx: RunContext, path: str) -> MediaRef:
    """A reference image from the project's assets, as a MediaRef."""
    resolved = ctx.resolve(path, must_exist=True)
    return ctx.media_ref(resolved, kind="image")


def inline_image(ctx: RunContext, ref: MediaRef) -> VeoImage:
    data = base64.b64encode(ctx.media_path(ref).read_bytes()).decode("ascii")
    mime = ref.mime if ref.mime in ("image/png", "image/jpeg", "image/webp") else "image/png"
    return VeoImage(bytes_base64_encoded=data, mime_type=mime)


def save_json_take(ctx: RunContext, coords: ShotCoords, document: str, inputs: dict[str, Any]) -> str:
    """Save `document` as the next take of a shot (`S01_S01_take01.json`) with provenance;
    emits `take_created` so the manifest sync mirrors it. Returns the project-relative path."""
    root = project_root(ctx, required=True, what="Saving a payload take")
    assert root is not None
    scratch = ctx.scratch_dir() / f"payload-{uuid.uuid4().hex[:8]}.json"
    scratch.write_text(document, encoding="utf-8")
    sha = sha256_file(scratch)
    shot_dir = PathSandbox([root]).resolve(coords.folder)
    record = Provenance(
        take_number=0, shot=coords.key, run_id=ctx.provenance.run_id,
        # one node fans out over many shots: the content keeps each item's take its own
        node_id=f"{ctx.node_id}@{sha[:12]}", graph_hash=ctx.provenance.graph_hash, tier=ctx.tier,
        project=ctx.project, inputs=inputs, source={"kind": "veo_payload", "sha256": sha},
    )
    saved = promote(scratch, shot_dir, coords, record, sha)
    scratch.unlink(missing_ok=True)
    relative = f"{coords.folder}/{saved.file}"
    ctx.emit(EventType.TAKE_CREATED, {"project": ctx.project, "shot": coords.key,
                                      "take_number": saved.take_number, "path": relative})
    return relative
