"""The stores' one bounded thread pool: a shared (PostgreSQL) store is asked there, never on
the event loop that answers every request (docs/architecture.md §12). Below the run queue and
the engine, so both use it (the run store, the result cache's index)."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import ParamSpec, TypeVar

_P = ParamSpec("_P")
_T = TypeVar("_T")
# As many as the database engine's connections (8 + 8 overflow): a caller beyond them would
# only wait for a connection, and the threads stay bounded whatever the load.
STORE_THREADS = 16
_pool = ThreadPoolExecutor(STORE_THREADS, thread_name_prefix="auteur-store")
log = logging.getLogger("auteur.stores")


async def off_loop(shared: bool, call: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """`call(*args)` of a `shared` (PostgreSQL) store in the stores' bounded thread pool: a slow
    query (a row lock, a far database) holds one of its threads, never the event loop that
    answers every other request. The embedded SQLite stores are local, quick and one connection
    each (not for several threads at once): they are called in place, as before."""
    if not shared:
        return call(*args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_pool, functools.partial(call, *args, **kwargs))


def on_event_loop() -> bool:
    """Whether this thread is running an asyncio event loop (where no shared store is asked)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def off_loop_unawaited(shared: bool, call: Callable[_P, object], *args: _P.args, **kwargs: _P.kwargs) -> None:
    """`call(*args)` of a shared store where a caller on the event loop cannot wait for it (a
    callback): handed to the stores' pool, a failure logged. Off the loop, or for a local
    store, it is called in place."""
    if shared and on_event_loop():
        _pool.submit(call, *args, **kwargs).add_done_callback(_log_failure)
        return
    call(*args, **kwargs)


def _log_failure(done: Future[object]) -> None:
    if done.exception() is not None:
        log.error("a store call failed in the background", exc_info=done.exception())
