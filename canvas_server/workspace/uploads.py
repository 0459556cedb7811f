"""One upload in flight, whoever receives it (the assets route, an agent's `upload_asset`,
ComfyUI's `/upload/image`): chunks go to a hidden temp file in a folder on the target's file
system (so placing it is a rename or a link), sized against the limit as they arrive
(`UploadTooLargeError`), hashed, and their head kept for content sniffing. Whoever opened it
places the file; anything not placed is removed."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from types import TracebackType
from typing import Self

from .errors import UploadTooLargeError

SNIFF_BYTES = 8192


class StagedFile:
    def __init__(self, folder: Path, limit_bytes: int) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.limit = limit_bytes
        self.temp = folder / f".upload-{uuid.uuid4().hex}"
        self._handle = self.temp.open("xb")
        self._digest = hashlib.sha256()
        self.head = b""
        self.size = 0

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            self.abort()
            raise UploadTooLargeError(self.limit)
        if len(self.head) < SNIFF_BYTES:
            self.head += chunk[: SNIFF_BYTES - len(self.head)]
        self._digest.update(chunk)
        self._handle.write(chunk)

    def close(self) -> None:
        """Every byte written; the file can be placed."""
        self._handle.close()

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()

    def abort(self) -> None:
        self._handle.close()
        self.temp.unlink(missing_ok=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self.temp.exists():  # failed or never placed: leave nothing behind
            self.abort()
