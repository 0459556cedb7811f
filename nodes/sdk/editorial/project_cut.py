"""What a cut is made of, read from a project folder: the shots of a scope in story order (from
project.json), each with its takes and its chosen one (approved, else active, else latest) and
that take's review, and each scene's animatic when it has a soundtrack. The server's export and
conform and the editorial pack's export node all start here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic.alias_generators import to_camel

from .._errors import AuteurError
from ..layout import MANIFEST
from ..take_review import TakeReview, read_review
from ..takes import Provenance, SceneCoords, ShotCoords, read_provenances


class Scope(BaseModel):
    """What to cut: the whole project, one chapter, or one scene of a chapter."""

    chapter: int | None = Field(None, ge=1, le=9999)
    scene: int | None = Field(None, ge=1, le=9999, description="Needs chapter")

    @model_validator(mode="after")
    def _scene_in_a_chapter(self) -> Scope:
        if self.scene is not None and self.chapter is None:
            raise ValueError("a scene is numbered within its chapter: give the chapter too")
        return self


class _View(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class _Shot(_View):
    number: int
    id: str | None = None
    description: str = ""
    duration: float | None = None
    source_in: float | None = None
    omitted: bool = False
    active_take: int | None = None


class _Scene(_View):
    number: int
    shots: list[_Shot] = Field(default_factory=list)


class _Chapter(_View):
    number: int
    scenes: list[_Scene] = Field(default_factory=list)


class _Narrative(_View):
    chapters: list[_Chapter] = Field(default_factory=list)


class _Settings(_View):
    fps: float = Field(24.0, gt=0)


class _Manifest(_View):
    """The part of project.json a cut reads (the workspace owns and validates the whole)."""

    name: str
    narrative: _Narrative = Field(default_factory=_Narrative)
    settings: _Settings = Field(default_factory=_Settings)


@dataclass(frozen=True)
class CutTake:
    number: int
    path: str  # project-relative
    provenance: Provenance
    review: TakeReview


@dataclass(frozen=True)
class CutShot:
    coords: ShotCoords
    position: int  # 1-based place in its scene's list
    id: str | None
    description: str
    duration: float | None
    source_in: float | None
    omitted: bool
    takes: list[str]  # project-relative paths of its complete takes
    chosen: CutTake | None

    @property
    def clip_name(self) -> str:
        """The name a shot's clip has in an export (and by which a conform finds it again)."""
        return f"SC{self.coords.scene:02d}_SH{self.coords.shot:02d}"


@dataclass(frozen=True)
class CutScene:
    coords: SceneCoords
    shots: list[CutShot]
    animatic: str | None  # project-relative path of its latest animatic, when there is one


@dataclass(frozen=True)
class ProjectCut:
    name: str
    fps: float
    scenes: list[CutScene]

    def shots(self) -> list[CutShot]:
        return [shot for scene in self.scenes for shot in scene.shots]


def _chosen(root: Path, coords: ShotCoords, active: int | None) -> tuple[list[str], CutTake | None]:
    complete = [p for p in read_provenances(root / coords.folder) if p.status == "complete" and p.file]
    paths = [f"{coords.folder}/{p.file}" for p in complete]
    # The active take (approving a take makes it active), else the latest, as the gallery says.
    pick = next((p for p in complete if p.take_number == active), None) or max(
        complete, key=lambda p: p.take_number, default=None)
    if pick is None:
        return paths, None
    return paths, CutTake(pick.take_number, f"{coords.folder}/{pick.file}", pick,
                          read_review(root, coords, pick.take_number))


def _animatic(root: Path, coords: SceneCoords) -> str | None:
    complete = [p for p in read_provenances(root / coords.folder) if p.status == "complete" and p.file]
    latest = max(complete, key=lambda p: p.take_number, default=None)
    return f"{coords.folder}/{latest.file}" if latest is not None else None


def read_project_cut(root: Path, scope: Scope) -> ProjectCut:
    """The shots of `scope` in the project at `root`; 404-coded AuteurErrors for a missing
    chapter or scene."""
    try:
        manifest = _Manifest.model_validate(json.loads((root / MANIFEST).read_text(encoding="utf-8")))
    except (OSError, ValueError, ValidationError) as exc:
        raise AuteurError(f"{root.name}/{MANIFEST} cannot be read", code="manifest_invalid") from exc
    chapters = [c for c in manifest.narrative.chapters if scope.chapter in (None, c.number)]
    if scope.chapter is not None and not chapters:
        raise AuteurError(f"no chapter {scope.chapter!r}", code="chapter_not_found", details={"chapter": scope.chapter})
    scenes: list[CutScene] = []
    for chapter in chapters:
        for scene in chapter.scenes:
            if scope.scene not in (None, scene.number):
                continue
            shots = []
            for position, shot in enumerate(scene.shots, start=1):
                coords = ShotCoords(chapter.number, scene.number, shot.number)
                takes, chosen = _chosen(root, coords, shot.active_take)
                shots.append(CutShot(coords, position, shot.id, shot.description, shot.duration, shot.source_in,
                                     shot.omitted, takes, chosen))
            scene_coords = SceneCoords(chapter.number, scene.number)
            scenes.append(CutScene(scene_coords, shots, _animatic(root, scene_coords)))
    if scope.scene is not None and not scenes:
        raise AuteurError(f"no scene '{scope.chapter}/{scope.scene}'", code="scene_not_found",
                          details={"chapter": scope.chapter, "scene": scope.scene})
    return ProjectCut(manifest.name, manifest.settings.fps, scenes)
