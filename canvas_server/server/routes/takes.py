"""Takes API: the gallery per shot and the active take."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from nodes.sdk import EventType
from nodes.sdk.takes import ShotCoords

from ...workspace import takes as take_service
from ...workspace.takes import ShotTakes
from .projects import Services, Store

router = APIRouter(prefix="/api/projects/{project}/takes", tags=["takes"])


class ActiveTake(BaseModel):
    shot: str = Field(description="Chapter_01/Scene_01/Shot_01")
    take: int = Field(ge=1)


class TakeGallery(BaseModel):
    shots: list[ShotTakes]


@router.get("")
def list_takes(project: str, store: Store) -> TakeGallery:
    """Every shot with render folders, its takes (with provenance) and its active take."""
    return TakeGallery(shots=take_service.gallery(store, project))


@router.put("/active")
def set_active_take(
    project: str,
    request: ActiveTake,
    store: Store,
    services: Services,
) -> ShotTakes:
    shot = take_service.set_active(store, project, ShotCoords.parse(request.shot), request.take)
    services.events.publish(
        EventType.PROJECT_UPDATE, {"reason": "active_take", "shot": shot.shot, "take": shot.active_take},
        project=store.get(project).name,
    )
    return shot
