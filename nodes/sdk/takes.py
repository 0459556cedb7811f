"""The take format, shared by the workspace and every pack that saves takes: deterministic names,
exclusive allocation, provenance beside the media.

`03_Renders/Chapter_01/Scene_01/Shot_01/S01_S01_take01.png` with
`S01_S01_take01.provenance.json` beside it. The provenance file is created first with
O_CREAT|O_EXCL: whoever creates it owns that take number, so concurrent runs (threads,
processes, machines sharing the workspace) never get the same number or overwrite media.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from nodes.sdk import AuteurError

RENDERS_DIR = "03_Renders"
PROVENANCE_SUFFIX = ".provenance.json"
_SHOT_PATH_RE = re.compile(r"^(?:03_Renders/)?Chapter_(\d+)/Scene_(\d+)/Shot_(\d+)/?$")
_PROVENANCE_RE = re.compile(r"^S\d+_S\d+_take(\d+)\.provenance\.json$")


@dataclass(frozen=True)
class ShotCoords:
    """Where a shot lives in the narrative: chapter, scene and shot numbers (from 1)."""

    chapter: int
    scene: int
    shot: int

    def __post_init__(self) -> None:
        if min(self.chapter, self.scene, self.shot) < 1:
            raise AuteurError("chapter, scene and shot numbers start at 1", code="shot_invalid")

    @classmethod
    def parse(cls, text: str) -> ShotCoords:
        """`Chapter_01/Scene_02/Shot_03` (optionally under `03_Renders/`)."""
        match = _SHOT_PATH_RE.match(text.strip())
        if match is None:
            raise AuteurError(
                f"shot path {text!r} must look like Chapter_01/Scene_01/Shot_01",
                code="shot_invalid",
                details={"shot": text},
            )
        return cls(*(int(group) for group in match.groups()))

    @property
    def key(self) -> str:
        return f"Chapter_{self.chapter:02d}/Scene_{self.scene:02d}/Shot_{self.shot:02d}"

    @property
    def folder(self) -> str:
        return f"{RENDERS_DIR}/{self.key}"

    def stem(self, take: int) -> str:
        return f"S{self.scene:02d}_S{self.shot:02d}_take{take:02d}"


class Provenance(BaseModel):
    """What made a take: the run, the graph, the tier and the node's inputs."""

    schema_version: int = 1
    status: Literal["allocating", "complete"] = "allocating"
    take_number: int
    shot: str
    file: str | None = None
    sha256: str | None = None
    run_id: str
    node_id: str
    graph_hash: str | None = None
    tier: str
    project: str | None = None
    inputs: dict[str, Any] = Field(default_factory=dict)
    source: dict[str, Any] = Field(default_factory=dict)
    created: datetime = Field(default_factory=lambda: datetime.now(UTC))


def provenance_path(shot_dir: Path, coords: ShotCoords, take: int) -> Path:
    return shot_dir / f"{coords.stem(take)}{PROVENANCE_SUFFIX}"


def read_provenances(shot_dir: Path) -> list[Provenance]:
    """Every take's provenance in a shot folder, by take number."""
    found: list[Provenance] = []
    for path in shot_dir.glob(f"*{PROVENANCE_SUFFIX}") if shot_dir.is_dir() else []:
        if _PROVENANCE_RE.match(path.name) is None:
            continue
        try:
            found.append(Provenance.model_validate_json(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue  # a reservation being written right now; it is complete a moment later
    return sorted(found, key=lambda item: item.take_number)


def _write_atomic(path: Path, text: str) -> None:
    temp = path.with_name(f".take-{uuid.uuid4().hex}.tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def _reserve(shot_dir: Path, coords: ShotCoords, record: Provenance) -> Provenance:
    """Create the next free provenance file exclusively; that number is ours."""
    numbers = [int(m.group(1)) for p in shot_dir.iterdir() if (m := _PROVENANCE_RE.match(p.name))]
    take = max(numbers, default=0) + 1
    while True:
        path = provenance_path(shot_dir, coords, take)
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            take += 1
            continue
        reserved = record.model_copy(update={"take_number": take})
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(reserved.model_dump_json(indent=2))
        return reserved


def promote(source: Path, shot_dir: Path, coords: ShotCoords, record: Provenance, sha256: str) -> Provenance:
    """Copy `source` into the next take of the shot, or return the take this run already made.

    Idempotent per (run_id, node_id): a redelivered task finds its provenance and reuses it.
    """
    shot_dir.mkdir(parents=True, exist_ok=True)
    mine = [p for p in read_provenances(shot_dir) if (p.run_id, p.node_id) == (record.run_id, record.node_id)]
    if mine and mine[0].status == "complete" and mine[0].file and (shot_dir / mine[0].file).exists():
        return mine[0]
    reserved = mine[0] if mine else _reserve(shot_dir, coords, record)
    name = f"{coords.stem(reserved.take_number)}{source.suffix.lower()}"
    temp = shot_dir / f".take-{uuid.uuid4().hex}.tmp"
    shutil.copyfile(source, temp)
    os.replace(temp, shot_dir / name)  # the number is ours, so nothing else has this name
    done = reserved.model_copy(update={"status": "complete", "file": name, "sha256": sha256})
    _write_atomic(provenance_path(shot_dir, coords, done.take_number), done.model_dump_json(indent=2))
    return done
