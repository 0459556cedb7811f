"""The run store's interface: what the run manager, routes and ComfyUI views ask of the queue
and history, whichever database holds them — `RunStore` (SQLite, one server per workspace) or
`canvas_server.db.PgRunStore` (PostgreSQL, shared by replicas)."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import ParamSpec, Protocol, TypeVar

from ..engine.record import RunRecord, RunStatus
from .store import (
    ReviewDecisionRow,
    RunHeader,
    RunPage,
    RunRequest,
    RunSummary,
    StoredRun,
    SummaryPage,
)

_P = ParamSpec("_P")
_T = TypeVar("_T")
# As many as the database engine's connections (8 + 8 overflow): a caller beyond them would
# only wait for a connection, and the threads stay bounded whatever the load.
STORE_THREADS = 16
_pool = ThreadPoolExecutor(STORE_THREADS, thread_name_prefix="auteur-store")
log = logging.getLogger("auteur.runs")


async def off_loop(shared: bool, call: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """`call(*args)` of a `shared` (PostgreSQL) store in the stores' bounded thread pool: a slow
    query (a row lock, a far database) holds one of its threads, never the event loop that
    answers every other request. The embedded SQLite stores are local, quick and one connection
    each (not for several threads at once): they are called in place, as before."""
    if not shared:
        return call(*args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_pool, functools.partial(call, *args, **kwargs))


def off_loop_unawaited(shared: bool, call: Callable[_P, object], *args: _P.args, **kwargs: _P.kwargs) -> None:
    """`call(*args)` of a shared store where a caller on the event loop cannot wait for it (a
    callback): handed to the stores' pool, a failure logged. Off the loop, or for a local
    store, it is called in place."""
    if shared:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            _pool.submit(call, *args, **kwargs).add_done_callback(_log_failure)
            return
    call(*args, **kwargs)


def _log_failure(done: Future[object]) -> None:
    if done.exception() is not None:
        log.error("a store call failed in the background", exc_info=done.exception())


# What `renew` answers for a run another server took over (this one's lease on it ran out).
LEASE_LOST = "another server took this run over (this server's lease on it ran out)"


class RunStorage(Protocol):
    """The run queue and history. `shared`: other servers use the same store, so runs are
    leased to the server executing them (renewed by `renew`, taken back from a dead server
    by `reclaim`) and cancelled through the store; a store used by one server only has no leases."""

    shared: bool
    lease_s: float  # how long a lease holds unrenewed (a shared store's)

    def close(self) -> None: ...
    def add(self, run: StoredRun, agents: list[str] | None = None) -> None: ...
    def usage(self, principal: str) -> tuple[int, int]: ...
    def get(self, run_id: str) -> StoredRun | None: ...
    def page(self, *, status: str | None = None, limit: int = 50, offset: int = 0) -> RunPage: ...
    def summaries(self, *, status: str | None = None, project: str | None = None, client_id: str | None = None,
                  principal: str | None = None, batch_id: str | None = None, limit: int = 50,
                  offset: int = 0) -> SummaryPage: ...
    def claim_next(self) -> StoredRun | None: ...
    def queued_lines(self) -> list[list[RunSummary]]: ...
    def line_of(self, run_id: str) -> list[tuple[str, int, float]]: ...
    def place(self, run_id: str, priority: int, queue_pos: float) -> None: ...
    def paused(self) -> bool: ...
    def set_paused(self, paused: bool) -> None: ...
    def finish(self, run_id: str, record: RunRecord, reason: str | None = None) -> None: ...
    def producers(self, output_key: str) -> list[RunHeader]: ...
    def set_status(self, run_id: str, status: RunStatus, reason: str | None = None) -> None: ...
    def recover(self, max_attempts: int) -> tuple[list[str], list[str]]: ...
    def client_runs(self, limit: int = 10_000) -> list[tuple[str, str, str | None]]: ...
    def queued_count(self) -> int: ...
    def counts(self) -> dict[str, int]: ...
    def delete(self, run_id: str) -> bool: ...
    def ever_used(self, run_id: str) -> bool: ...

    # ---- human review (docs/architecture.md §12) -----------------------------------------------------
    def decide(self, run_id: str, decision: ReviewDecisionRow, request: RunRequest, reason: str) -> None:
        """Keep a person's decision and queue the run again with the request it changed."""
        ...

    def decisions(self, run_id: str) -> list[ReviewDecisionRow]:
        """A run's review thread, oldest first."""
        ...

    def jobs(self, *, agent: str | None, status: str | None, review: str | None, principal: str | None,
             limit: int, offset: int) -> SummaryPage:
        """Agent jobs: runs holding an agent node, newest first, filtered (`review` none: never reviewed)."""
        ...

    # ---- leases (a shared store; the SQLite store holds none) --------------------------
    def renew(self, live: dict[str, RunRecord]) -> dict[str, str]:
        """Extend this server's leases on the runs it executes, storing their records so far
        (other servers show their progress); returns the cancellations asked for them
        elsewhere, or LEASE_LOST for one another server took over (run id → reason)."""
        ...

    def request_cancel(self, run_id: str, reason: str) -> bool:
        """Ask the server executing `run_id` to cancel it; False when the run is not running."""
        ...

    def reclaim(self, max_attempts: int) -> tuple[list[str], list[str]]:
        """Runs whose server died (lease ran out): queued again or interrupted, as `recover`."""
        ...
