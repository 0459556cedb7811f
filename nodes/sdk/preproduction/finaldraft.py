"""Final Draft `.fdx`: a screenplay as Final Draft keeps it — title page, and paragraphs typed
Scene Heading (with its scene number), Action, Character, Parenthetical, Dialogue, Transition,
and dual dialogue (two speakers side by side) — read and written in one place.

The file is XML from outside: it passes the one guard (`nodes.sdk.safe_xml`) before parsing, so
neither entity expansion nor an external entity can reach the parser.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..safe_xml import UnsafeXmlError, check_xml

ElementType = Literal["Scene Heading", "Action", "Character", "Parenthetical", "Dialogue", "Transition"]
_KNOWN: tuple[str, ...] = ("Scene Heading", "Action", "Character", "Parenthetical", "Dialogue", "Transition")
# Final Draft's other paragraph types read as action ("Shot", "General", "Cast List", …).
TITLE_KEYS = ("Title", "Credit", "Author", "Source", "Draft date", "Contact")
_CREDIT = re.compile(r"^(written|screenplay|story|teleplay)?\s*by\b", re.IGNORECASE)
_DATE = re.compile(r"\d")


class FdxError(ValueError):
    """Not a Final Draft file we can read."""


class ScriptElement(BaseModel):
    """One paragraph of the script."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: ElementType
    text: str
    scene_number: str = Field("", description="A scene heading's own number")
    dual: Literal["", "left", "right"] = Field("", description="Which side of a dual dialogue it is on")


class ScriptDocument(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title_page: dict[str, list[str]] = Field(default_factory=dict, description="Fountain keys: Title, Author, …")
    elements: list[ScriptElement] = Field(default_factory=list)


def _text(paragraph: ET.Element) -> str:
    # A paragraph's text is split into runs by style; Final Draft keeps line breaks inside runs.
    return "".join("".join(run.itertext()) for run in paragraph.findall("Text")).strip()


def _element(paragraph: ET.Element, dual: Literal["", "left", "right"] = "") -> ScriptElement | None:
    text = _text(paragraph)
    if not text:
        return None
    kind = paragraph.get("Type", "Action")
    return ScriptElement(type=kind if kind in _KNOWN else "Action", text=text,
                         scene_number=paragraph.get("Number", "") if kind == "Scene Heading" else "",
                         dual=dual)


def _dual(block: ET.Element) -> list[ScriptElement]:
    """The paragraphs of a <DualDialogue>: the second Character starts the right side."""
    elements: list[ScriptElement] = []
    side: Literal["left", "right"] = "left"
    speakers = 0
    for paragraph in block.findall("Paragraph"):
        if paragraph.get("Type") == "Character":
            speakers += 1
            side = "left" if speakers == 1 else "right"
        if (found := _element(paragraph, side)) is not None:
            elements.append(found)
    return elements


def _title_page(root: ET.Element) -> dict[str, list[str]]:
    """Final Draft's title page is free text: centred lines are title, credit, author and
    source in that order; the other lines are the draft date (with a digit) or the contact."""
    page: dict[str, list[str]] = {}
    centred: list[str] = []
    for paragraph in root.findall("./TitlePage/Content/Paragraph"):
        text = _text(paragraph)
        if not text:
            continue
        if paragraph.get("Alignment", "Left") == "Center":
            centred.append(text)
        else:
            page.setdefault("Draft date" if _DATE.search(text) and "Draft date" not in page else "Contact",
                            []).append(text)
    credit = next((i for i, line in enumerate(centred) if _CREDIT.match(line)), None)
    if centred:
        page["Title"] = centred[:credit if credit is not None else 1]
    if credit is not None:
        page["Credit"] = [centred[credit]]
        if credit + 1 < len(centred):
            page["Author"] = [centred[credit + 1]]
        if credit + 2 < len(centred):
            page["Source"] = centred[credit + 2:]
    elif len(centred) > 1:
        page["Source"] = centred[1:]
    return {key: page[key] for key in TITLE_KEYS if key in page}


def read_fdx(xml: str) -> ScriptDocument:
    try:
        check_xml(xml)
    except UnsafeXmlError as exc:
        raise FdxError(f"a Final Draft file has no document type declaration or entities: {exc}") from None
    try:
        root = ET.fromstring(xml.lstrip("\ufeff"))
    except ET.ParseError as exc:
        raise FdxError(f"not well-formed XML: {exc}") from None
    if root.tag != "FinalDraft" or root.find("Content") is None:
        raise FdxError("not a Final Draft file: no <FinalDraft><Content>")
    elements: list[ScriptElement] = []
    for paragraph in root.findall("./Content/Paragraph"):
        block = paragraph.find("DualDialogue")
        if block is not None:
            elements.extend(_dual(block))
        elif (found := _element(paragraph)) is not None:
            elements.append(found)
    return ScriptDocument(title_page=_title_page(root), elements=elements)


def _paragraph(parent: ET.Element, kind: str, text: str, **attributes: str) -> None:
    paragraph = ET.SubElement(parent, "Paragraph", {"Type": kind, **attributes})
    ET.SubElement(paragraph, "Text").text = text


def write_fdx(document: ScriptDocument) -> str:
    """The document as a Final Draft 12 file (XML, UTF-8)."""
    root = ET.Element("FinalDraft", {"DocumentType": "Script", "Template": "No", "Version": "5"})
    content = ET.SubElement(root, "Content")
    block: ET.Element | None = None
    for element in document.elements:
        if not element.dual:
            block = None
            attributes = {"Number": element.scene_number} if element.scene_number else {}
            _paragraph(content, element.type, element.text, **attributes)
            continue
        if block is None:
            block = ET.SubElement(ET.SubElement(content, "Paragraph"), "DualDialogue")
        _paragraph(block, element.type, element.text)
    title = ET.SubElement(ET.SubElement(root, "TitlePage"), "Content")
    page = document.title_page
    for key in ("Title", "Credit", "Author", "Source"):
        for line in page.get(key, []):
            _paragraph(title, "Action", line, Alignment="Center")
    for key in ("Draft date", "Contact"):
        for line in page.get(key, []):
            _paragraph(title, "Action", line, Alignment="Left")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8" standalone="no" ?>\n' + ET.tostring(root, encoding="unicode") + "\n"
