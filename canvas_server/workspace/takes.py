"""The takes of a project's shots: gallery data, the active take, the manifest mirror."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from nodes.sdk import AuteurError, layout
from nodes.sdk.preproduction import shot_id_at
from nodes.sdk.takes import Provenance, SceneCoords, ShotCoords, read_provenances

from .errors import ItemNotFoundError
from .manifest import Chapter, ProjectManifest, Scene, Shot, TakeEntry
from .review import ShotStatus, TakeReview, read_review, shot_status
from .store import ProjectStore


class TakeInfo(BaseModel):
    """One take as the gallery shows it."""

    number: int
    path: str
    active: bool
    provenance: Provenance
    review: TakeReview = Field(default_factory=TakeReview, description="Status and notes, stored beside the take")

class SceneTakes(BaseModel):
    """A scene's own takes (its animatics): not a shot."""

    key: str = Field(description="Chapter_01/Scene_01/Animatic")
    chapter: int
    scene: int
    takes: list[TakeInfo]


class ShotTakes(BaseModel):
    shot: str
    chapter: int
    scene: int
    shot_number: int
    active_take: int | None
    status: ShotStatus = Field(description="approved once a take is; retake when its latest take needs one")
    takes: list[TakeInfo]


def _shot_dirs(root: Path) -> list[tuple[ShotCoords, Path]]:
    found = []
    for folder in sorted((root / layout.RENDERS_DIR).glob("Chapter_*/Scene_*/Shot_*")):
        try:
            coords = ShotCoords.parse(folder.relative_to(root).as_posix())
        except AuteurError:
            continue
        found.append((coords, folder))
    return found

def _active(manifest: ProjectManifest, coords: ShotCoords, numbers: list[int]) -> int | None:
    """The chosen take, else the latest one."""
    shot = manifest.narrative.shot(coords.chapter, coords.scene, coords.shot)
    if shot is not None and shot.active_take in numbers:
        return shot.active_take
    return max(numbers, default=None)

def shot_takes(root: Path, manifest: ProjectManifest, coords: ShotCoords) -> ShotTakes:
    complete = [p for p in read_provenances(root / coords.folder) if p.status == "complete"]
    active = _active(manifest, coords, [p.take_number for p in complete])
    takes = [
        TakeInfo(number=p.take_number, path=f"{coords.folder}/{p.file}", active=p.take_number == active, provenance=p,
                 review=read_review(root, coords, p.take_number))
        for p in complete
    ]
    return ShotTakes(
        shot=coords.key, chapter=coords.chapter, scene=coords.scene, shot_number=coords.shot,
        active_take=active, status=shot_status([take.review for take in takes]), takes=takes,
    )

def gallery(store: ProjectStore, name_or_id: str) -> list[ShotTakes]:
    """Every shot that has a render folder, with its takes (the takes gallery data)."""
    root = store.root(name_or_id)
    manifest = store.get(name_or_id)
    return [shot_takes(root, manifest, coords) for coords, _ in _shot_dirs(root)]

def scene_galleries(root: Path) -> list[SceneTakes]:
    """Every scene with takes of its own (the takes gallery's scene part)."""
    return [SceneTakes(key=SceneCoords(chapter, scene).key, chapter=chapter, scene=scene,
                       takes=scene_takes(root, chapter, scene))
            for chapter, scene, _ in scene_take_folders(root)]


def _manifest_scene(manifest: ProjectManifest, chapter_number: int, scene_number: int) -> Scene:
    """The scene entry, created (with its chapter) when a take made it first."""
    chapters = manifest.narrative.chapters
    chapter = next((c for c in chapters if c.number == chapter_number), None)
    if chapter is None:
        chapter = Chapter(number=chapter_number)
        chapters.append(chapter)
    scene = next((s for s in chapter.scenes if s.number == scene_number), None)
    if scene is None:
        scene = Scene(number=scene_number)
        chapter.scenes.append(scene)
    return scene


