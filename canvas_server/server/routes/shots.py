"""Shot list API: edit a shot's fields in project.json, refused when they changed meanwhile."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import Field

from nodes.sdk import EventType
from nodes.sdk.takes import ShotCoords

from ...request_body import RequestBody
from ...workspace import shots
from ...workspace.manifest import Scene, Shot
from ...workspace.shot_order import reorder_shots
from ...workspace.shots import ShotFields
from ..openapi import ErrorBody
from .projects import Services, Store

router = APIRouter(prefix="/api/projects/{project}/shots", tags=["shots"])


class ShotEdit(RequestBody):
    shot: str = Field(description="Chapter_01/Scene_01/Shot_01")
    base: ShotFields = Field(description="What the editor last saw of each field it changes")
    changes: ShotFields = Field(description="The new values (only the fields set are changed)")


@router.patch("", responses={409: {"model": ErrorBody, "description": "A field changed meanwhile (`shot_changed`, with the current values)"}})
def edit_shot(project: str, request: ShotEdit, store: Store, services: Services) -> Shot:
    coords = ShotCoords.parse(request.shot)
    shot = shots.edit_shot(store, project, coords, request.base, request.changes)
    services.events.publish(EventType.PROJECT_UPDATE, {"reason": "shot_edited", "shot": coords.key},
                            project=store.get(project).name)
    return shot


class ShotOrder(RequestBody):
    chapter: int = Field(ge=1, le=999)
    scene: int = Field(ge=1, le=999)
    order: list[int] = Field(min_length=1, max_length=999,
                             description="The scene's shot numbers as they are now, in their new order")


@router.put("/order", responses={409: {"model": ErrorBody, "description": "The scene's shots changed meanwhile"}})
def reorder(project: str, request: ShotOrder, store: Store, services: Services) -> Scene:
    """Reorder a scene's shots: they are numbered 1…n in the new order and their takes move with them."""
    scene = reorder_shots(store, project, request.chapter, request.scene, request.order)
    services.events.publish(EventType.PROJECT_UPDATE, {"reason": "shots_reordered",
                                                       "scene": f"{request.chapter}/{request.scene}"},
                            project=store.get(project).name)
    return scene
