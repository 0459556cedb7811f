"""`/upload/image`'s file: staged as every upload is (`workspace.uploads`), then given its
name by ComfyUI's rule (`free_name`)."""

from __future__ import annotations

from pathlib import Path

from nodes.sdk import atomic_publish, sha256_file

from ..workspace.uploads import StagedFile
from .files import TEMP_DIR


class StagedUpload(StagedFile):
    """An `/upload/image` file, staged under `.auteur/comfy/` (the same file system as the
    input and temp folders)."""

    def __init__(self, workspace: Path, filename: str, limit: int) -> None:
        super().__init__(workspace / TEMP_DIR.parent, limit)
        self.filename = filename

    def place(self, target: Path, overwrite: bool) -> Path:
        """Move the upload to `target` or the name `free_name` gives it; returns where it is.
        Placed by the one atomic writer (the bytes are on disk before the rename)."""
        self.close()
        final = free_name(target, self.sha256, overwrite)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists() and final != target:  # the same content is there already
            self.abort()
        else:
            atomic_publish(self.temp, final)
        return final


def free_name(target: Path, sha256: str, overwrite: bool) -> Path:
    """ComfyUI's rule: overwrite when asked; keep the existing file when it has the same
    content; else `name (1).ext`, `name (2).ext`, …"""
    if overwrite or not target.exists():
        return target
    candidate, index = target, 1
    while candidate.exists():
        if candidate.is_file() and sha256_file(candidate) == sha256:
            return candidate
        candidate = target.with_name(f"{target.stem} ({index}){target.suffix}")
        index += 1
    return candidate
