"""The project browser's hierarchy: chapters → scenes → shots → takes, plus asset folders."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from nodes.sdk import layout
from nodes.sdk.takes import ShotCoords

from .store import ProjectStore
from .takes import scene_takes, shot_takes

NodeKind = Literal["project", "chapter", "scene", "shot", "take", "folder"]


class TreeNode(BaseModel):
    kind: NodeKind
    title: str
    path: str | None = None
    number: int | None = None
    active: bool = False
    children: list[TreeNode] = Field(default_factory=list)


def project_tree(store: ProjectStore, name_or_id: str) -> TreeNode:
    root = store.root(name_or_id)
    manifest = store.get(name_or_id)
    chapters: list[TreeNode] = []
    for chapter in manifest.narrative.chapters:
        scenes: list[TreeNode] = []
        for scene in chapter.scenes:
            shots: list[TreeNode] = []
            for shot in scene.shots:
                coords = ShotCoords(chapter.number, scene.number, shot.number)
                takes = [
                    TreeNode(kind="take", title=f"Take {t.number:02d}", path=t.path, number=t.number, active=t.active)
                    for t in shot_takes(root, manifest, coords).takes
                ]
                title = shot.description or f"Shot {shot.number}"
                shots.append(TreeNode(kind="shot", title=title, path=coords.folder, number=shot.number, children=takes))
            animatics = [
                TreeNode(kind="take", title=f"{layout.SCENE_TAKES_DIR} take {t.number:02d}", path=t.path, number=t.number,
                         active=t.active)
                for t in scene_takes(root, chapter.number, scene.number)
            ]
            scenes.append(TreeNode(kind="scene", title=scene.title or f"Scene {scene.number}", number=scene.number,
                                   children=[*shots, *animatics]))
        chapters.append(TreeNode(kind="chapter", title=chapter.title or f"Chapter {chapter.number}", number=chapter.number, children=scenes))
    assets = TreeNode(
        kind="folder", title="Assets", path=layout.ASSETS_DIR,
        children=[TreeNode(kind="folder", title=name, path=f"{layout.ASSETS_DIR}/{name}") for name in layout.ASSET_CATEGORIES],
    )
    return TreeNode(kind="project", title=manifest.name, path="", children=[*chapters, assets])
