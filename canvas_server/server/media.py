"""Handing out media: a presigned, expiring URL of its object when media lives in object
storage (the bytes then go straight from storage to the browser, the speaker or ComfyUI's
frontend, never through this server), else the file from the workspace disk.

Every route that serves a media file answers through here, after its own sandbox and access
checks: the key is the sandbox-resolved file's workspace path, never a name from the request.
"""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi.responses import FileResponse, RedirectResponse, Response

from nodes.sdk.storage import StorageError, is_stored_media

from .services import AppServices

log = logging.getLogger("auteur.media")


def stored_url(services: AppServices, file: Path) -> str | None:
    """The presigned URL of `file`'s object, or None when it is served from the disk (no
    object storage, not media, outside the workspace, not stored (yet), storage away)."""
    store = services.media
    if not store.remote or not is_stored_media(file.name):
        return None
    try:
        key = file.resolve().relative_to(services.settings.workspace.resolve()).as_posix()
    except ValueError:  # an allowed folder outside the workspace: never stored
        return None
    try:
        if not store.exists(key):  # written before storage was on, or still going up
            return None
        return store.url_for_get(key, services.settings.s3_url_ttl_s, filename=file.name)
    except StorageError as exc:
        log.warning("serving %s from the disk: %s", key, exc.message)
        return None


def media_response(services: AppServices, file: Path, *, media_type: str | None = None,
                   inline: bool = False) -> Response:
    """A 307 to the object's presigned URL, else the file itself (Range supported)."""
    url = stored_url(services, file)
    if url is not None:
        return RedirectResponse(url, status_code=307)
    return FileResponse(file, media_type=media_type, filename=file.name,
                        content_disposition_type="inline" if inline else "attachment")
