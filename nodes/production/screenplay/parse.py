"""Read a screenplay with screenplain's Fountain parser into plain scenes and beats.

Fountain is a superset of the plain-text screenplay conventions (uppercase sluglines
starting INT./EXT., character cues in capitals above their lines), so a `.txt` without
Fountain marks goes through the same parser. Boneyard (`/* */`) and notes (`[[ ]]`) are
dropped by the parser; transitions, page breaks and sections are not shots.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from screenplain import types as sp
from screenplain.parsers import fountain

_CUE_EXTENSION = re.compile(r"\s*(\([^)]*\)|\^)\s*$")
# Transitions Fountain only recognises when they end in "TO:" (or are forced with ">").
_TRANSITION = re.compile(r"^(FADE (IN|OUT)|FADE TO BLACK|THE END|CUT TO BLACK)[.:]?$")


@dataclass
class Beat:
    """An action paragraph, or a line of dialogue (speaker set) with its parentheticals."""

    text: str
    speaker: str = ""
    parenthetical: str = ""
    lines: int = 1


@dataclass
class ParsedScene:
    slugline: str
    scene_number: str = ""
    beats: list[Beat] = field(default_factory=list)
    forced: bool = False


@dataclass
class ParsedScript:
    title: str
    scenes: list[ParsedScene]


def _plain(value: object) -> str:
    return " ".join(str(value).split())


def character_name(cue: str) -> str:
    """`ANA (V.O.) ^` → `ANA`; a forced cue's leading `@` is dropped."""
    name = cue.strip().lstrip("@")
    while (stripped := _CUE_EXTENSION.sub("", name)) != name:
        name = stripped
    return " ".join(name.split()).upper()


def _dialog_beats(dialog: sp.Dialog) -> list[Beat]:
    speaker = character_name(_plain(dialog.character))
    spoken = [_plain(line) for is_paren, line in dialog.blocks if not is_paren]
    parens = [_plain(line).strip("()") for is_paren, line in dialog.blocks if is_paren]
    return [Beat(text=" ".join(spoken), speaker=speaker, parenthetical="; ".join(parens),
                 lines=len(dialog.blocks) + 1)]


def _beats(paragraph: object) -> list[Beat]:
    if isinstance(paragraph, sp.Action):
        text = " ".join(_plain(line) for line in paragraph.lines).strip()
        if not text or _TRANSITION.match(text):
            return []
        return [Beat(text=text, lines=len(paragraph.lines))]
    if isinstance(paragraph, sp.DualDialog):
        return _dialog_beats(paragraph.left) + _dialog_beats(paragraph.right)
    if isinstance(paragraph, sp.Dialog):
        return _dialog_beats(paragraph)
    return []  # transitions, sections, page breaks: not shots


def parse_screenplay(text: str, *, fallback_title: str = "") -> ParsedScript:
    """Scenes in order; action before the first slugline becomes a scene of its own."""
    script = fountain.parse(io.StringIO(text.replace("\r\n", "\n")))
    title_page = script.title_page or {}
    title = " ".join(_plain(line) for line in title_page.get("Title", [])) or fallback_title
    scenes: list[ParsedScene] = []
    for paragraph in script.paragraphs:
        if isinstance(paragraph, sp.Slug):
            slug = _plain(paragraph.line)
            number = _plain(paragraph.scene_number) if paragraph.scene_number else ""
            scenes.append(ParsedScene(slugline=slug.upper(), scene_number=number,
                                      forced=not re.match(r"^(INT|EXT|EST|I/E|INT\./EXT)", slug.upper())))
            continue
        beats = _beats(paragraph)
        if beats and not scenes:
            scenes.append(ParsedScene(slugline="OPENING", forced=True))
        if scenes:
            scenes[-1].beats.extend(beats)
    return ParsedScript(title=title, scenes=scenes)
