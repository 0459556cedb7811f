"""`/upload/image`'s file: streamed to a hidden temp file (never held in memory), sized and
hashed as it arrives, then given its name by ComfyUI's rule (`free_name`)."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

from nodes.sdk import AuteurError, atomic_publish, sha256_file

from .files import TEMP_DIR

MIB = 1024 * 1024


class UploadTooLargeError(AuteurError):
    code = "upload_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(f"the upload is larger than {limit // MIB} MiB", details={"limit_bytes": limit})


class StagedUpload:
    """One upload in flight, under `.auteur/comfy/` (the same file system as the input and temp
    folders, so placing it is a rename); `write` enforces the size limit."""

    def __init__(self, workspace: Path, filename: str, limit: int) -> None:
        staging = workspace / TEMP_DIR.parent
        staging.mkdir(parents=True, exist_ok=True)
        self.filename = filename
        self.limit = limit
        self.temp = staging / f".upload-{uuid.uuid4().hex}"
        self._handle = self.temp.open("xb")
        self._digest = hashlib.sha256()
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            self.abort()
            raise UploadTooLargeError(self.limit)
        self._digest.update(chunk)
        self._handle.write(chunk)

    def place(self, target: Path, overwrite: bool) -> Path:
        """Move the upload to `target` or the name `free_name` gives it; returns where it is.
        Placed by the one atomic writer (the bytes are on disk before the rename)."""
        self._handle.close()
        final = free_name(target, self._digest.hexdigest(), overwrite)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists() and final != target:  # the same content is there already
            self.abort()
        else:
            atomic_publish(self.temp, final)
        return final

    def abort(self) -> None:
        self._handle.close()
        self.temp.unlink(missing_ok=True)


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
