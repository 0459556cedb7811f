"""Read a screenplay with screenplain's Fountain parser into plain scenes and beats.

Fountain is a superset of the plain-text screenplay conventions (uppercase sluglines
starting INT./EXT., character cues in capitals above their lines), so a `.txt` without
Fountain marks goes through the same parser. What the writer wrote for readers — sections,
synopses, notes (`[[ ]]`) and boneyard (`/* */`) — never reaches shot text but is kept as the
scene's notes; transitions and page breaks are not shots; lyrics (`~`) are heard, so they go
with the shot's audio; emphasis markup is dropped from all text.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from screenplain import types as sp
from screenplain.parsers import fountain

from nodes.sdk.preproduction import ScriptNote

_CUE_EXTENSION = re.compile(r"\s*(\([^)]*\)|\^)\s*$")
# Transitions Fountain only recognises when they end in "TO:" (or are forced with ">").
_TRANSITION = re.compile(r"^(FADE (IN|OUT)|FADE TO BLACK|THE END|CUT TO BLACK)[.:]?$")
# The same spans screenplain drops, found first so their text can be kept as notes.
_BONEYARD = re.compile(r"/\*.*?\*/", re.DOTALL)
_NOTE = re.compile(r"\[\[.*?\]\]", re.DOTALL)
# Each note is replaced by one private-use character (uncased, so a cue stays a cue) that
# marks where it stood; the paragraph it lands in tells which scene it belongs to.
_MARK_BASE = 0xF0000
_MARK = re.compile("[\U000F0000-\U000FFFFD]")
# An escaped `\*` is a literal asterisk: held as a private-use character through the parser
# (which unescapes it) so that the stray emphasis left after parsing can be told from it.
_LITERAL_STAR = "\ue000"
_STRAY_EMPHASIS = re.compile(r" ?\*+(?= )|\*+")  # "a * star" → "a star"
_TITLE_EMPHASIS = re.compile(r"\*{1,3}|_")
# A heading-like line before the first slugline names a part of the script, not a place.
_PSEUDO_HEADING = re.compile(r"^[A-Z0-9][A-Z0-9 '&-]{0,40}$")


@dataclass
class Beat:
    """An action paragraph, or a line of dialogue (speaker set) with its parentheticals."""

    text: str
    speaker: str = ""
    parenthetical: str = ""
    lines: int = 1
    sung: bool = False


@dataclass
class ParsedScene:
    slugline: str
    scene_number: str = ""
    beats: list[Beat] = field(default_factory=list)
    forced: bool = False
    pseudo: bool = False  # "COLD OPEN" before the first slugline: a part of the script, no place
    notes: list[ScriptNote] = field(default_factory=list)


@dataclass
class ParsedScript:
    title: str
    scenes: list[ParsedScene]
    notes: list[ScriptNote] = field(default_factory=list)  # those before the first scene


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _extract_notes(text: str) -> tuple[str, list[ScriptNote]]:
    notes: list[ScriptNote] = []

    def mark(kind: str) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            notes.append(ScriptNote(kind=kind, text=_collapse(match.group(0)[2:-2])))
            return chr(_MARK_BASE + len(notes) - 1)
        return replace

    text = _BONEYARD.sub(mark("boneyard"), text)
    return _NOTE.sub(mark("note"), text), notes


def hold_escaped_stars(text: str) -> str:
    """Fountain text with each escaped `\\*` held for `strip_stray_emphasis` to restore."""
    return text.replace("\\*", _LITERAL_STAR)


def strip_stray_emphasis(text: str) -> str:
    """Parsed text without the asterisks emphasis left unmatched; an escaped one restored."""
    return _STRAY_EMPHASIS.sub("", text).replace(_LITERAL_STAR, "*")


def strip_title_emphasis(text: str) -> str:
    """`_**BRICK & STEEL**_` → `BRICK & STEEL` (title-page values are not parsed for emphasis)."""
    return _TITLE_EMPHASIS.sub("", _MARK.sub("", text)).replace(_LITERAL_STAR, "*")


def character_name(cue: str) -> str:
    """`ANA (V.O.) ^` → `ANA`; a forced cue's leading `@` is dropped."""
    name = cue.strip().lstrip("@")
    while (stripped := _CUE_EXTENSION.sub("", name)) != name:
        name = stripped
    return " ".join(name.split()).upper()


