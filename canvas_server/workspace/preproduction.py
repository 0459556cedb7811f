"""Mirrors the pre-production files that nodes write into `project.json`: ingredients
(`01_Assets/**/*.ingredient.json`) into the manifest's `ingredients`, script breakdowns
(`02_Source_Creative/ShotLists/*.breakdown.json`) into `narrative.chapters`, where they replace a
new project's placeholder acts.

The workspace imports no node pack (docs/architecture.md §1): the file formats are the SDK's
(`nodes.sdk.preproduction`), the same models the production pack writes them with.

A breakdown replaces its chapter's scenes and shots, keyed by the breakdown's stable ids: a
shot whose id is unchanged keeps the director's edits, and in the same scene its number (so
its render folder and the order the director gave it) and its active take; new shots take the
free numbers. A chapter
records which breakdown file (and which version of it, by sha256) it was written from, so an
unchanged breakdown is not applied again and hand edits of the narrative survive later syncs.
Takes stay filed by coordinates (`Chapter_01/Scene_02/Shot_03`): the take mirror that runs
after this one attaches them to whatever shot holds those coordinates now.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from pydantic import ValidationError

from nodes.sdk import layout
from nodes.sdk.preproduction import Breakdown, Ingredient, keep_numbers, shot_id_at
from nodes.sdk.preproduction import Shot as BreakdownShot
from nodes.sdk.shot_list import EDITED_FIELDS

from .manifest import Chapter, IngredientEntry, ProjectManifest, Scene, Shot

log = logging.getLogger(__name__)



def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _project_path(media_path: str, root: Path, workspace: Path) -> str:
    """A MediaRef path (workspace-relative) as a project-relative path where it lies inside."""
    try:
        return (workspace / media_path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return media_path


def mirror_ingredients(root: Path, workspace: Path, manifest: ProjectManifest) -> None:
    """The manifest's `ingredients` become the ingredient files on disk, sorted by id."""
    entries: dict[str, IngredientEntry] = {}
    for path in sorted(root.glob(layout.INGREDIENTS_GLOB)):
        try:
            found = Ingredient.model_validate_json(path.read_bytes())
        except (OSError, ValidationError) as exc:
            log.warning("%s/%s is not an ingredient file, not mirrored: %s", root.name, _relative(path, root),
                        str(exc).splitlines()[0])
            continue
        entries[found.id] = IngredientEntry(
            id=found.id, kind=found.kind.value, name=found.name, description=found.description, traits=found.traits,
            reference_images=[_project_path(ref.path, root, workspace) for ref in found.reference_images],
            path=_relative(path, root),
        )
    manifest.ingredients = [entries[key] for key in sorted(entries)]


def _latest_per_chapter(root: Path) -> dict[int, tuple[Path, bytes, Breakdown]]:
    """For each chapter, the most recently written breakdown of it."""
    latest: dict[int, tuple[float, Path, bytes, Breakdown]] = {}
    for path in sorted((root / layout.SHOTLISTS_DIR).glob(f"*{layout.BREAKDOWN_SUFFIX}")):
        try:
            raw = path.read_bytes()
            found = Breakdown.model_validate_json(raw)
            mtime = path.stat().st_mtime
        except (OSError, ValidationError) as exc:
            log.warning("%s/%s is not a breakdown file, not mirrored: %s", root.name, _relative(path, root),
                        str(exc).splitlines()[0])
            continue
        current = latest.get(found.chapter)
        if current is None or mtime > current[0]:
            latest[found.chapter] = (mtime, path, raw, found)
    return {number: (path, raw, found) for number, (_, path, raw, found) in latest.items()}


def _chapter(manifest: ProjectManifest, number: int) -> Chapter:
    chapters = manifest.narrative.chapters
    chapter = next((c for c in chapters if c.number == number), None)
    if chapter is None:
        chapter = Chapter(number=number)
        chapters.append(chapter)
        chapters.sort(key=lambda c: c.number)
    return chapter


