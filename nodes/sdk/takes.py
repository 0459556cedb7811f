"""The take format, shared by the workspace and every pack that saves takes: deterministic names,
exclusive allocation, provenance beside the media, no byte-identical copies.

`03_Renders/Chapter_01/Scene_01/Shot_01/S01_S01_take01.png` with
`S01_S01_take01.provenance.json` beside it. The provenance file is created first with
O_CREAT|O_EXCL: whoever creates it owns that take number, so concurrent runs (threads,
processes, machines sharing the workspace) never get the same number or overwrite media.

Nodes do not call `promote` themselves: they save through `ctx.takes.save(...)` (see
`_take_service.py`), which fills in the provenance and announces the take.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from ._errors import AuteurError
from .atomic import atomic_publish, atomic_write_text, folder_locked, temp_path
from .layout import PROVENANCE_SUFFIX, RENDERS_DIR, SCENE_TAKES_DIR

__all__ = [
    "PROVENANCE_SUFFIX",
    "RENDERS_DIR",
    "Provenance",
    "SceneCoords",
    "ShotCoords",
    "TakeRun",
    "promote",
    "provenance_path",
    "read_provenances",
]

_SHOT_PATH_RE = re.compile(rf"^(?:{re.escape(RENDERS_DIR)}/)?Chapter_(\d+)/Scene_(\d+)/Shot_(\d+)/?$")
_PROVENANCE_RE = re.compile(r"^S\d+_S\d+_take(\d+)\.provenance\.json$")
_CHUNK = 1 << 20


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


@dataclass(frozen=True)
class SceneCoords(ShotCoords):
    """A scene's own take folder (its animatic): `Chapter_01/Scene_02/Animatic/S02_S00_take01.mp4`;
    `shot` is 0, the whole scene, so numbering and provenance work exactly as for a shot."""

    shot: int = 0

    def __post_init__(self) -> None:
        if min(self.chapter, self.scene) < 1:
            raise AuteurError("chapter and scene numbers start at 1", code="shot_invalid")

    @property
    def key(self) -> str:
        return f"Chapter_{self.chapter:02d}/Scene_{self.scene:02d}/{SCENE_TAKES_DIR}"


class TakeRun(BaseModel):
    """One run that produced a take's bytes."""

    run_id: str
    node_id: str
    graph_hash: str | None = None
    source: dict[str, Any] = Field(default_factory=dict)
    created: datetime = Field(default_factory=lambda: datetime.now(UTC))


class Provenance(BaseModel):
    """What made a take: the run, the graph, the tier and the node's inputs. `runs` lists every
    run that produced these exact bytes, the first one first (an unchanged rerun is recorded
    here instead of being copied into another take)."""

    schema_version: int = 1
    status: Literal["allocating", "complete"] = "allocating"
    take_number: int
    shot: str
    shot_id: str | None = Field(None, description="The stable id of the shot the take was made for, when known")
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
    runs: list[TakeRun] = Field(default_factory=list)

    @model_validator(mode="after")
    def _first_run_listed(self) -> Provenance:
        if not self.runs:  # a new record, or a file written before `runs` existed
            self.runs.append(self.as_run())
        return self

    def as_run(self) -> TakeRun:
        return TakeRun(run_id=self.run_id, node_id=self.node_id, graph_hash=self.graph_hash, source=self.source,
                       created=self.created)

    def made_by(self, run_id: str, node_id: str) -> bool:
        return any((run.run_id, run.node_id) == (run_id, node_id) for run in self.runs)


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


def _write(shot_dir: Path, coords: ShotCoords, record: Provenance) -> None:
    atomic_write_text(provenance_path(shot_dir, coords, record.take_number), record.model_dump_json(indent=2))


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


def _stage(source: Path | bytes, target: Path) -> tuple[Path, str]:
    """Copy the media beside its final name, hashing it on the way: (staged file, sha256)."""
    staged = temp_path(target)
    digest = hashlib.sha256()
    with staged.open("xb") as out:
        if isinstance(source, bytes):
            digest.update(source)
            out.write(source)
        else:
            with source.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
    return staged, digest.hexdigest()


def _newest(shot_dir: Path) -> Provenance | None:
    complete = [p for p in read_provenances(shot_dir) if p.status == "complete" and p.file]
    return complete[-1] if complete else None


def promote(source: Path | bytes, shot_dir: Path, coords: ShotCoords, record: Provenance,
            suffix: str) -> tuple[Provenance, bool]:
    """Store `source` as the next take of the shot: (its provenance, whether this run made it).

    Idempotent per (run_id, node_id): a redelivered task finds its provenance and reuses it.
    Bytes equal to the shot's newest take are not stored again: that take is returned, with
    this run added to its `runs`.
    """
    shot_dir.mkdir(parents=True, exist_ok=True)
    known = read_provenances(shot_dir)
    mine = [p for p in known if (p.run_id, p.node_id) == (record.run_id, record.node_id)]
    if mine and mine[0].status == "complete" and mine[0].file and (shot_dir / mine[0].file).exists():
        return mine[0], True
    reported = [p for p in known if p.status == "complete" and p.made_by(record.run_id, record.node_id)]
    if reported and (shot_dir / str(reported[0].file)).is_file():
        return reported[0], False
    staged, sha256 = _stage(source, shot_dir / f"{coords.stem(0)}{suffix}")
    try:
        with folder_locked(shot_dir):  # one save per shot at a time: two identical runs cannot both find their bytes new
            newest = _newest(shot_dir)
            if newest is not None and newest.sha256 == sha256 and (shot_dir / str(newest.file)).is_file():
                newest = newest.model_copy(update={"runs": [*newest.runs, record.as_run()]})
                _write(shot_dir, coords, newest)
                return newest, False
            reserved = mine[0] if mine else _reserve(shot_dir, coords, record)
            name = f"{coords.stem(reserved.take_number)}{suffix}"
            atomic_publish(staged, shot_dir / name)  # the number is ours, so nothing else has this name
            done = reserved.model_copy(update={"status": "complete", "file": name, "sha256": sha256})
            _write(shot_dir, coords, done)
            return done, True
    finally:
        staged.unlink(missing_ok=True)
