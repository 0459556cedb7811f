"""Final Draft ↔ Fountain: the project's screenplay is Fountain; an `.fdx` comes in as Fountain
and the Fountain goes out as `.fdx` (the XML format itself is nodes.sdk.preproduction.finaldraft).
What Final Draft keeps survives the round trip: title page, scene headings with their numbers,
action, characters, parentheticals, dialogue, dual dialogue and transitions. Fountain's notes,
sections and synopses have no place in a Final Draft paragraph and are left out."""

from __future__ import annotations

import io
import re

from screenplain import types as sp
from screenplain.parsers import fountain

from nodes.sdk.preproduction import ScriptDocument, ScriptElement, read_fdx, write_fdx

from .parse import hold_escaped_stars, strip_stray_emphasis

_STANDARD_HEADING = re.compile(r"^(INT|EXT|EST|INT\.?/EXT|I/E)[ .]", re.IGNORECASE)
# First characters Fountain reads as markup at the start of an action paragraph.
_MARKUP_START = tuple("!@#=~>.[")


def _lines(value: object) -> str:
    """The text as a reader sees it: emphasis parsed away, stray asterisks dropped, an escaped
    one kept."""
    return strip_stray_emphasis(str(value)).strip()


def _action_text(action: sp.Action) -> str:
    """The lines a reader sees: a synopsis or section the parser took for action is left out,
    a lyric keeps its words without its `~`, stray emphasis asterisks go."""
    kept = [_lines(line) for line in action.lines if not _lines(line).startswith(("=", "#"))]
    return "\n".join(line.removeprefix("~").strip() for line in kept)


def _dialog(dialog: sp.Dialog, dual: str = "") -> list[ScriptElement]:
    side = {"dual": dual} if dual else {}
    elements = [ScriptElement(type="Character", text=_lines(dialog.character), **side)]
    for is_paren, line in dialog.blocks:
        text = _lines(line)
        previous = elements[-1]
        if not is_paren and previous.type == "Dialogue":  # one speech over several lines
            elements[-1] = previous.model_copy(update={"text": f"{previous.text}\n{text}"})
            continue
        elements.append(ScriptElement(type="Parenthetical" if is_paren else "Dialogue", text=text, **side))
    return elements


def fountain_to_document(text: str) -> ScriptDocument:
    script = fountain.parse(io.StringIO(hold_escaped_stars(text.lstrip("\ufeff").replace("\r\n", "\n"))))
    elements: list[ScriptElement] = []
    for paragraph in script.paragraphs:
        if isinstance(paragraph, sp.Slug):
            number = _lines(paragraph.scene_number) if paragraph.scene_number else ""
            elements.append(ScriptElement(type="Scene Heading", text=_lines(paragraph.line), scene_number=number))
        elif isinstance(paragraph, sp.Action):
            elements.append(ScriptElement(type="Action", text=_action_text(paragraph)))
        elif isinstance(paragraph, sp.DualDialog):
            elements += _dialog(paragraph.left, "left") + _dialog(paragraph.right, "right")
        elif isinstance(paragraph, sp.Dialog):
            elements += _dialog(paragraph)
        elif isinstance(paragraph, sp.Transition):
            elements.append(ScriptElement(type="Transition", text=_lines(paragraph.line)))
    title_page = {key: [line.strip() for line in lines] for key, lines in (script.title_page or {}).items()}
    return ScriptDocument(title_page=title_page, elements=[e for e in elements if e.text])


def _title_page(page: dict[str, list[str]]) -> list[str]:
    lines: list[str] = []
    for key, values in page.items():
        if len(values) == 1:
            lines.append(f"{key}: {values[0]}")
        else:
            lines += [f"{key}:", *(f"    {value}" for value in values)]
    return lines


def _action(text: str) -> str:
    lines = [line for line in text.split("\n") if line.strip()]
    first = lines[0]
    # Text Fountain would take for a heading, a cue, a transition or markup is forced action.
    forced = first.isupper() or first.startswith(_MARKUP_START) or _STANDARD_HEADING.match(first)
    return ("!" if forced else "") + "\n".join(lines)


def _block(element: ScriptElement, dual_right: bool) -> str:
    if element.type == "Scene Heading":
        heading = element.text if _STANDARD_HEADING.match(element.text) else f".{element.text}"
        return heading + (f" #{element.scene_number}#" if element.scene_number else "")
    if element.type == "Transition":
        return element.text if element.text.isupper() and element.text.endswith("TO:") else f"> {element.text}"
    if element.type == "Character":
        cue = element.text if element.text.isupper() else f"@{element.text}"
        return cue + (" ^" if dual_right else "")
    if element.type == "Parenthetical":
        return element.text if element.text.startswith("(") else f"({element.text})"
    if element.type == "Dialogue":
        return "\n".join(line for line in element.text.split("\n") if line.strip())
    return _action(element.text)


def document_to_fountain(document: ScriptDocument) -> str:
    """Blocks separated by a blank line; a speech (cue, parentheticals, lines) kept together."""
    blocks: list[str] = []
    for element in document.elements:
        text = _block(element, dual_right=element.dual == "right" and element.type == "Character")
        if element.type in ("Parenthetical", "Dialogue") and blocks:
            blocks[-1] += "\n" + text
        else:
            blocks.append(text)
    head = _title_page(document.title_page)
    return "\n\n".join(["\n".join(head)] * bool(head) + blocks) + "\n"


def fdx_to_fountain(xml: str) -> str:
    return document_to_fountain(read_fdx(xml))


def fountain_to_fdx(text: str) -> str:
    return write_fdx(fountain_to_document(text))
