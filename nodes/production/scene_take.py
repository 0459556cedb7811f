"""A take of a whole scene (its animatic): `03_Renders/Chapter_01/Scene_02/Animatic/S02_S00_take01.mp4`.

The shared take format with shot number 00 standing for the whole scene, so numbering is
exclusive and provenance sits beside the media exactly as for a shot's takes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nodes.sdk import AuteurError, EventType, PathSandbox, RunContext, sha256_file
from nodes.sdk.takes import RENDERS_DIR, Provenance, ShotCoords, promote

SCENE_FOLDER = "Animatic"


@dataclass(frozen=True)
class SceneCoords(ShotCoords):
    """A scene's own take folder; `shot` is 0 (the whole scene)."""

    shot: int = 0

    def __post_init__(self) -> None:
        if min(self.chapter, self.scene) < 1:
            raise AuteurError("chapter and scene numbers start at 1", code="shot_invalid")

    @property
    def key(self) -> str:
        return f"Chapter_{self.chapter:02d}/Scene_{self.scene:02d}/{SCENE_FOLDER}"

    @property
    def folder(self) -> str:
        return f"{RENDERS_DIR}/{self.key}"


def save_scene_take(ctx: RunContext, root: Path, coords: SceneCoords, media: Path, inputs: dict[str, Any]) -> str:
    """Copy `media` into the scene's next take; emits `take_created`; the project-relative path."""
    sha = sha256_file(media)
    scene_dir = PathSandbox([root]).resolve(coords.folder)
    record = Provenance(
        take_number=0, shot=coords.key, run_id=ctx.provenance.run_id, node_id=f"{ctx.node_id}@{sha[:12]}",
        graph_hash=ctx.provenance.graph_hash, tier=ctx.tier, project=ctx.project, inputs=inputs,
        source={"kind": "animatic", "sha256": sha},
    )
    saved = promote(media, scene_dir, coords, record, sha)
    relative = f"{coords.folder}/{saved.file}"
    ctx.emit(EventType.TAKE_CREATED, {"project": ctx.project, "shot": coords.key,
                                      "take_number": saved.take_number, "path": relative})
    return relative
