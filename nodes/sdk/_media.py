"""MediaRef: how media travels between nodes (a path into the workspace, never bytes)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

MediaKind = Literal["video", "audio", "image", "file"]
ImageMime = Literal["image/png", "image/jpeg", "image/webp"]


class MediaRef(BaseModel):
    """A media file in the workspace.

    `path` is relative to the workspace root so every runner sharing the workspace resolves
    it; `sha256` makes cache keys content-addressed.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    sha256: str
    mime: str
    kind: MediaKind
    duration: float | None = None
    width: int | None = None
    height: int | None = None
    sample_rate: int | None = None
    channels: int | None = None


def sha256_file(path: Path, chunk_size: int = 1 << 20) -> str:
    """Hex SHA-256 of a file, read in chunks so large media never sits in memory."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


# Magic bytes of the still images a node may send on (to Veo, into a take): the file's own
# first bytes decide, never its name.
_IMAGE_MAGIC: tuple[tuple[bytes, ImageMime], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


def sniff_image(path: Path) -> ImageMime | None:
    """The MIME type of a PNG, JPEG or WebP file by its magic bytes, else None."""
    with path.open("rb") as handle:
        head = handle.read(16)
    for magic, mime in _IMAGE_MAGIC:
        if head.startswith(magic):
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None
