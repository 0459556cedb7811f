"""MediaRef: how media travels between nodes (a path into the workspace, never bytes)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

MediaKind = Literal["video", "audio", "image", "file"]


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