class _Reader:
    """Turns screenplain's paragraphs into scenes, routing every note to the scene it stood in."""

    def __init__(self, notes: list[ScriptNote]) -> None:
        self.found = notes
        self.scenes: list[ParsedScene] = []
        self.front: list[ScriptNote] = []

    def note(self, kind: str, text: str) -> None:
        text = self.plain(text)
        if text:
            (self.scenes[-1].notes if self.scenes else self.front).append(
                ScriptNote(kind=kind, text=text))

    def plain(self, value: object) -> str:
        """The text without its emphasis markup; notes standing in it are filed."""
        text = str(value)
        for mark in _MARK.findall(text):
            found = self.found[ord(mark) - _MARK_BASE]
            (self.scenes[-1].notes if self.scenes else self.front).append(found)
        return _collapse(strip_stray_emphasis(_MARK.sub("", text)))


    def dialog_beats(self, dialog: sp.Dialog) -> list[Beat]:
        speaker = character_name(self.plain(dialog.character))
        spoken = [self.plain(line).lstrip("~ ") for is_paren, line in dialog.blocks if not is_paren]
        parens = [self.plain(line).strip("()") for is_paren, line in dialog.blocks if is_paren]
        return [Beat(text=" ".join(t for t in spoken if t), speaker=speaker,
                     parenthetical="; ".join(p for p in parens if p), lines=len(dialog.blocks) + 1)]

    def action_beats(self, action: sp.Action) -> list[Beat]:
        """Action lines; `~` lines are lyrics, `=` synopses and `#` sections that the parser
        took for action (after a note, or inside a paragraph)."""
        seen: list[str] = []
        sung: list[str] = []
        for raw in action.lines:
            line = str(raw).strip()
            if line.startswith("="):
                self.note("synopsis", line[1:])
            elif line.startswith("#"):
                self.note("section", line.lstrip("#"))
            elif line.startswith("~"):
                sung.append(self.plain(line[1:]))
            else:
                seen.append(self.plain(raw))
        text = " ".join(part for part in seen if part)
        beats = [Beat(text=text, lines=len(seen))] if text and not _TRANSITION.match(text) else []
        if any(sung):
            beats.append(Beat(text=" / ".join(part for part in sung if part), lines=len(sung), sung=True))
        return beats

    def beats(self, paragraph: object) -> list[Beat]:
        if isinstance(paragraph, sp.Action):
            return self.action_beats(paragraph)
        if isinstance(paragraph, sp.DualDialog):
            return self.dialog_beats(paragraph.left) + self.dialog_beats(paragraph.right)
        if isinstance(paragraph, sp.Dialog):
            return self.dialog_beats(paragraph)
        if isinstance(paragraph, sp.Section):
            self.note("section", str(paragraph.text))
            if paragraph.synopsis:
                self.note("synopsis", paragraph.synopsis)
        if isinstance(paragraph, sp.Transition):
            self.plain(paragraph.line)  # files a note written on the transition's line
        return []  # transitions, sections, page breaks: not shots

    def slug(self, paragraph: sp.Slug) -> None:
        scene = ParsedScene(slugline="")
        self.scenes.append(scene)  # first, so a note in the slug line is filed with this scene
        scene.slugline = self.plain(paragraph.line).upper()
        scene.scene_number = _collapse(str(paragraph.scene_number)) if paragraph.scene_number else ""
        scene.forced = not re.match(r"^(INT|EXT|EST|I/E)", scene.slugline)
        if paragraph.synopsis:
            self.note("synopsis", paragraph.synopsis)

    def opening(self, paragraph: object) -> bool:
        """An opening pseudo-heading ("COLD OPEN") starts the opening scene under its name."""
        if self.scenes or not isinstance(paragraph, sp.Action) or len(paragraph.lines) != 1:
            return False
        label = self.plain(paragraph.lines[0])
        if not _PSEUDO_HEADING.match(label) or _TRANSITION.match(label) or len(label.split()) > 4:
            return False
        self.scenes.append(ParsedScene(slugline=label, forced=True, pseudo=True, notes=self.front))
        self.front = []
        return True

    def read(self, paragraphs: list[object]) -> None:
        for paragraph in paragraphs:
            if isinstance(paragraph, sp.Slug):
                self.slug(paragraph)
                continue
            if self.opening(paragraph):
                continue
            beats = self.beats(paragraph)
            if beats and not self.scenes:
                self.scenes.append(ParsedScene(slugline="OPENING", forced=True, pseudo=True, notes=self.front))
                self.front = []
            if self.scenes:
                self.scenes[-1].beats.extend(beats)


def parse_screenplay(text: str, *, fallback_title: str = "") -> ParsedScript:
    """Scenes in order; action before the first slugline becomes a scene of its own (named by
    an opening pseudo-heading such as "COLD OPEN" when there is one)."""
    marked, notes = _extract_notes(hold_escaped_stars(text.lstrip("\ufeff").replace("\r\n", "\n")))
    script = fountain.parse(io.StringIO(marked))
    title_page = script.title_page or {}
    title = _collapse(" ".join(strip_title_emphasis(line) for line in title_page.get("Title", [])))
    reader = _Reader(notes)
    reader.read(script.paragraphs)
    return ParsedScript(title=title or fallback_title, scenes=reader.scenes, notes=reader.front)