def manifest_shot(manifest: ProjectManifest, coords: ShotCoords) -> Shot:
    """The shot entry, created (with its chapter and scene) when a take made it first."""
    shot = manifest.narrative.shot(coords.chapter, coords.scene, coords.shot)
    if shot is not None:
        return shot
    scene = _manifest_scene(manifest, coords.chapter, coords.scene)
    shot = Shot(number=coords.shot)
    scene.shots.append(shot)
    return shot

def set_active(store: ProjectStore, name_or_id: str, coords: ShotCoords, take: int) -> ShotTakes:
    root = store.root(name_or_id)
    with store.editing(name_or_id) as manifest:
        numbers = [p.take_number for p in read_provenances(root / coords.folder) if p.status == "complete"]
        if take not in numbers:
            raise ItemNotFoundError("take", f"{coords.key} take {take}", {"shot": coords.key, "take": take})
        manifest_shot(manifest, coords).active_take = take
    return shot_takes(root, store.get(name_or_id), coords)

def _entries(root: Path, folder: str) -> list[TakeEntry]:
    """The complete takes of one render folder, as the manifest lists them."""
    return [
        TakeEntry(number=p.take_number, path=f"{folder}/{p.file}", run_id=p.run_id, created=p.created)
        for p in read_provenances(root / folder)
        if p.status == "complete"
    ]


def scene_take_folders(root: Path) -> list[tuple[int, int, str]]:
    """(chapter, scene, project-relative folder) of every scene that has its own takes folder."""
    found = []
    for folder in sorted((root / layout.RENDERS_DIR).glob(f"Chapter_*/Scene_*/{layout.SCENE_TAKES_DIR}")):
        chapter, scene = folder.parent.parent.name, folder.parent.name
        numbers = chapter.removeprefix("Chapter_"), scene.removeprefix("Scene_")
        if all(number.isdigit() and int(number) >= 1 for number in numbers):
            found.append((int(numbers[0]), int(numbers[1]), folder.relative_to(root).as_posix()))
    return found


def scene_takes(root: Path, chapter: int, scene: int) -> list[TakeInfo]:
    """The scene's own takes (its animatics), the latest one active."""
    folder = SceneCoords(chapter, scene).folder
    complete = [p for p in read_provenances(root / folder) if p.status == "complete"]
    latest = max((p.take_number for p in complete), default=None)
    return [TakeInfo(number=p.take_number, path=f"{folder}/{p.file}", active=p.take_number == latest, provenance=p)
            for p in complete]


def mirror_takes(root: Path, manifest: ProjectManifest) -> None:
    """Set each shot's and each scene's takes in `manifest` from its render folder (complete takes
    only). A shot that takes made (no breakdown named it, or a new project's placeholder) gets the
    stable id its first take was made for, else the id of its place, so later takes for another
    shot are refused there (`ctx.takes.target`)."""
    for coords, _ in _shot_dirs(root):
        entries = _entries(root, coords.folder)
        if entries:
            shot = manifest_shot(manifest, coords)
            shot.takes = entries
            placed = shot_id_at(coords.chapter, coords.scene, coords.shot)
            if shot.id is None or shot.id == placed:
                made_for = [p.shot_id for p in read_provenances(root / coords.folder) if p.shot_id]
                shot.id = made_for[0] if made_for else placed
    for chapter, scene, folder in scene_take_folders(root):
        entries = _entries(root, folder)
        if entries:
            _manifest_scene(manifest, chapter, scene).takes = entries


def sync_manifest(store: ProjectStore, name_or_id: str) -> ProjectManifest:
    """Mirror the takes on disk into project.json (the node never edits the manifest, so
    concurrent runs never contend for it)."""
    root = store.root(name_or_id)
    with store.editing(name_or_id) as manifest:
        mirror_takes(root, manifest)
    return store.get(name_or_id)
