"""The story timeline as an agent reads it: the events of the run's project (`project.json`'s
`timeline`, kept sorted by the server; only read here) in story order, their participants by
name, as prompt text — and a check that needs no model: content set at a point of the story that
names an event still to come, or brings on a character a `death` event has already taken (the
participants of a `death` event are the ones who die)."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import date as date_type
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from nodes.sdk import Input, NodeExecutionError, RunContext, layout

from .rules import RuleViolation, sentences

MAX_EVENTS = 24  # the prompt of a small model stays short: the events nearest the story's point
DESCRIPTION_CHARS = 140
DEATH_TYPES = frozenset({"death"})
# A sentence that remembers the dead does not bring them on.
_REMEMBERING = re.compile(r"\b(remember\w*|memor\w*|mourn\w*|grave|tomb|ghost|late|dead|death|died|funeral|"
                          r"buried|burial|grief|grieve\w*)\b", re.IGNORECASE)
_ARTICLE = re.compile(r"^(the|a|an)\s+", re.IGNORECASE)


def at_input(what: str) -> Any:
    """The `at` input of an agent that reads the timeline: where `what` stands in story time."""
    return Input("", pattern=r"^[^\n]{0,200}$", description=f"When {what} happens: a date, an order key or an "
                 "event's title (empty: after every event of the project's timeline)")


class _StoredEvent(BaseModel):
    """An event as project.json spells it (camelCase); what an agent does not read is ignored."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    title: str = Field(min_length=1)
    description: str = ""
    type: str = "event"
    date: date_type | None = None
    order: float | None = None
    time_label: str = ""
    participants: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class StoryEvent:
    title: str
    type: str
    when: float
    label: str
    description: str
    participants: tuple[str, ...]  # names

    @property
    def is_death(self) -> bool:
        return self.type.strip().lower() in DEATH_TYPES


def project_timeline(ctx: RunContext) -> list[StoryEvent]:
    """The run's project's events in story order; none outside a project."""
    if ctx.project_root is None:
        return []
    try:
        data = json.loads((ctx.project_root / layout.MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(data, dict):
        return []
    names = {str(item.get("id")): str(item.get("name")) for item in data.get("ingredients") or []
             if isinstance(item, dict) and item.get("id") and item.get("name")}
    found = []
    for raw in data.get("timeline") or []:
        try:
            stored = _StoredEvent.model_validate(raw)
        except ValidationError:
            continue  # the server validates what it stores; a hand-edited event is skipped, not fatal
        when = float(stored.date.toordinal()) if stored.date else float(stored.order or 0.0)
        label = stored.time_label or (stored.date.isoformat() if stored.date else f"order {stored.order or 0:g}")
        found.append(StoryEvent(stored.title, stored.type, when, label, stored.description,
                                tuple(names.get(p, p) for p in stored.participants)))
    return sorted(found, key=lambda event: (event.when, event.title))


@dataclass(frozen=True)
class StoryPoint:
    """When content happens: a sort key on the timeline, or the story's present (after every event)."""

    when: float
    label: str


PRESENT = StoryPoint(math.inf, "after the last event of the timeline")


def story_point(text: str, events: list[StoryEvent]) -> StoryPoint:
    """`at` as written: empty (the present), a date, an order key, or an event's title."""
    value = text.strip()
    if not value:
        return PRESENT
    for event in events:
        if event.title.lower() == value.lower():
            return StoryPoint(event.when, f"{event.title} ({event.label})")
    try:
        return StoryPoint(float(date_type.fromisoformat(value).toordinal()), value)
    except ValueError:
        pass
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise NodeExecutionError(f"`at` is {value!r}: a date (YYYY-MM-DD), an order key or an event's title",
                                 code="story_time_invalid", details={"at": value})
    return StoryPoint(number, f"order {number:g}")


def timeline_text(events: list[StoryEvent], at: StoryPoint = PRESENT) -> str:
    """The events in story order as prompt text, with where the content stands among them."""
    if not events:
        return ""
    shown = events if len(events) <= MAX_EVENTS else _nearest(events, at)
    lines = []
    for number, event in enumerate(shown, 1):
        who = f"; with {', '.join(event.participants)}" if event.participants else ""
        about = f": {event.description[:DESCRIPTION_CHARS]}" if event.description else ""
        lines.append(f"{number}. {event.label}: {event.title} ({event.type}{who}){about}")
    where = ("The content happens after every event above." if at is PRESENT else
             f"The content happens at {at.label}: later events have not happened yet.")
    return "Story timeline, in order:\n" + "\n".join(lines) + "\n" + where


def _nearest(events: list[StoryEvent], at: StoryPoint) -> list[StoryEvent]:
    before = [event for event in events if event.when <= at.when]
    after = [event for event in events if event.when > at.when]
    keep_after = min(len(after), MAX_EVENTS // 4)
    return [*before[-(MAX_EVENTS - keep_after):], *after[:keep_after]]


def check_timeline(text: str, events: list[StoryEvent], at: StoryPoint = PRESENT) -> list[RuleViolation]:
    """Each sentence that names an event still to come at `at`, or a character already dead there."""
    found: list[RuleViolation] = []
    for event in events:
        if event.when > at.when:
            title = re.escape(_ARTICLE.sub("", event.title.strip()))
            pattern = re.compile(rf"\b{title}\b", re.IGNORECASE)
            found += [RuleViolation(f"timeline: {event.title} ({event.label})", sentence,
                                    f"“{event.title}” happens at {event.label}, after this point of the story "
                                    f"({at.label})")
                      for sentence in sentences(text) if pattern.search(sentence)]
        elif event.is_death and event.when < at.when:
            for name in event.participants:
                pattern = re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE)
                found += [RuleViolation(f"timeline: {event.title} ({event.label})", sentence,
                                        f"{name} died in “{event.title}” ({event.label}), before this point "
                                        f"of the story ({at.label})")
                          for sentence in sentences(text) if pattern.search(sentence)
                          and not _REMEMBERING.search(sentence)]
    return found
