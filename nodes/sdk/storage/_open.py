"""The media store a process uses, chosen by its settings (the S3 client is made once per
process and workspace, like a warm model: creating one costs tens of milliseconds)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from .._settings import SharedSettings
from ._base import MediaStore
from ._local import LocalMediaStore


def media_store(settings: SharedSettings, workspace: Path) -> MediaStore:
    """S3-compatible storage when `AUTEUR_S3_BUCKET` is set, else the workspace disk."""
    if settings.s3_bucket:
        from ._s3 import S3MediaStore

        return S3MediaStore(settings)
    return LocalMediaStore(workspace)


@cache
def storage_settings() -> SharedSettings:
    """This process's shared settings (read once: a node asks for its store per take)."""
    return SharedSettings()


@cache
def process_media_store(workspace: Path) -> MediaStore:
    """The store of a runner process (its environment decides, as the server's does)."""
    return media_store(storage_settings(), workspace)
