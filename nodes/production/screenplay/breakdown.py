"""From parsed scenes to a `Breakdown`: sluglines split, shots cut, durations estimated,
elements tagged, ids kept stable.

Shots: every action paragraph is a shot; dialogue goes with the shot it follows (its lines
are the shot's audio, a parenthetical is part of its action); dialogue with no action before
it in the scene gets a shot of its speaker. The first shot of a scene is a wide shot, shots
with dialogue are medium close-ups, the rest medium shots.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field

from nodes.sdk.preproduction import (
    Breakdown,
    Ingredient,
    IngredientKind,
    Scene,
    Shot,
    ShotSize,
    title_case,
)

from .parse import Beat, ParsedScript

DURATION_RULE = (
    "shot: action words / 3 per second + dialogue words / 2.5 per second, at least 2 s, "
    "at most 12 s, rounded to 0.5 s; scene: one eighth of a page per 7 lines (at least 1/8)"
)
LINES_PER_EIGHTH = 7
_SLUG = re.compile(
    r"^(?P<ie>INT\./EXT\.?|INT/EXT\.?|I/E\.?|INT\.?|EXT\.?|EST\.?)\s+(?P<rest>.*)$", re.IGNORECASE
)
_TIMES = ("DAY", "NIGHT", "MORNING", "EVENING", "DUSK", "DAWN", "AFTERNOON", "CONTINUOUS",
          "LATER", "MOMENTS LATER", "SUNSET", "SUNRISE")


def split_slugline(slug: str) -> tuple[str, str, str]:
    """`INT. KITCHEN - NIGHT` → (`INT`, `KITCHEN`, `NIGHT`); a forced heading is all location
    but a time of day it ends with (`.ROOFTOP - NIGHT`)."""
    match = _SLUG.match(slug.strip())
    if match is None:
        head, _, tail = slug.strip().rpartition(" - ")
        if head and tail.strip().upper() in _TIMES:
            return "", head.strip(), tail.strip().upper()
        return "", slug.strip(), ""
    prefix = match.group("ie").upper().rstrip(".")
    int_ext = {"INT./EXT": "INT/EXT", "I/E": "INT/EXT", "EST": "EXT"}.get(prefix, prefix)
    rest = match.group("rest").strip()
    location, time_of_day = rest, ""
    if " - " in rest:
        head, tail = rest.rsplit(" - ", 1)
        if tail.strip().upper() in _TIMES or len(tail.split()) <= 2:
            location, time_of_day = head.strip(), tail.strip().upper()
    return int_ext, location, time_of_day


def estimate_seconds(action: str, dialogue: str) -> float:
    seconds = len(action.split()) / 3 + len(dialogue.split()) / 2.5
    return min(12.0, max(2.0, math.ceil(seconds * 2) / 2))


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:12]


@dataclass
class _Cut:
    action: str = ""
    dialogue: list[str] = field(default_factory=list)
    speakers: list[str] = field(default_factory=list)


def _cuts(beats: list[Beat]) -> list[_Cut]:
    cuts: list[_Cut] = []
    for beat in beats:
        if beat.sung:  # lyrics are heard: the shot's audio, like its dialogue
            if not cuts:
                cuts.append(_Cut())
            cuts[-1].dialogue.append(f"♪ {beat.text} ♪")
            continue
        if not beat.speaker:
            cuts.append(_Cut(action=beat.text))
            continue
        if not cuts:
            cuts.append(_Cut(action=f"{beat.speaker} speaks."))
        cut = cuts[-1]
        if beat.parenthetical:
            cut.action = f"{cut.action} {title_case(beat.speaker)} ({beat.parenthetical})."
        cut.dialogue.append(f'{beat.speaker}: "{beat.text}"')
        cut.speakers.append(beat.speaker)
    return cuts


def _named_in(text: str, names: list[str]) -> list[str]:
    return [name for name in names if re.search(rf"\b{re.escape(name)}\b", text, re.IGNORECASE)]


def _slot(shot_cast: list[str], location: str, text: str,
          ingredients: list[Ingredient]) -> dict[str, Ingredient | None]:
    """Slot 1 the first cast member, 2 the location, 3 an object named in the shot or a style."""
    def first(kind: IngredientKind, names: list[str]) -> Ingredient | None:
        wanted = {name.upper() for name in names}
        return next((i for i in ingredients if i.kind == kind and i.name.upper() in wanted), None)

    character = next((c for name in shot_cast if (c := first(IngredientKind.CHARACTER, [name]))), None)
    place = next((i for i in ingredients if i.kind == IngredientKind.LOCATION
                  and i.name.upper() in location.upper()), None)
    thing = next((i for i in ingredients if i.kind == IngredientKind.OBJECT
                  and _named_in(text, [i.name])), None)
    style = next((i for i in ingredients if i.kind == IngredientKind.STYLE), None)
    return {"slot1": character, "slot2": place, "slot3": thing or style}


def break_down(parsed: ParsedScript, *, chapter: int = 1, ingredients: list[Ingredient] | None = None,
               source: str = "", source_sha256: str = "") -> Breakdown:
    """The deterministic breakdown of a parsed script."""
    speakers = {b.speaker for s in parsed.scenes for b in s.beats if b.speaker}
    actions = " ".join(b.text for s in parsed.scenes for b in s.beats if not b.speaker)
    # Characters who never speak are still cast when an ingredient names them in the action.
    silent = {i.name.upper() for i in ingredients or [] if i.kind == IngredientKind.CHARACTER
              and _named_in(actions, [i.name])}
    cast_all = sorted(speakers | silent)
    scenes: list[Scene] = []
    shots: list[Shot] = []
    seen: dict[str, int] = {}
    slugs_seen: dict[str, int] = {}
    for number, parsed_scene in enumerate(parsed.scenes, start=1):
        # A pseudo-heading ("COLD OPEN") names a part of the script, not a place.
        int_ext, location, time_of_day = ("", "", "") if parsed_scene.pseudo \
            else split_slugline(parsed_scene.slugline)
        slugs_seen[parsed_scene.slugline] = slugs_seen.get(parsed_scene.slugline, 0) + 1
        scene_cast: list[str] = []
        shot_ids: list[str] = []
        for index, cut in enumerate(_cuts(parsed_scene.beats), start=1):
            shot_cast = list(dict.fromkeys(cut.speakers + _named_in(cut.action, cast_all)))
            scene_cast.extend(shot_cast)
            base = _digest(parsed_scene.slugline, cut.action, *cut.dialogue)
            seen[base] = seen.get(base, 0) + 1
            shot_id = f"sh-{base}" + (f"-{seen[base]}" if seen[base] > 1 else "")
            size = ShotSize.WIDE if index == 1 else (ShotSize.MEDIUM_CLOSE_UP if cut.dialogue else ShotSize.MEDIUM)
            shots.append(Shot(
                id=shot_id, chapter=chapter, scene=number, number=index,
                scene_number=parsed_scene.scene_number, slugline=parsed_scene.slugline,
                description=cut.action.strip(), dialogue=" ".join(cut.dialogue),
                duration=estimate_seconds(cut.action, " ".join(cut.dialogue)), size=size,
                cast=shot_cast, location=location, time_of_day=time_of_day,
                **_slot(shot_cast, location, cut.action, ingredients or []),
            ))
            shot_ids.append(shot_id)
        lines = sum(beat.lines + 1 for beat in parsed_scene.beats) + 2
        scenes.append(Scene(
            id=f"sc-{_digest(parsed_scene.slugline, str(slugs_seen[parsed_scene.slugline]))}",
            number=number, scene_number=parsed_scene.scene_number, slugline=parsed_scene.slugline,
            int_ext=int_ext,
            location=location, time_of_day=time_of_day,
            eighths=max(1, math.ceil(lines / LINES_PER_EIGHTH)),
            cast=list(dict.fromkeys(scene_cast)), shot_ids=shot_ids, notes=parsed_scene.notes,
        ))
    locations = list(dict.fromkeys(scene.location for scene in scenes if scene.location))
    return Breakdown(title=parsed.title, source=source, source_sha256=source_sha256, chapter=chapter,
                     scenes=scenes, shots=shots, cast=cast_all, locations=locations,
                     duration_rule=DURATION_RULE, notes=parsed.notes)
