"""Takes API: the gallery per shot and the active take."""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from nodes.sdk import EventType
from nodes.sdk.takes import ShotCoords

from ...request_body import RequestBody
from ...workspace import review
from ...workspace import takes as take_service
from ...workspace.review import TakeStatus
from ...workspace.store import ProjectStore
from ...workspace.takes import SceneTakes, ShotTakes
from ..access import Caller
from ..services import AppServices
from .projects import Services, Store

router = APIRouter(prefix="/api/projects/{project}/takes", tags=["takes"])


class ActiveTake(RequestBody):
    shot: str = Field(description="Chapter_01/Scene_01/Shot_01")
    take: int = Field(ge=1)


class TakeGallery(BaseModel):
    shots: list[ShotTakes]
    scenes: list[SceneTakes] = Field(default_factory=list, description="Takes of whole scenes (animatics)")


@router.get("")
def list_takes(project: str, store: Store) -> TakeGallery:
    """Every shot with render folders, its takes (with provenance) and its active take; and the
    scenes' own takes (animatics), which are not shots."""
    return TakeGallery(shots=take_service.gallery(store, project),
                       scenes=take_service.scene_galleries(store.root(project)))


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


class TakeStatusChange(RequestBody):
    shot: str = Field(description="Chapter_01/Scene_01/Shot_01")
    take: int = Field(ge=1)
    status: TakeStatus = Field(description="approved also makes the take the shot's active take")


class NewTakeNote(RequestBody):
    shot: str = Field(description="Chapter_01/Scene_01/Shot_01")
    take: int = Field(ge=1)
    seconds: float = Field(ge=0, le=86_400, description="Where in the take (seconds from its start)")
    frame: int | None = Field(None, ge=0, le=10_000_000)
    text: str = Field(min_length=1, max_length=4000)


def _reviewed(store: ProjectStore, services: AppServices, project: str, coords: ShotCoords, reason: str) -> ShotTakes:
    """The shot as the gallery shows it now, announced to the project's clients."""
    manifest = store.get(project)
    shot = take_service.shot_takes(store.root(project), manifest, coords)
    services.events.publish(EventType.PROJECT_UPDATE, {"reason": reason, "shot": shot.shot, "take": shot.active_take},
                            project=manifest.name)
    return shot


@router.put("/status")
def set_take_status(project: str, request: TakeStatusChange, store: Store, services: Services) -> ShotTakes:
    """A take's review status (pending, approved, retake), stored beside the take."""
    coords = ShotCoords.parse(request.shot)
    review.set_status(store, project, coords, request.take, request.status)
    return _reviewed(store, services, project, coords, "take_reviewed")


@router.post("/notes", status_code=201)
def add_take_note(project: str, request: NewTakeNote, store: Store, services: Services, principal: Caller) -> ShotTakes:
    """A note on a take at a timecode (and frame), stored beside the take."""
    coords = ShotCoords.parse(request.shot)
    review.add_note(store, project, coords, request.take, seconds=request.seconds, frame=request.frame,
                    text=request.text, author=principal.name)
    return _reviewed(store, services, project, coords, "take_noted")


@router.delete("/notes")
def delete_take_note(
    project: str,
    store: Store,
    services: Services,
    shot: str = Query(description="Chapter_01/Scene_01/Shot_01"),
    take: int = Query(ge=1),
    note: str = Query(min_length=1, max_length=64),
) -> ShotTakes:
    coords = ShotCoords.parse(shot)
    review.delete_note(store, project, coords, take, note)
    return _reviewed(store, services, project, coords, "take_noted")
