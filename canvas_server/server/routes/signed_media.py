"""Media for devices that cannot send our token (Sonos): signed, expiring URLs.

The URL's HMAC covers the expiry and the workspace-relative path; a forged or expired one
gets 403 before the file is looked at. The path is still resolved through the sandbox.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from nodes.sdk import (
    SIGNED_MEDIA_PREFIX,
    AuteurError,
    PathSandbox,
    master_secret,
    url_signing_key,
    verify_signed_path,
)

from ..deps import get_services
from ..errors import error_response
from ..media import media_response
from ..services import AppServices

router = APIRouter(prefix=SIGNED_MEDIA_PREFIX, tags=["media"])


# Sonos players probe with HEAD before they stream; both methods share one handler, and the
# HEAD route stays out of the schema so the OpenAPI has one operation id per operation.
@router.head("/{expires}/{signature}/{path:path}", response_model=None, include_in_schema=False)
@router.get("/{expires}/{signature}/{path:path}", response_model=None)
def signed_media(
    expires: int, signature: str, path: str, services: Annotated[AppServices, Depends(get_services)]
) -> Response:
    """Serve one workspace file to whoever holds a valid signed URL (Range supported)."""
    settings = services.settings
    key = url_signing_key(master_secret(settings.key_dir, settings.secret_key))
    problem = verify_signed_path(key, expires, signature, path)
    if problem is not None:
        return error_response(
            "signature_invalid", f"this media link is {problem}; ask for a new one", {"reason": problem}, 403
        )
    try:
        # Hidden names are unreachable from a root; the engine's outputs (transcodes for the
        # speakers) are a root of their own.
        served = [settings.workspace.resolve(), settings.state_dir / "outputs"]
        file = PathSandbox(served).resolve(path, must_exist=True)
    except (AuteurError, OSError):
        file = None
    if file is None or not file.is_file():
        return error_response("file_not_found", f"no such media: {path}", None, 404)
    return media_response(services, file, inline=True)  # a speaker follows the 307 to storage