# What a director edits in the shot list (EDITED_FIELDS): kept across a re-breakdown while the shot's text is unchanged.


def _from_breakdown(shot: BreakdownShot) -> Shot:
    slots = {f"slot{index}": ingredient.id if ingredient else None for index, ingredient in enumerate(shot.slots, 1)}
    return Shot(number=shot.number, id=shot.id, description=shot.description, dialogue=shot.dialogue,
                duration=shot.duration, cast=shot.cast, **slots)


def apply_breakdown(chapter: Chapter, breakdown: Breakdown) -> None:
    """Replace the chapter's scenes and shots with the breakdown's. A shot's id is a digest of
    its text in the script, so a shot whose id was there before is unchanged in the script: it
    keeps the director's edits (EDITED_FIELDS), and in the same scene its number (`keep_numbers`:
    the folder its takes are in, the order the director gave it) and its active take."""
    before = {shot.id: (scene.number, shot) for scene in chapter.scenes for shot in scene.shots if shot.id}
    shots = {shot.id: shot for shot in breakdown.shots}
    scenes: list[Scene] = []
    for found in breakdown.scenes:
        ids = [shot_id for shot_id in found.shot_ids if shot_id in shots]
        in_scene = {shot_id: shot.number for shot_id, (number, shot) in before.items() if number == found.number}
        numbers = keep_numbers(in_scene, ids)
        entries: list[Shot] = []
        for shot_id in ids:
            entry = _from_breakdown(shots[shot_id]).model_copy(update={"number": numbers[shot_id]})
            scene_number, kept = before.get(shot_id, (None, None))
            if kept is not None:
                entry = entry.model_copy(update={field: getattr(kept, field) for field in EDITED_FIELDS})
                if scene_number == found.number:
                    entry.active_take = kept.active_take
            entries.append(entry)
        entries.sort(key=lambda entry: entry.number)
        scenes.append(Scene(
            number=found.number, id=found.id, title=found.slugline, slugline=found.slugline,
            location=found.location, time_of_day=found.time_of_day, cast=found.cast, shots=entries,
        ))
    chapter.scenes = scenes
    chapter.title = chapter.title or breakdown.title


def _untouched_shot(shot: Shot, chapter: int, scene: int) -> bool:
    return (shot.id in (None, shot_id_at(chapter, scene, shot.number)) and not shot.takes and shot.active_take is None
            and not any(getattr(shot, field) for field in EDITED_FIELDS))


def is_placeholder(chapter: Chapter) -> bool:
    """A chapter as a new project's structure made it (an act, a scene, a shot) that no one has
    worked in since: no breakdown, no script scene, no take, no edit."""
    return chapter.breakdown is None and all(
        scene.id is None and not scene.slugline and not scene.takes
        and all(_untouched_shot(shot, chapter.number, scene.number) for shot in scene.shots)
        for scene in chapter.scenes)


def mirror_breakdowns(root: Path, manifest: ProjectManifest) -> None:
    """Write each chapter's latest breakdown into the narrative, unless already written; a
    placeholder act a breakdown fills takes the screenplay's title."""
    for number, (path, raw, breakdown) in sorted(_latest_per_chapter(root).items()):
        chapter = _chapter(manifest, number)
        relative, sha = _relative(path, root), hashlib.sha256(raw).hexdigest()
        if chapter.breakdown == relative and chapter.breakdown_sha256 == sha:
            continue
        if is_placeholder(chapter):
            chapter.title = ""
        apply_breakdown(chapter, breakdown)
        chapter.breakdown, chapter.breakdown_sha256 = relative, sha


def drop_placeholder_acts(manifest: ProjectManifest) -> None:
    """Once a screenplay is broken down its scenes are the story: the structure's placeholder acts
    no one has worked in go (run after the take mirror, so an act holding a take stays)."""
    chapters = manifest.narrative.chapters
    if any(chapter.breakdown for chapter in chapters):
        manifest.narrative.chapters = [chapter for chapter in chapters if not is_placeholder(chapter)]
