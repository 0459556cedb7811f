"""The cooperative cancel flag a local runner process polls while a node runs.

One byte of shared memory rather than a `multiprocessing.Event`: an Event is five named POSIX
semaphores that only an orderly interpreter exit unlinks, and a server stopped by a signal
(uvicorn re-raises SIGTERM) left them to the resource tracker ("leaked semaphore objects").
One writer (the parent) and one reader (the worker) need no lock for a single byte.
"""

from __future__ import annotations

import ctypes
from multiprocessing.context import BaseContext
from typing import Any


class CancelFlag:
    """Set by the parent to ask the worker's running node to stop; cleared per task."""

    def __init__(self, context: BaseContext) -> None:
        self._value: Any = context.RawValue(ctypes.c_bool, False)

    def set(self) -> None:
        self._value.value = True

    def clear(self) -> None:
        self._value.value = False

    def is_set(self) -> bool:
        return bool(self._value.value)
