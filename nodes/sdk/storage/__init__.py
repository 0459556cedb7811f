"""Where media lives: the one interface the server and the nodes store and hand out media
through (docs/architecture.md §13). Nothing else opens a bucket.

A key is a workspace-relative POSIX path (the `MediaRef.path` of the file), so the same name
finds a file on the workspace disk and its object in the bucket. The local disk is the default
(`LocalMediaStore`: nothing moves, the server serves its files); with `AUTEUR_S3_BUCKET` set,
takes, engine outputs and uploaded assets are also stored in S3-compatible storage
(`S3MediaStore`) and handed out as presigned, expiring URLs. Project text files (project.json,
scripts, workflows, notes) never go there: they stay in the project's Git repository.
"""

from __future__ import annotations

from ._base import (
    MEDIA_FAMILIES,
    MediaStore,
    ObjectNotFoundError,
    StorageError,
    StorageKeyInvalidError,
    StorageRefusedError,
    StorageUnavailableError,
    check_key,
    is_stored_media,
)
from ._local import LocalMediaStore
from ._mirror import store_file, store_media, unstore_file
from ._open import media_store, process_media_store, storage_settings

__all__ = [
    "MEDIA_FAMILIES",
    "LocalMediaStore",
    "MediaStore",
    "ObjectNotFoundError",
    "StorageError",
    "StorageKeyInvalidError",
    "StorageRefusedError",
    "StorageUnavailableError",
    "check_key",
    "is_stored_media",
    "media_store",
    "process_media_store",
    "storage_settings",
    "store_file",
    "store_media",
    "unstore_file",
]
