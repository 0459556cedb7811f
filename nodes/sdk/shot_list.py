"""The shot list as the director saved it in `project.json`, for nodes to read (never to write: only
the workspace writes project.json, docs/architecture.md §12).

A breakdown's shots are what the script says; what the director set in the shot list (text,
duration, cast, the three ingredient slots, and the shot's number: the order given it) is the
project's. `saved_version` gives a shot the project's values, found by its stable id, so the shot
list is the one source of a shot's edits for every node downstream. `shot_list_digest` is what the
engine adds to the cache key of a node declared `@node(..., reads_shot_list=True)`: an edit of the
shot list changes the key, so an edited slot never serves a stale cached result.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ._errors import AuteurError, NodeExecutionError
from .layout import INGREDIENT_SUFFIX, MANIFEST
from .preproduction import Ingredient, Shot
from .takes import ShotCoords

# What a director edits in the shot list (project.json keys, as the workspace writes them).
EDITED_FIELDS = ("description", "dialogue", "duration", "cast", "slot1", "slot2", "slot3")
SLOT_FIELDS = ("slot1", "slot2", "slot3")


def _manifest(root: Path) -> dict[str, Any]:
    try:
        data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def manifest_shots(root: Path | None) -> Iterator[tuple[ShotCoords, dict[str, Any]]]:
    """Every shot entry of project.json with its coordinates; none outside a project or when the
    manifest cannot be read."""
    if root is None:
        return
    try:
        for chapter in (_manifest(root).get("narrative") or {}).get("chapters") or []:
            for scene in chapter.get("scenes") or []:
                for shot in scene.get("shots") or []:
                    yield ShotCoords(int(chapter["number"]), int(scene["number"]), int(shot["number"])), shot
    except (ValueError, KeyError, TypeError, AttributeError, AuteurError):
        return


@dataclass(frozen=True)
class SavedShot:
    """One shot of the project's shot list: where it is and what the director set."""

    coords: ShotCoords
    fields: dict[str, Any]


def saved_shots(root: Path | None) -> dict[str, SavedShot]:
    """The project's shots that have a stable id, by id."""
    return {str(shot["id"]): SavedShot(coords, {field: shot.get(field) for field in EDITED_FIELDS})
            for coords, shot in manifest_shots(root) if shot.get("id")}


def ingredient_files(root: Path) -> dict[str, Path]:
    """The project's ingredient files by ingredient id, as project.json lists them; only files
    inside the project named like an ingredient file (project.json is not trusted to point
    elsewhere)."""
    inside = root.resolve()
    found: dict[str, Path] = {}
    for entry in _manifest(root).get("ingredients") or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not isinstance(entry.get("path"), str):
            continue
        path = (root / entry["path"]).resolve()
        if path.name.endswith(INGREDIENT_SUFFIX) and path.is_relative_to(inside):
            found[entry["id"]] = path
    return found


def _file_sha(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def shot_list_digest(root: Path | None) -> str:
    """sha256 of the shot list a node reads: each shot's id, place and edited fields, and the
    content of every ingredient file a slot names. Takes, reviews and anything else in
    project.json are left out, so a new take never changes it."""
    shots = saved_shots(root)
    if root is None or not shots:
        return ""
    files = ingredient_files(root)
    slotted = sorted({value for saved in shots.values() for field in SLOT_FIELDS
                      if isinstance(value := saved.fields.get(field), str)})
    described = {
        "shots": [[shot_id, saved.coords.key, saved.fields] for shot_id, saved in sorted(shots.items())],
        "ingredients": [[ingredient, _file_sha(files[ingredient]) if ingredient in files else "missing"]
                        for ingredient in slotted],
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True, default=str).encode()).hexdigest()


def _ingredient(root: Path, files: dict[str, Path], ingredient_id: str, shot_id: str) -> Ingredient:
    path = files.get(ingredient_id)
    try:
        if path is None:
            raise FileNotFoundError(ingredient_id)
        return Ingredient.model_validate_json(path.read_bytes())
    except (OSError, ValidationError) as exc:
        raise NodeExecutionError(
            f"shot {shot_id}: the shot list puts ingredient {ingredient_id!r} in a slot, but the project has "
            "no readable ingredient file for it; choose another ingredient in the shot list",
            code="ingredient_not_found", details={"shot": shot_id, "ingredient": ingredient_id}) from exc


def saved_version(shots: list[Shot], root: Path | None) -> list[Shot]:
    """Each shot as the project's shot list has it (found by stable id): its text, duration,
    cast, slots and place; a shot the project does not hold (yet) is returned as it is. A slot
    keeps the ingredient the shot came with when the shot list names the same one."""
    saved = saved_shots(root)
    if root is None or not saved:
        return shots
    files = ingredient_files(root)
    return [_apply(shot, saved[shot.id], root, files) if shot.id in saved else shot for shot in shots]


def _apply(shot: Shot, saved: SavedShot, root: Path, files: dict[str, Path]) -> Shot:
    values = shot.model_dump()
    fields = saved.fields
    for field in ("description", "dialogue"):
        if isinstance(fields.get(field), str):
            values[field] = fields[field]
    if isinstance(fields.get("duration"), (int, float)):
        values["duration"] = fields["duration"]
    if isinstance(fields.get("cast"), list):
        values["cast"] = [str(name) for name in fields["cast"]]
    for field, came_with in zip(SLOT_FIELDS, shot.slots, strict=True):
        wanted = fields.get(field)
        if not isinstance(wanted, str):
            values[field] = None
        elif came_with is None or came_with.id != wanted:
            values[field] = _ingredient(root, files, wanted, shot.id)
        else:
            values[field] = came_with
    values.update(chapter=saved.coords.chapter, scene=saved.coords.scene, number=saved.coords.shot)
    try:
        return Shot.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise NodeExecutionError(f"shot {shot.id}: the shot list's values are not a valid shot ({problems})",
                                 code="value_invalid", details={"shot": shot.id}) from exc
