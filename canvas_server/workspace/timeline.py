"""The story timeline (docs/architecture.md §12, story bible): events in `project.json`, created,
edited and removed through the one project.json owner (`store.editing`), always kept sorted by
their story time; listed by a time range, a participant and a type."""

from __future__ import annotations

import re
import uuid
from datetime import date as date_type

from pydantic import Field

from nodes.sdk import AuteurError
from nodes.sdk.takes import ShotCoords

from ..request_body import IsoDate, RequestBody
from .errors import ItemNotFoundError
from .manifest import ProjectManifest, StoryEvent
from .store import ProjectStore

_SCENE = re.compile(r"^Chapter_(\d{1,3})/Scene_(\d{1,3})$")
_LINKS = Field(None, max_length=200)


class EventFields(RequestBody):
    """An event's fields as a client sends them (unset: not part of this edit)."""

    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=4000)
    type: str | None = Field(None, min_length=1, max_length=40)
    date: IsoDate | None = None
    order: float | None = Field(None, ge=-1e12, le=1e12, allow_inf_nan=False)
    time_label: str | None = Field(None, max_length=100)
    participants: list[str] | None = Field(None, max_length=200)
    scenes: list[str] | None = _LINKS
    shots: list[str] | None = _LINKS


class TimelineError(AuteurError):
    code = "event_invalid"


def _check(manifest: ProjectManifest, event: StoryEvent) -> None:
    """An event names a time, and only ingredients, scenes and shots the project holds."""
    if (event.date is None) == (event.order is None):
        raise TimelineError("an event happens at a date or at an order key (one of them)",
                            details={"fields": ["date", "order"]})
    known = {ingredient.id for ingredient in manifest.ingredients}
    for participant in event.participants:
        if participant not in known:
            raise ItemNotFoundError("ingredient", participant)
    for scene in event.scenes:
        match = _SCENE.match(scene)
        found = match and any(chapter.number == int(match[1]) and any(sc.number == int(match[2]) for sc in chapter.scenes)
                              for chapter in manifest.narrative.chapters)
        if not found:
            raise ItemNotFoundError("scene", scene)
    for shot in event.shots:
        coords = ShotCoords.parse(shot)
        if manifest.narrative.shot(coords.chapter, coords.scene, coords.shot) is None:
            raise ItemNotFoundError("shot", shot)


def _sort(manifest: ProjectManifest) -> None:
    manifest.timeline.sort(key=lambda event: (event.when, event.title, event.id))


def _apply(event: StoryEvent, fields: EventFields) -> StoryEvent:
    changes = {name: getattr(fields, name) for name in fields.model_fields_set}
    for name in ("description", "time_label"):
        if name in changes and changes[name] is None:
            changes[name] = ""
    for name in ("participants", "scenes", "shots"):
        if name in changes and changes[name] is None:
            changes[name] = []
    if changes.get("title") is None:
        changes.pop("title", None)
    if changes.get("type") is None:
        changes.pop("type", None)
    return StoryEvent.model_validate({**event.model_dump(), **changes})


def create_event(store: ProjectStore, project: str, fields: EventFields) -> StoryEvent:
    if fields.title is None:
        raise TimelineError("an event needs a title", details={"fields": ["title"]})
    with store.editing(project) as manifest:
        event = _apply(StoryEvent(id=uuid.uuid4().hex[:12], title=fields.title), fields)
        _check(manifest, event)
        manifest.timeline.append(event)
        _sort(manifest)
    return event


def edit_event(store: ProjectStore, project: str, event_id: str, fields: EventFields) -> StoryEvent:
    with store.editing(project) as manifest:
        index = _index(manifest, event_id)
        event = _apply(manifest.timeline[index], fields)
        _check(manifest, event)
        manifest.timeline[index] = event
        _sort(manifest)
    return event


def delete_event(store: ProjectStore, project: str, event_id: str) -> None:
    with store.editing(project) as manifest:
        del manifest.timeline[_index(manifest, event_id)]


def _index(manifest: ProjectManifest, event_id: str) -> int:
    for index, event in enumerate(manifest.timeline):
        if event.id == event_id:
            return index
    raise ItemNotFoundError("event", event_id)


def story_time(text: str) -> float:
    """A range bound as the sort key compares it: an ISO date (its day number) or a number."""
    try:
        return float(date_type.fromisoformat(text).toordinal())
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        raise TimelineError(f"{text!r} is neither a date (YYYY-MM-DD) nor a number",
                            code="query_invalid", details={"value": text}) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise TimelineError(f"{text!r} is not a finite number", code="query_invalid", details={"value": text})
    return value


def events(manifest: ProjectManifest, *, start: str | None = None, end: str | None = None,
           participant: str | None = None, kind: str | None = None) -> list[StoryEvent]:
    """The timeline in story order, within [start, end], with a participant, of a type."""
    low = story_time(start) if start else None
    high = story_time(end) if end else None
    return [event for event in sorted(manifest.timeline, key=lambda e: (e.when, e.title, e.id))
            if (low is None or event.when >= low) and (high is None or event.when <= high)
            and (participant is None or participant in event.participants) and (kind is None or event.type == kind)]
