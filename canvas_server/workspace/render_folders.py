"""A project's render folders (`03_Renders/Chapter_NN/Scene_NN/Shot_NN/`). A new project makes one
for each shot its structure plans, holding only `layout.PLACEHOLDER_FILE` so Git keeps it; once
that shot is gone (a breakdown dropped the placeholder act, a conform or a reorder renumbered the
scene) a folder that still holds nothing else goes too, so the tree shows the project as it is.
A folder holding anything else (a take, a note) is never removed here."""

from __future__ import annotations

import secrets
from pathlib import Path

from nodes.sdk import PathForbiddenError, PathSandbox, layout
from nodes.sdk.atomic import fsync_dir
from nodes.sdk.takes import ShotCoords

from .manifest import ProjectManifest


def _planned(manifest: ProjectManifest) -> set[str]:
    # A number below 1 (project.json does not refuse one) names no folder.
    return {ShotCoords(chapter.number, scene.number, shot.number).folder
            for chapter in manifest.narrative.chapters for scene in chapter.scenes for shot in scene.shots
            if min(chapter.number, scene.number, shot.number) >= 1}


def make_render_folders(root: Path, manifest: ProjectManifest) -> None:
    """A render folder for every planned shot, kept in Git by its placeholder file."""
    for folder in sorted(_planned(manifest)):
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / layout.PLACEHOLDER_FILE).touch()


def holds_nothing(folder: Path) -> bool:
    """Whether `folder` holds nothing but (at most) its placeholder file."""
    return all(entry.name == layout.PLACEHOLDER_FILE for entry in folder.iterdir())


def remove_if_unused(folder: Path) -> bool:
    """Remove `folder` if it holds nothing but its placeholder file. It disappears in one rename
    (to a hidden name), so no reader sees it half removed; a take written into it meanwhile
    keeps it (the rename back restores it). Whether it was removed."""
    if folder.is_symlink() or not folder.is_dir() or not holds_nothing(folder):
        return False
    parked = folder.with_name(f".removing-{secrets.token_hex(4)}")
    folder.rename(parked)
    (parked / layout.PLACEHOLDER_FILE).unlink(missing_ok=True)
    try:
        parked.rmdir()
    except OSError:  # something arrived between the check and the rename: it stays
        parked.rename(folder)
        return False
    fsync_dir(folder.parent)
    return True


def prune_render_folders(root: Path, manifest: ProjectManifest) -> None:
    """Remove the shot folders no shot of `manifest` names that hold nothing but a placeholder,
    then the scene and chapter folders they leave empty. Run under the project's edit lock."""
    sandbox = PathSandbox([root])
    renders = root / layout.RENDERS_DIR
    if not _inside(sandbox, renders):
        return
    planned = _planned(manifest)
    for folder in sorted(renders.glob("Chapter_*/Scene_*/Shot_*")):
        if folder.relative_to(root).as_posix() not in planned and _inside(sandbox, folder):
            remove_if_unused(folder)
    for parent in [*sorted(renders.glob("Chapter_*/Scene_*")), *sorted(renders.glob("Chapter_*"))]:
        if _inside(sandbox, parent) and not any(parent.iterdir()):
            try:
                parent.rmdir()
            except OSError:  # a take's folder arrived since (takes are not written under the edit lock)
                continue


def _inside(sandbox: PathSandbox, folder: Path) -> bool:
    """A real folder of the project (never one a symlink on the way leads outside)."""
    try:
        sandbox.contain(folder)
    except PathForbiddenError:
        return False
    return folder.is_dir() and not folder.is_symlink()
