"""The browser boundary (docs/architecture.md §6): what a web page the user happens to visit may make this
server do. One ASGI middleware, installed on both apps, in front of every route and both
WebSocket handshakes.

- **Host** must be one this server answers to: loopback names (127.0.0.0/8, localhost, ::1, any
  port), the bind address and `AUTEUR_ALLOWED_HOSTS`. A DNS-rebinding page reaches 127.0.0.1
  under its own name, so its requests carry `Host: evil.example` and are refused before they
  read anything. An IP literal is never a rebinding (a page at that address is same-origin
  anyway), so a server bound to a wildcard address answers any IP: speakers fetching
  `AUTEUR_PUBLIC_URL` by address need nothing more; a name there goes in `AUTEUR_ALLOWED_HOSTS`.
- **Origin**, when a browser sends it, must be this server's own or in `AUTEUR_ALLOWED_ORIGINS`,
  on every state-changing request and every WebSocket handshake (browsers do not apply CORS to
  WebSockets). A request without Origin is a non-browser client and passes.
- **Content-Type**: a body sent to a JSON route must be `application/json`, so a page cannot use
  a CORS-simple type (`text/plain`, a form) to skip the preflight; multipart upload routes are
  simple requests by nature and rely on the Origin check. The ComfyUI app also takes urllib's
  default type from clients that are not browsers, because ComfyUI's own example script sends it,
  and any type on its settings and userdata routes, whose bodies ComfyUI's frontend sends
  untyped (raw files, JSON text): like uploads they rely on the Origin check.
- **CORS** is answered only for `AUTEUR_ALLOWED_ORIGINS`; with none configured there is none.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from nodes.sdk import is_loopback_host

from ..settings import Settings
from .errors import error_response

_WILDCARD_BINDS = frozenset({"0.0.0.0", "::", ""})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
_FORM_TYPES = frozenset({"", "application/x-www-form-urlencoded"})
_POLICY_VIOLATION = 1008
# Sec-Fetch-Site values a browser sends for a request that a page of another site started.
_FOREIGN_FETCH = frozenset({"cross-site", "same-site"})


def split_host(value: str) -> tuple[str, int | None] | None:
    """`host[:port]` or `[v6]:port` as (lower-case host, port); None when malformed."""
    value = value.strip().lower()
    if value.startswith("["):
        host, closed, rest = value[1:].partition("]")
        if not closed:
            return None
    elif value.count(":") > 1:  # a bare IPv6 address, no port
        host, rest = value, ""
    else:
        host, colon, port = value.partition(":")
        rest = colon + port
    if not host or (rest and not (rest.startswith(":") and rest[1:].isdigit())):
        return None
    return host, int(rest[1:]) if rest else None


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def origin_key(origin: str) -> tuple[str, str, int] | None:
    """An origin (`scheme://host[:port]`) as (scheme, host, port) with the default port filled."""
    parts = urlsplit(origin.strip().lower())
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    try:
        port = parts.port or _DEFAULT_PORTS[parts.scheme]
    except ValueError:
        return None
    return parts.scheme, parts.hostname, port


@dataclass(frozen=True)
class BoundaryPolicy:
    """What one app accepts from browsers; built from the settings by `for_app`."""

    hosts: frozenset[str]
    any_host: bool = False
    any_ip_host: bool = False
    origins: frozenset[tuple[str, str, int]] = frozenset()
    upload_paths: tuple[re.Pattern[str], ...] = ()
    urllib_default_type: bool = False  # the ComfyUI app: see the module docstring
    untyped_paths: tuple[re.Pattern[str], ...] = ()  # likewise

    @classmethod
    def for_app(cls, settings: Settings, upload_paths: Iterable[str] = (),
                urllib_default_type: bool = False, untyped_paths: Iterable[str] = ()) -> BoundaryPolicy:
        configured = [host.strip().lower() for host in settings.allowed_hosts]
        hosts = {host for host in configured if host != "*"}
        bind = settings.host.strip().lower().strip("[]")
        if bind not in _WILDCARD_BINDS:
            hosts.add(bind)
        origins = {key for origin in settings.allowed_origins if (key := origin_key(origin)) is not None}
        return cls(hosts=frozenset(hosts), any_host="*" in configured, any_ip_host=bind in _WILDCARD_BINDS,
                   origins=frozenset(origins), upload_paths=tuple(re.compile(path) for path in upload_paths),
                   urllib_default_type=urllib_default_type,
                   untyped_paths=tuple(re.compile(path) for path in untyped_paths))

    def host_allowed(self, host_header: str | None) -> bool:
        if host_header is None or self.any_host:
            return True  # no Host at all: HTTP/1.0, never a browser
        parsed = split_host(host_header)
        if parsed is None:
            return False
        host = parsed[0]
        return is_loopback_host(host) or host in self.hosts or (self.any_ip_host and _is_ip(host))

    def origin_allowed(self, origin: str, host_header: str | None, scheme: str) -> bool:
        """Same origin as the request (the Host it was sent to), or configured."""
        key = origin_key(origin)
        if key is None:  # `null` (sandboxed frames, file://) and garbage
            return False
        if key in self.origins:
            return True
        parsed = split_host(host_header or "")
        if parsed is None:
            return False
        host, port = parsed
        # Behind a TLS proxy the request arrives as http while the page is https: compare host
        # and port only, with the default port of the origin's own scheme.
        return key[1] == host and key[2] == (port or _DEFAULT_PORTS.get(key[0], _DEFAULT_PORTS[scheme]))

    def is_upload(self, path: str) -> bool:
        return any(pattern.match(path) for pattern in self.upload_paths)


def _media_type(headers: Headers) -> str:
    return headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _has_body(headers: Headers) -> bool:
    length = headers.get("content-length")
    if length is not None:
        return length.strip() not in ("", "0")
    return "transfer-encoding" in headers


def _is_json(media_type: str) -> bool:
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


class BrowserBoundary:
    """ASGI middleware: refuses what a foreign page could make a browser send (see module doc)."""

    def __init__(self, app: ASGIApp, policy: BoundaryPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        refusal = self.refusal(scope)
        if refusal is None:
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            # Closing before accepting answers the handshake with 403; the page learns nothing.
            await send({"type": "websocket.close", "code": _POLICY_VIOLATION, "reason": refusal[1][:120]})
        else:
            code, message, status = refusal
            await error_response(code, message, status=status)(scope, receive, send)

    def refusal(self, scope: Scope) -> tuple[str, str, int] | None:
        """(code, message, status) of the refusal, or None when the request may pass."""
        headers = Headers(scope=scope)
        host = headers.get("host")
        if not self.policy.host_allowed(host):
            return ("host_not_allowed", "this server does not answer to this Host name; add it to "
                    "AUTEUR_ALLOWED_HOSTS to use it", 403)
        websocket = scope["type"] == "websocket"
        method = "GET" if websocket else str(scope["method"]).upper()
        if not websocket and method in _SAFE_METHODS:
            return None
        origin = headers.get("origin")
        if origin is not None:
            if not self.policy.origin_allowed(origin, host, str(scope.get("scheme", "http"))):
                return ("origin_not_allowed", "requests from another web origin are refused; add it to "
                        "AUTEUR_ALLOWED_ORIGINS to allow it", 403)
        elif headers.get("sec-fetch-site") in _FOREIGN_FETCH:
            return ("origin_not_allowed", "requests started by another site are refused", 403)
        if websocket or not _has_body(headers):
            return None
        return self._content_type_refusal(str(scope["path"]), headers)

    def _content_type_refusal(self, path: str, headers: Headers) -> tuple[str, str, int] | None:
        media_type = _media_type(headers)
        if self.policy.is_upload(path):
            if media_type == "multipart/form-data":
                return None
            return ("unsupported_media_type", "uploads are sent as multipart/form-data", 415)
        if _is_json(media_type) or any(pattern.match(path) for pattern in self.policy.untyped_paths):
            return None
        browser = "origin" in headers or "sec-fetch-site" in headers
        if self.policy.urllib_default_type and media_type in _FORM_TYPES and not browser:
            return None
        return ("unsupported_media_type", "send the body as JSON with `Content-Type: application/json`", 415)


def install_boundary(app: FastAPI, settings: Settings, *, upload_paths: Iterable[str] = (),
                     urllib_default_type: bool = False, untyped_paths: Iterable[str] = ()) -> None:
    """The boundary (outermost of the two) and, only for configured origins, CORS."""
    if settings.allowed_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.allowed_origins), allow_methods=["*"],
                           allow_headers=["authorization", "content-type"])
    policy = BoundaryPolicy.for_app(settings, upload_paths, urllib_default_type, untyped_paths)
    app.add_middleware(BrowserBoundary, policy=policy)
