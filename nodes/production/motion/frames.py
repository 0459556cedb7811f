"""Drawing a scene into numbered PNG frames. Self-contained (standard library and Pillow only):
the sandbox runs this file as a script in a fresh interpreter that cannot import our packages,
and the trusted templates render through the same loop in-process."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageFont

FRAME_PATTERN = "frame_%05d.png"


@dataclass(frozen=True)
class Look:
    """What every scene draws with: the frame size, the style guide's colours and font, and the
    pace its mood asks for (1.0 = neutral, >1 faster entrances)."""

    width: int
    height: int
    background: str
    ink: str
    accent: str
    font_path: str
    pace: float = 1.0
    palette: list[str] = field(default_factory=list)

    def font(self, size: int) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(self.font_path, max(6, size))


Draw = Callable[[Image.Image, float], None]


def render_frames(draw: Draw, look: Look, frames: int, folder: Path) -> list[Path]:
    """`frames` PNGs in `folder`, frame i drawn at progress t = i / (frames - 1) (0 … 1)."""
    written = []
    for index in range(frames):
        image = Image.new("RGB", (look.width, look.height), look.background)
        draw(image, index / max(1, frames - 1))
        path = folder / (FRAME_PATTERN % (index + 1))
        image.save(path, format="PNG", compress_level=1)  # speed over size: ffmpeg reads them once
        written.append(path)
    return written
