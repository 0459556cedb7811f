"""Reordering a scene's shots. A shot's number is its place in the scene and the name of its
render folder (`Shot_03`), so a reorder in the shot list, like a conform that changes a scene's
order (`workspace/conform.py`), renumbers the shots 1…n in the new order and moves each moved
shot's takes with it (folder, file names, provenance): every take stays the
take of the shot it was made for, and the numbers stay consistent everywhere (tree, gallery,
storyboard, exports). It runs under the project's edit lock, with project.json, in one step."""

from __future__ import annotations

import secrets
from pathlib import Path

from nodes.sdk import PathSandbox, atomic_publish, atomic_write_text, layout
from nodes.sdk.atomic import fsync_dir
from nodes.sdk.takes import Provenance, ShotCoords

from .errors import ItemNotFoundError
from .manifest import Scene
from .render_folders import holds_nothing, prune_render_folders, remove_if_unused
from .shots import ShotConflictError
from .store import ProjectStore
from .takes import mirror_takes


class ShotFolderTakenError(ShotConflictError):
    code = "shot_folder_taken"


def _retitle(folder: Path, coords: ShotCoords, old: int) -> None:
    """Rename a moved folder's take files from the old shot's stem to the new one's and point
    their provenance at the new place."""
    before = ShotCoords(coords.chapter, coords.scene, old).stem(0).removesuffix("_take00")  # "S01_S02"
    after = coords.stem(0).removesuffix("_take00")
    for path in sorted(folder.iterdir()):
        if not path.name.startswith(f"{before}_take"):
            continue
        target = folder / f"{after}{path.name.removeprefix(before)}"
        atomic_publish(path, target)
        if target.name.endswith(layout.PROVENANCE_SUFFIX) and not target.is_symlink():
            try:
                record = Provenance.model_validate_json(target.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # not a provenance file the take service wrote: moved as it is
            moved = record.model_copy(update={"shot": coords.key,
                                              "file": f"{after}{str(record.file).removeprefix(before)}" if record.file else None})
            atomic_write_text(target, moved.model_dump_json(indent=2))


def _move_folders(root: Path, chapter: int, scene: int, moves: dict[int, int]) -> None:
    """Move render folders Shot_old → Shot_new (a permutation among them), through hidden names so
    that no two shots ever share a folder name."""
    sandbox = PathSandbox([root])

    def folder(number: int) -> Path:
        # A symlinked render folder (a Git checkout can make one) never takes a move or a rename outside.
        return sandbox.contain(root / ShotCoords(chapter, scene, number).folder)

    moving = {old: new for old, new in moves.items() if old != new and folder(old).is_dir()}
    for new in moving.values():
        if folder(new).is_dir() and new not in moving and not holds_nothing(folder(new)):
            raise ShotFolderTakenError(
                f"{ShotCoords(chapter, scene, new).key} already holds renders of no shot in this scene; "
                "move them away first", details={"shot": ShotCoords(chapter, scene, new).key})
    token = secrets.token_hex(4)
    parked = {}
    for old in moving:
        parked[old] = folder(old).with_name(f".moving-{token}-{old:02d}")
        folder(old).rename(parked[old])
    for old, new in moving.items():
        target = folder(new)
        remove_if_unused(target)  # a placeholder folder of no shot
        parked[old].rename(target)
        _retitle(target, ShotCoords(chapter, scene, new), old)
    if moving:
        fsync_dir(folder(1).parent)


def renumber(root: Path, chapter: int, scene: Scene) -> None:
    """Number the scene's shots 1…n in their list order, moving each renumbered shot's takes with
    it. The one numbering rule for a reorder and a conform: a shot's number is its place."""
    moves = {shot.number: new for new, shot in enumerate(scene.shots, start=1)}
    if len(moves) != len(scene.shots):
        raise ShotConflictError("two shots of the scene share a number; reload the shot list",
                                details={"scene": f"Chapter_{chapter:02d}/Scene_{scene.number:02d}"})
    if all(old == new for old, new in moves.items()):
        return
    _move_folders(root, chapter, scene.number, moves)
    scene.shots = [shot.model_copy(update={"number": moves[shot.number]}) for shot in scene.shots]


def reorder_shots(store: ProjectStore, name_or_id: str, chapter: int, scene: int, order: list[int]) -> Scene:
    """Put the scene's shots in `order` (their current numbers, each once) and number them 1…n."""
    root = store.root(name_or_id)
    with store.editing(name_or_id) as manifest:
        entry = next((s for c in manifest.narrative.chapters if c.number == chapter for s in c.scenes
                      if s.number == scene), None)
        if entry is None:
            raise ItemNotFoundError("scene", f"Chapter_{chapter:02d}/Scene_{scene:02d}")
        current = [shot.number for shot in entry.shots]
        if sorted(order) != sorted(current) or len(set(order)) != len(order):
            raise ShotConflictError(
                "the scene's shots changed meanwhile; reload the shot list and move the shot again",
                details={"current": current, "order": order})
        by_number = {shot.number: shot for shot in entry.shots}
        entry.shots = [by_number[old] for old in order]
        renumber(root, chapter, entry)
        mirror_takes(root, manifest)
        prune_render_folders(root, manifest)
        reordered = entry.model_copy(deep=True)
    return reordered
