"""CancelToken: how a caller asks a running execution to stop."""

from __future__ import annotations

import asyncio


class CancelToken:
    """Set once; the executor waits on it alongside the running nodes."""

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self.reason: str | None = None

    def cancel(self, reason: str = "cancelled by user") -> None:
        if not self._event.is_set():
            self.reason = reason
            self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    async def wait(self) -> None:
        await self._event.wait()
