"""The media store interface, its keys and its errors.

StorageError (AuteurError)
 ├── StorageKeyInvalidError   a key that is not a plain workspace-relative path (400)
 ├── ObjectNotFoundError      no object under the key (404)
 ├── StorageRefusedError      the storage refused what was asked (too large, a bad range) (4xx)
 └── StorageUnavailableError  the storage cannot be reached or refuses the server's credentials (503)
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from .._errors import AuteurError

# What goes to object storage: the media families. Text (project.json, scripts, notes) stays in Git.
MEDIA_FAMILIES = frozenset({"image", "video", "audio"})


class StorageError(AuteurError):
    code = "storage_error"


class StorageKeyInvalidError(StorageError):
    code = "storage_key_invalid"


class ObjectNotFoundError(StorageError):
    code = "media_not_found"


class StorageRefusedError(StorageError):
    code = "storage_refused"


class StorageUnavailableError(StorageError):
    code = "storage_unavailable"


def check_key(key: str) -> str:
    """`key` if it is a plain relative POSIX path (no `..`, no absolute path, no NUL, no
    backslash, no empty part); keys come from sandbox-resolved paths, this is the last guard."""
    parts = key.split("/")
    if (not key or key.startswith("/") or "\x00" in key or "\\" in key or len(key) > 1024
            or any(part in ("", ".", "..") for part in parts)):
        raise StorageKeyInvalidError("not a workspace-relative media path", details={"key": key[:200]})
    return key


def is_stored_media(path: str | Path) -> bool:
    """Whether a file of this name belongs in object storage (image, video or audio)."""
    mime = mimetypes.guess_type(str(path))[0] or ""
    return mime.split("/", 1)[0] in MEDIA_FAMILIES


class MediaStore(Protocol):
    """Media by key: stored from a local file (streamed; large files in parts), read back as a
    stream or into a local file, and handed out as expiring URLs where the store can sign them."""

    @property
    def remote(self) -> bool:
        """True when objects live apart from the workspace disk (URLs go straight to them)."""

    def put(self, key: str, file: Path, *, content_type: str | None = None) -> None:
        """Store the local `file` under `key` (replacing an object of that key)."""

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int:
        """The object's size in bytes; ObjectNotFoundError when there is none."""

    def read(self, key: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        """The object's bytes, streamed; ObjectNotFoundError when there is none."""

    def download(self, key: str, target: Path) -> None:
        """Write the object to the local `target` (whole or not at all)."""

    def delete(self, key: str) -> None:
        """Remove the object (no error when there is none)."""

    def url_for_get(self, key: str, ttl_s: int, *, filename: str | None = None) -> str | None:
        """A URL that reads the object for `ttl_s` seconds, or None where the server serves it."""

    def url_for_put(self, key: str, ttl_s: int, *, content_type: str) -> str | None:
        """A URL that writes the object for `ttl_s` seconds, or None where the server takes uploads."""
