"""Direct uploads (issue 25): with media in object storage, an asset's bytes go from the
browser straight to the bucket through a presigned PUT, never through a server.

1. `POST …/assets/direct` answers a presigned PUT URL for a fresh upload key and a ticket
   (what was asked — project, principal, file name, category, key — HMAC-signed with the
   server's secret, with an expiry). The ticket carries the state, so any replica completes it.
2. The client PUTs the file to the URL.
3. `POST …/assets/direct/complete` with the ticket: the server checks it (signature, expiry,
   the same project and caller), streams the object through the same sniffing and size limit as
   a multipart upload (`AssetUpload`), places the asset, and removes the upload object.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

from pydantic import BaseModel, Field

from nodes.sdk import AuteurError, master_secret, url_signing_key
from nodes.sdk.storage import MediaStore

from ..request_body import RequestBody
from ..settings import Settings
from ..workspace.assets import AssetUpload, safe_stem

UPLOADS_PREFIX = ".auteur/uploads"  # where direct uploads wait for their completion (bucket only)
_CONTENT_TYPE = "application/octet-stream"  # the server sniffs the type itself on completion


class DirectUploadUnavailableError(AuteurError):
    code = "direct_upload_unavailable"


class UploadTicketInvalidError(AuteurError):
    code = "upload_ticket_invalid"


class DirectUploadRequest(RequestBody):
    filename: str = Field(min_length=1, max_length=255, description="The file's name (its stem names the asset)")
    category: str = Field(min_length=1, max_length=64, description="Characters, Locations, Objects, Styles or Music")
    size: int = Field(ge=1, description="The file's size in bytes (refused above the upload limit)")


class DirectUpload(BaseModel):
    """Where to PUT the file, then the ticket to complete the upload with."""

    method: str = Field("PUT", description="Always PUT")
    url: str = Field(description="Presigned, expiring URL of the object storage")
    headers: dict[str, str] = Field(description="Headers the PUT must carry (they are signed)")
    ticket: str = Field(description="Hand back to …/assets/direct/complete once the PUT succeeded")
    expires_at: float = Field(description="When the URL and the ticket expire (Unix time)")


class DirectUploadDone(RequestBody):
    ticket: str = Field(min_length=1, max_length=4096)


def _key(settings: Settings) -> bytes:
    # Derived for tickets alone: a ticket can never pass for a signed media URL.
    return hmac.new(url_signing_key(master_secret(settings.key_dir, settings.secret_key)), b"direct upload tickets",
                    hashlib.sha256).digest()


def issue(settings: Settings, store: MediaStore, project: str, principal: str,
          request: DirectUploadRequest) -> DirectUpload:
    if not store.remote:
        raise DirectUploadUnavailableError(
            "media is kept on the server's disk (no AUTEUR_S3_BUCKET): upload with a multipart POST to …/assets")
    ttl = settings.s3_url_ttl_s
    key = f"{UPLOADS_PREFIX}/{uuid.uuid4().hex}/{safe_stem(request.filename)}"
    url = store.url_for_put(key, ttl, content_type=_CONTENT_TYPE)
    assert url is not None  # a remote store signs
    expires = time.time() + ttl
    claims = {"p": project, "u": principal, "k": key, "f": request.filename, "c": request.category, "e": expires}
    payload = base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode()).decode()
    signature = hmac.new(_key(settings), payload.encode(), hashlib.sha256).hexdigest()
    return DirectUpload(url=url, headers={"Content-Type": _CONTENT_TYPE}, ticket=f"{payload}.{signature}",
                        expires_at=expires)


def redeem(settings: Settings, ticket: str, project: str, principal: str) -> dict[str, Any]:
    """The ticket's claims, once its signature, expiry, project and caller are right."""
    payload, _, signature = ticket.partition(".")
    expected = hmac.new(_key(settings), payload.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        raise UploadTicketInvalidError("this upload ticket was not issued by this studio", details={"reason": "forged"})
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload))
    if claims["e"] < time.time():
        raise UploadTicketInvalidError("this upload ticket has expired; ask for a new one", details={"reason": "expired"})
    if claims["p"] != project or claims["u"] != principal:
        raise UploadTicketInvalidError("this upload ticket is for another project or caller", details={"reason": "other"})
    return claims


def receive(store: MediaStore, upload: AssetUpload, key: str) -> None:
    """Stream the uploaded object into the staged asset (limit and sniffing as for multipart),
    then remove the object: the asset goes to storage under its own name once placed."""
    try:
        for chunk in store.read(key):
            upload.write(chunk)
    finally:
        store.delete(key)
