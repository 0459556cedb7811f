"""The crew's paperwork as PDF (reportlab): the shot list, the storyboard (each panel the shot's
approved take's frame, or a blank panel), and the screenplay in standard screenplay layout.

Screenplay layout (US Letter, Courier 12, six lines to the inch): scene headings, action and
transitions from 1.5" to 7.5" (transitions set right), character cues at 3.7", parentheticals
from 3.1" to 5.6", dialogue from 2.5" to 6"; page numbers top right from page 2.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Table, TableStyle

from nodes.sdk.preproduction import Breakdown, ScriptDocument, ScriptElement, Shot


def _pdf(build: Callable[[io.BytesIO], None]) -> bytes:
    out = io.BytesIO()
    build(out)
    return out.getvalue()


def _camera(shot: Shot) -> str:
    return f"{shot.size.value}, {shot.angle.value}, {shot.movement.value}, {shot.lens}"


def shot_list_pdf(breakdown: Breakdown) -> bytes:
    styles = getSampleStyleSheet()
    cell = ParagraphStyle("cell", parent=styles["BodyText"], fontSize=8, leading=10)
    rows: list[list[object]] = [["Scene", "Shot", "Slugline", "Camera", "Dur.", "Cast", "Description"]]
    for shot in breakdown.shots:
        rows.append([shot.scene_number or str(shot.scene), str(shot.number), Paragraph(escape(shot.slugline), cell),
                     Paragraph(escape(_camera(shot)), cell), f"{shot.duration:g} s",
                     Paragraph(escape(", ".join(shot.cast)), cell), Paragraph(escape(shot.description), cell)])
    table = Table(rows, colWidths=[0.55 * inch, 0.45 * inch, 1.8 * inch, 1.7 * inch, 0.5 * inch, 1.2 * inch, 3.8 * inch],
                  repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey), ("FONTSIZE", (0, 0), (-1, -1), 8)]))
    title = Paragraph(escape(f"Shot list: {breakdown.title or breakdown.source}"), styles["Title"])

    def build(out: io.BytesIO) -> None:
        SimpleDocTemplate(out, pagesize=landscape(LETTER), leftMargin=0.5 * inch, rightMargin=0.5 * inch,
                          title=f"Shot list: {breakdown.title}").build([title, table])
    return _pdf(build)


@dataclass(frozen=True)
class Panel:
    shot: Shot
    picture: Path | None  # the approved take's frame (an image file), None for a blank panel


PANEL_WIDTH = 3.0 * inch
PANEL_HEIGHT = PANEL_WIDTH * 9 / 16


def storyboard_pdf(title: str, panels: list[Panel]) -> bytes:
    """Three panels to a row, landscape: picture, then shot number, duration, camera,
    description and dialogue under it."""
    styles = getSampleStyleSheet()
    text = ParagraphStyle("panel", parent=styles["BodyText"], fontSize=8, leading=10)
    cells: list[list[object]] = []
    for panel in panels:
        shot = panel.shot
        picture: object = Image(str(panel.picture), width=PANEL_WIDTH, height=PANEL_HEIGHT) if panel.picture \
            else Table([["no picture yet"]], colWidths=[PANEL_WIDTH], rowHeights=[PANEL_HEIGHT],
                       style=[("BOX", (0, 0), (-1, -1), 0.5, colors.grey), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                              ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TEXTCOLOR", (0, 0), (-1, -1), colors.grey)])
        number = f"{shot.scene_number or shot.scene}.{shot.number}"
        caption = [f"<b>Shot {escape(number)}</b> · {shot.duration:g} s · {escape(_camera(shot))}",
                   escape(shot.description)]
        if shot.dialogue:
            # The base-14 fonts have no ♪: a lyric is marked in words.
            caption.append(f"<i>{escape(shot.dialogue.replace('♪ ', '(sung) ').replace(' ♪', ''))}</i>")
        cells.append([picture, *(Paragraph(line, text) for line in caption)])
    rows: list[list[object]] = [list(cells[i:i + 3]) for i in range(0, len(cells), 3)]
    if rows:
        rows[-1] += [""] * (3 - len(rows[-1]))
    story: list[object] = [Paragraph(escape(f"Storyboard: {title}"), styles["Title"])]
    if rows:
        story.append(Table(rows, colWidths=[PANEL_WIDTH + 0.3 * inch] * 3,
                           style=[("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 12)]))

    def build(out: io.BytesIO) -> None:
        SimpleDocTemplate(out, pagesize=landscape(LETTER), leftMargin=0.5 * inch, rightMargin=0.5 * inch,
                          topMargin=0.5 * inch, bottomMargin=0.5 * inch, title=f"Storyboard: {title}").build(story)
    return _pdf(build)


# The standard screenplay layout: where each element starts and how wide it is (inches).
_COLUMNS: dict[str, tuple[float, float]] = {
    "Scene Heading": (1.5, 6.0), "Action": (1.5, 6.0), "Transition": (1.5, 6.0),
    "Character": (3.7, 3.8), "Parenthetical": (3.1, 2.5), "Dialogue": (2.5, 3.5),
}
FONT, SIZE, LINE = "Courier", 12, 12.0  # 6 lines per inch
TOP, BOTTOM = LETTER[1] - 1.0 * inch, 1.0 * inch


def _wrap(text: str, width: float) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if line and stringWidth(candidate, FONT, SIZE) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def _lines_of(element: ScriptElement) -> list[str]:
    width = _COLUMNS[element.type][1]
    text = element.text.upper() if element.type in ("Scene Heading", "Character", "Transition") else element.text
    return _wrap(text, width * inch)


def _title_page(canvas: Canvas, page: dict[str, list[str]]) -> None:
    y = LETTER[1] * 0.62
    for key in ("Title", "Credit", "Author", "Source"):
        for line in page.get(key, []):
            canvas.drawCentredString(LETTER[0] / 2, y, line)
            y -= 2 * LINE
    y = BOTTOM + 4 * LINE
    for key in ("Draft date", "Contact"):
        for line in page.get(key, []):
            canvas.drawString(1.5 * inch, y, line)
            y -= LINE
    canvas.showPage()


def _blocks(elements: Iterable[ScriptElement]) -> list[list[ScriptElement]]:
    """Elements grouped as they are spaced: a cue with its parentheticals and dialogue is one
    block; dual dialogue is set one speech after the other."""
    blocks: list[list[ScriptElement]] = []
    for element in elements:
        if element.type in ("Parenthetical", "Dialogue") and blocks:
            blocks[-1].append(element)
        else:
            blocks.append([element])
    return blocks


def screenplay_pdf(document: ScriptDocument) -> bytes:
    def build(out: io.BytesIO) -> None:
        canvas = Canvas(out, pagesize=LETTER)
        canvas.setTitle(" ".join(document.title_page.get("Title", [])) or "Screenplay")
        canvas.setFont(FONT, SIZE)
        if document.title_page:
            _title_page(canvas, document.title_page)
            canvas.setFont(FONT, SIZE)
        page, y = 1, TOP
        for block in _blocks(document.elements):
            lines = [(element, line) for element in block for line in _lines_of(element)]
            needed = (len(lines) + 1) * LINE
            if y - needed < BOTTOM and y < TOP:
                canvas.showPage()
                canvas.setFont(FONT, SIZE)
                page, y = page + 1, TOP
                canvas.drawRightString(7.5 * inch, LETTER[1] - 0.5 * inch, f"{page}.")
            for element, line in lines:
                left, width = _COLUMNS[element.type]
                if element.type == "Transition":
                    canvas.drawRightString((left + width) * inch, y, line)
                else:
                    canvas.drawString(left * inch, y, line)
                    if element.type == "Scene Heading" and element.scene_number:
                        canvas.drawRightString(1.2 * inch, y, element.scene_number)
                        canvas.drawString(7.6 * inch, y, element.scene_number)
                y -= LINE
            y -= LINE  # one blank line between blocks
        canvas.showPage()
        canvas.save()
    return _pdf(build)
