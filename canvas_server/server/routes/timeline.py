"""The story timeline API (docs/architecture.md §12): the project's story events, always in story
order, filtered by a time range (dates or order keys), a participant and a type; create, edit and
delete one. Reads need the project's viewer role, changes its creator role (`project_guard`)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel

from nodes.sdk import EventType

from ...workspace import timeline
from ...workspace.manifest import StoryEvent
from ...workspace.timeline import EventFields
from .projects import Services, Store

router = APIRouter(prefix="/api/projects/{project}/timeline", tags=["timeline"])


class Timeline(BaseModel):
    events: list[StoryEvent]


def _changed(services: Services, store: Store, project: str, what: str, event_id: str) -> None:
    services.events.publish(EventType.PROJECT_UPDATE, {"reason": what, "event": event_id},
                            project=store.get(project).name)


@router.get("")
def list_events(
    project: str, store: Store,
    start: str | None = Query(None, max_length=40, alias="from", description="From this time: YYYY-MM-DD or a number"),
    end: str | None = Query(None, max_length=40, alias="to", description="Up to this time (inclusive)"),
    participant: str | None = Query(None, max_length=200, description="An ingredient id taking part"),
    type: str | None = Query(None, max_length=40, description="Only events of this type"),
) -> Timeline:
    """The story events in story order (a date's day, else the order key)."""
    return Timeline(events=timeline.events(store.get(project), start=start, end=end, participant=participant,
                                           kind=type))


@router.post("", status_code=status.HTTP_201_CREATED)
def create_event(project: str, body: EventFields, store: Store, services: Services) -> StoryEvent:
    """A new event: a title and a date or an order key; participants are the project's ingredients."""
    event = timeline.create_event(store, project, body)
    _changed(services, store, project, "timeline_event_created", event.id)
    return event


@router.patch("/{event_id}")
def edit_event(project: str, event_id: str, body: EventFields, store: Store, services: Services) -> StoryEvent:
    """Change the fields sent (a drag on the timeline sends the new date or order)."""
    event = timeline.edit_event(store, project, event_id, body)
    _changed(services, store, project, "timeline_event_edited", event.id)
    return event


@router.delete("/{event_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_event(project: str, event_id: str, store: Store, services: Services) -> Response:
    timeline.delete_event(store, project, event_id)
    _changed(services, store, project, "timeline_event_deleted", event_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
