"""The scene templates: each a drawing function of the frame's progress t (0 … 1) with typed
props. The language model picks one and fills its props (plan.py); the style guide decides
the colours, the font and the pace (look.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from PIL import Image, ImageDraw
from pydantic import BaseModel, ConfigDict, Field

from .frames import Draw, Look

TemplateName = Literal["title_card", "lower_third", "kinetic_type", "credits", "animatic_card"]


class SceneProps(BaseModel):
    """What a template shows: a title, a subtitle and lines (words, credits, a description)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field("", max_length=120)
    subtitle: str = Field("", max_length=200)
    lines: list[str] = Field(default_factory=list, max_length=40)


def ease(t: float, pace: float) -> float:
    """Ease-out cubic over the first 1/(3·pace) of the scene, then still."""
    x = min(1.0, max(0.0, t * 3 * pace))
    return 1 - (1 - x) ** 3


def fit_font(look: Look, text: str, share: float, width: float) -> tuple[int, int]:
    """A font size near `share` of the frame height that fits `text` in `width` pixels, and the
    text's width at that size."""
    size = max(6, int(look.height * share))
    while size > 6:
        measured = look.font(size).getlength(text)
        if measured <= width:
            return size, int(measured)
        size -= max(1, size // 10)
    return size, int(look.font(size).getlength(text))


def _centred(draw: ImageDraw.ImageDraw, look: Look, text: str, y: float, share: float, fill: str,
             alpha: float = 1.0) -> None:
    if not text:
        return
    size, width = fit_font(look, text, share, look.width * 0.86)
    colour = blend(look.background, fill, alpha)
    draw.text(((look.width - width) / 2, y - size / 2), text, font=look.font(size), fill=colour)


def blend(under: str, over: str, alpha: float) -> str:
    """`over` at `alpha` on `under` (hex colours), as a hex colour: the frames are opaque RGB."""
    a, b = (tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in (under, over))
    mixed = (round(x + (y - x) * max(0.0, min(1.0, alpha))) for x, y in zip(a, b, strict=True))
    return "#" + "".join(f"{v:02X}" for v in mixed)


def title_card(props: SceneProps, look: Look) -> Draw:
    """The title rises into place and fades in, an accent rule grows under it, the subtitle follows."""
    def draw(image: Image.Image, t: float) -> None:
        pen = ImageDraw.Draw(image)
        shown = ease(t, look.pace)
        centre = look.height * 0.45 + (1 - shown) * look.height * 0.06
        _centred(pen, look, props.title, centre, 0.16, look.ink, shown)
        half = look.width * 0.2 * shown
        rule_y = look.height * 0.58
        pen.rectangle((look.width / 2 - half, rule_y, look.width / 2 + half, rule_y + max(2, look.height // 90)),
                      fill=look.accent)
        _centred(pen, look, props.subtitle, look.height * 0.68, 0.07, look.ink, ease(t - 0.15, look.pace))
    return draw


def lower_third(props: SceneProps, look: Look) -> Draw:
    """An accent bar slides in from the left with the name on it and the role beneath."""
    def draw(image: Image.Image, t: float) -> None:
        pen = ImageDraw.Draw(image)
        shown = ease(t, look.pace)
        top, bar_h = look.height * 0.7, look.height * 0.12
        size, width = fit_font(look, props.title, 0.08, look.width * 0.7)
        right = (look.width * 0.06 + width + look.width * 0.04) * shown
        pen.rectangle((0, top, right, top + bar_h), fill=look.accent)
        pen.text((right - width - look.width * 0.02, top + (bar_h - size) / 2), props.title,
                 font=look.font(size), fill=look.background)
        if props.subtitle:
            small, _ = fit_font(look, props.subtitle, 0.05, look.width * 0.7)
            pen.text((look.width * 0.06, top + bar_h + look.height * 0.02), props.subtitle, font=look.font(small),
                     fill=blend(look.background, look.ink, ease(t - 0.2, look.pace)))
    return draw


def kinetic_type(props: SceneProps, look: Look) -> Draw:
    """One word (or line) at a time, each punching in large and settling, the last one held."""
    words = props.lines or props.title.split() or [""]

    def draw(image: Image.Image, t: float) -> None:
        pen = ImageDraw.Draw(image)
        slot = min(len(words) - 1, int(t * len(words)))
        local = t * len(words) - slot
        punch = 1.0 + 0.25 * (1 - ease(local, look.pace * len(words) / 2))
        size, width = fit_font(look, words[slot], 0.22 * punch, look.width * 0.9)
        colour = look.accent if slot % 2 else look.ink
        pen.text(((look.width - width) / 2, (look.height - size) / 2), words[slot], font=look.font(size), fill=colour)
    return draw


def credits(props: SceneProps, look: Look) -> Draw:
    """The title, then every line, rolling up the frame from below to above at an even speed."""
    rows = [props.title, "", *props.lines] if props.title else list(props.lines)

    def draw(image: Image.Image, t: float) -> None:
        pen = ImageDraw.Draw(image)
        line_h = look.height * 0.09
        travel = look.height + line_h * len(rows)
        for index, row in enumerate(rows):
            y = look.height - t * travel + index * line_h
            if -line_h < y < look.height and row:
                role, _, name = row.partition(" — ")
                _centred(pen, look, row if not name else f"{role}  {name}", y, 0.055 if index else 0.08,
                         look.accent if index == 0 else look.ink)
    return draw


def animatic_card(props: SceneProps, look: Look) -> Draw:
    """The animatic's card: an accent band with the scene heading, the description below, still."""
    def draw(image: Image.Image, t: float) -> None:
        pen = ImageDraw.Draw(image)
        band = look.height * 0.22
        pen.rectangle((0, 0, look.width, band), fill=look.accent)
        size, _ = fit_font(look, props.title, 0.1, look.width * 0.9)
        pen.text((look.width * 0.05, (band - size) / 2), props.title, font=look.font(size), fill=look.background)
        for index, line in enumerate([props.subtitle, *props.lines][:6]):
            if line:
                small, _ = fit_font(look, line, 0.06, look.width * 0.9)
                pen.text((look.width * 0.05, band + look.height * (0.08 + 0.1 * index)), line,
                         font=look.font(small), fill=look.ink)
    return draw


TEMPLATES: dict[TemplateName, Callable[[SceneProps, Look], Draw]] = {
    "title_card": title_card, "lower_third": lower_third, "kinetic_type": kinetic_type,
    "credits": credits, "animatic_card": animatic_card,
}
