"""Signed, expiring media URLs: how a device that cannot send our token (a Sonos speaker)
fetches a take from our server.

`{public}/media/signed/{expires}/{signature}/{workspace-relative path}` — the path comes
last so the URL ends with the file's extension (players sniff it). The signature is
HMAC-SHA256 over the expiry and the path; the server checks both before serving a byte.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import quote

SIGNED_MEDIA_PREFIX = "/media/signed"  # the server serves these; a node only signs


def _signature(key: bytes, expires: int, path: str) -> str:
    digest = hmac.new(key, f"{expires}\n{path}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def signed_path(key: bytes, path: str, ttl_s: int, *, now: float | None = None) -> str:
    """The URL path (under SIGNED_MEDIA_PREFIX) for a workspace-relative file, valid for ttl_s."""
    expires = int((now if now is not None else time.time()) + ttl_s)
    return f"{SIGNED_MEDIA_PREFIX}/{expires}/{_signature(key, expires, path)}/{quote(path)}"


def signed_url(public_url: str, key: bytes, path: str, ttl_s: int) -> str:
    return public_url.rstrip("/") + signed_path(key, path, ttl_s)


def verify_signed_path(key: bytes, expires: int, signature: str, path: str, *, now: float | None = None) -> str | None:
    """None when the URL is valid, else why not ('expired' or 'forged')."""
    # bytes: compare_digest refuses non-ASCII str, and a URL may carry anything
    if not hmac.compare_digest(_signature(key, expires, path).encode(), signature.encode("utf-8", "replace")):
        return "forged"
    if expires < (now if now is not None else time.time()):
        return "expired"
    return None
