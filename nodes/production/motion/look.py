"""The style guide as a Look: palette → background, ink and accent; mood → pace and, when the
node leaves the font on auto, the face; fonts are the machine's own (DejaVu on Debian)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from nodes.sdk import NodeExecutionError

from .frames import Look

FontChoice = Literal["auto", "sans", "sans_bold", "serif", "serif_bold", "mono", "condensed"]
FONT_FILES: dict[str, str] = {
    "sans": "DejaVuSans.ttf", "sans_bold": "DejaVuSans-Bold.ttf", "serif": "DejaVuSerif.ttf",
    "serif_bold": "DejaVuSerif-Bold.ttf", "mono": "DejaVuSansMono.ttf", "condensed": "DejaVuSansCondensed-Bold.ttf",
}
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
SERIF_MOODS = ("classic", "elegant", "noir", "period", "literary", "romantic", "gothic")
MONO_MOODS = ("technical", "computer", "hacker", "terminal", "documentary")
SLOW_MOODS = ("calm", "slow", "melanchol", "quiet", "grim", "sombre", "somber", "dreamy", "elegant")
FAST_MOODS = ("energetic", "upbeat", "fast", "punchy", "playful", "frantic", "bold")
DEFAULT_BACKGROUND = "#111111"


def _mentions(mood: str, words: tuple[str, ...]) -> bool:
    return any(word in mood for word in words)


def font_for(choice: FontChoice, mood: str) -> str:
    """The font file for `choice` (auto: serif for classic moods, mono for technical ones)."""
    if choice == "auto":
        choice = "serif_bold" if _mentions(mood, SERIF_MOODS) else "mono" if _mentions(mood, MONO_MOODS) else "sans_bold"
    name = FONT_FILES[choice]
    for folder in FONT_DIRS:
        found = next(iter(sorted(folder.rglob(name))), None) if folder.is_dir() else None
        if found is not None:
            return str(found)
    raise NodeExecutionError(f"the font {name} is not installed (apt-get install fonts-dejavu-core)",
                             code="font_missing", details={"font": name})


def contrast(colour: str) -> str:
    """White or near-black, whichever reads on `colour` (relative luminance)."""
    red, green, blue = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return "#111111" if 0.2126 * red + 0.7152 * green + 0.0722 * blue > 0.5 else "#FFFFFF"


def look_of(palette: list[str], mood: str, width: int, height: int, font: FontChoice) -> Look:
    """The Look a style guide asks for: palette[0] is the background, [1] the text, [2] the accent."""
    mood = mood.lower()
    background = palette[0] if palette else DEFAULT_BACKGROUND
    ink = palette[1] if len(palette) > 1 else contrast(background)
    accent = palette[2] if len(palette) > 2 else ink
    pace = 0.6 if _mentions(mood, SLOW_MOODS) else 1.6 if _mentions(mood, FAST_MOODS) else 1.0
    return Look(width=width, height=height, background=background, ink=ink, accent=accent,
                font_path=font_for(font, mood), pace=pace, palette=palette)
