"""Refuses request bodies over a size limit with a 413 in the error shape, before the
application reads them (by Content-Length, and by counting a streamed body)."""

from __future__ import annotations

import re

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import send_error


class BodyTooLargeError(StarletteHTTPException):
    """An HTTPException so that FastAPI's body parsing re-raises it unchanged (-> 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body exceeds {limit} bytes")


class BodySizeLimit:
    """ASGI middleware for every route of an app, save the POSTs whose path matches `uploads`
    (a regular expression): those routes stream their body to disk under their own, larger
    limit (`AUTEUR_MAX_UPLOAD_MB`)."""

    def __init__(self, app: ASGIApp, max_bytes: int, uploads: str | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.uploads = re.compile(uploads) if uploads else None

    def _is_upload(self, scope: Scope) -> bool:
        return self.uploads is not None and scope["method"] == "POST" and bool(self.uploads.fullmatch(scope["path"]))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._is_upload(scope):
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await self._refuse(send)
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLargeError(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLargeError:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        await send_error(send, 413, "request_too_large", f"request body exceeds {self.max_bytes} bytes",
                         {"limit": self.max_bytes})
