"""The run manager: accepts runs into the persistent queue and executes them, at most
`concurrent_runs` at a time, forwarding engine events to the event bus."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, Protocol

from nodes.sdk import NODE_SETTLED, RUN_STOPPED, AuteurError, EventType, ReviewAction

from ..engine.cancel import CancelToken
from ..engine.executor import EngineEvent, Executor
from ..engine.record import ErrorInfo, NodeRecord, RunRecord
from ..graph.prompt import ApiPrompt
from ..scrub import scrub_text
from .review import ReviewNotWaitingError, agent_types, decided_prompt, waiting_node
from .storage import LEASE_LOST, RunStorage, off_loop
from .store import FINISHED, ReviewDecisionRow, RunHeader, StoredRun, output_keys
from .throttle import ProgressThrottle

log = logging.getLogger(__name__)
_SHUTDOWN_REASON = "server shutting down"
# A shared store (several servers): how often an idle worker looks for runs queued elsewhere.
SHARED_POLL_S = 0.25


class Publisher(Protocol):
    def publish(
        self, type: str, data: dict[str, Any], *, run_id: str | None = None, project: str | None = None,
        owner: str | None = None,
    ) -> Any: ...


class RunNotFoundError(AuteurError):
    code = "run_not_found"


BROKER_DOWN = ("the task broker (AUTEUR_BROKER_URL) is unreachable; queued runs wait and "
               "proceed when it answers again")
BROKER_RETRY_S = 1.0


class RunFinishedError(AuteurError):
    code = "conflict"


class RunNotQueuedError(AuteurError):
    code = "conflict"


Move = Literal["up", "down", "front", "back"]


class RunManager:
    def __init__(
        self,
        store: RunStorage,
        executor: Executor,
        events: Publisher,
        *,
        concurrency: int = 2,
        progress_interval: float = 0.1,
        resume_attempts: int = 2,
        project_root: Callable[[str], Path | None] = lambda project: None,
        on_audit: Callable[[StoredRun, dict[str, Any]], object] = lambda run, data: None,
        on_ended: Callable[[StoredRun, str, dict[str, Any]], object] = lambda run, status, data: None,
        on_decided: Callable[[StoredRun, list[ReviewDecisionRow]], object] = lambda run, thread: None,
    ) -> None:
        self.store = store
        self.executor = executor
        self.events = events
        self.concurrency = max(1, concurrency)
        self.progress_interval = progress_interval
        self.resume_attempts = resume_attempts
        self.project_root = project_root
        self.on_audit = on_audit  # a node's `node_audit` event, written down with the run's principal
        self.on_ended = on_ended  # a run ended or waits for review (its record stored): the webhooks are told
        self.on_decided = on_decided  # a person decided: the run's review thread is kept in its project
        self._tickets: asyncio.Queue[None] = asyncio.Queue()
        self._workers: list[asyncio.Task[None]] = []
        self._tokens: dict[str, CancelToken] = {}
        self._live: dict[str, RunRecord] = {}
        self._stopping = False
        self._resumed = asyncio.Event()  # clear while the queue is paused
        self._heartbeat: asyncio.Task[None] | None = None
        self._lost: set[str] = set()  # runs another server took over (their lease ran out here)
        self.runner_problem: str | None = None

    # ---- lifecycle ------------------------------------------------------------------

    async def start(self) -> None:
        resumed, interrupted = await off_loop(self.store.shared, self.store.recover, self.resume_attempts)
        await self._announce_interrupted(interrupted)
        if resumed or interrupted:
            log.warning("restored queue: %d run(s) resumed, %d interrupted", len(resumed), len(interrupted))
        for _ in range(await off_loop(self.store.shared, self.store.queued_count)):
            self._tickets.put_nowait(None)
        if not await off_loop(self.store.shared, self.store.paused):
            self._resumed.set()
        self._workers = [asyncio.create_task(self._work(), name=f"run-worker-{i}") for i in range(self.concurrency)]
        if self.store.shared:
            self._heartbeat = asyncio.create_task(self._keep_leases(), name="run-leases")

    async def _announce_interrupted(self, interrupted: list[str]) -> None:
        for run_id in interrupted:
            run = await off_loop(self.store.shared, self.store.get, run_id)
            self.events.publish(EventType.RUN_INTERRUPTED, {"status": "interrupted", "reason": run.reason if run else None},
                                run_id=run_id, project=run.project if run else None,
                                owner=run.principal if run else None)
            if run is not None:
                self._ended(run, "interrupted", {"reason": run.reason})

    async def _keep_leases(self) -> None:
        """A shared store: renew the leases of the runs executing here (a third of a lease
        apart), cancel those cancelled elsewhere or taken over, and take back the runs of
        servers that died (their leases ran out)."""
        interval = self.store.lease_s / 3
        while not self._stopping:
            try:
                live = {run_id: record.model_copy(deep=True) for run_id, record in self._live.items()}
                for run_id, reason in (await off_loop(self.store.shared, self.store.renew, live)).items():
                    if reason == LEASE_LOST:
                        self._lost.add(run_id)
                    token = self._tokens.get(run_id)
                    if token is not None:
                        token.cancel(reason)
                resumed, interrupted = await off_loop(self.store.shared, self.store.reclaim, self.resume_attempts)
            except Exception:  # the database is away: keep trying, leases are renewed when it returns
                log.exception("renewing run leases failed")
                resumed, interrupted = [], []
            await self._announce_interrupted(interrupted)
            for run_id in resumed:
                log.warning("run %s resumed: the server running it stopped", run_id)
                self._tickets.put_nowait(None)
            await asyncio.sleep(interval)

    async def stop(self, grace: float = 5.0) -> None:
        """Stop executing; running runs go back to the queue and resume on the next start."""
        self._stopping = True
        self._resumed.set()  # a paused worker wakes to see it is stopping
        if self._heartbeat is not None:
            self._heartbeat.cancel()
        for token in self._tokens.values():
            token.cancel(_SHUTDOWN_REASON)
        for _ in self._workers:
            self._tickets.put_nowait(None)
        _, pending = await asyncio.wait(self._workers, timeout=grace) if self._workers else (set(), set())
        for task in pending:
            task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers = []

    # ---- API ------------------------------------------------------------------------

    async def submit(self, run: StoredRun) -> StoredRun:
        await off_loop(self.store.shared, self.store.add, run, agent_types(run.request.prompt, self.executor.registry))
        _log_for(run, f"queued (tier {run.tier}{', project ' + run.project if run.project else ''})")
        self._publish(run, EventType.RUN_QUEUED, {"status": "queued", "tier": run.tier})
        self._tickets.put_nowait(None)
        return run

    async def read(self, run_id: str) -> StoredRun:
        """A run as stored, with its live record while it executes here; the store is read off
        the event loop (a shared store's: `off_loop`). There is no synchronous twin: a shared
        store is never asked on the loop."""
        return self._with_live(run_id, await off_loop(self.store.shared, self.store.get, run_id))

    def _with_live(self, run_id: str, run: StoredRun | None) -> StoredRun:
        """The stored run, with the live record of a run executing here (on the loop: the
        executor changes it there)."""
        if run is None:
            raise RunNotFoundError(f"no run with id {run_id!r}", details={"run_id": run_id})
        live = self._live.get(run_id)
        if live is not None and run.status == "running":
            run.record = live.model_copy(deep=True)
        return run

    def producers(self, output_key: str) -> list[RunHeader]:
        """The runs that made the output folder `output_key`: finished ones from the store,
        and running ones whose node with that key has completed (a live preview)."""
        found = self.store.producers(output_key)
        for run_id, record in list(self._live.items()):
            if output_key in output_keys(record):
                run = self.store.get(run_id)
                if run is not None:
                    found.append(run)
        return found

    async def cancel(self, run_id: str, reason: str = "cancelled by user") -> StoredRun:
        run = await self.read(run_id)
        if run.status in FINISHED:
            raise RunFinishedError(f"run {run_id} already ended ({run.status})", details={"status": run.status})
        token = self._tokens.get(run_id)
        shared = self.store.shared
        if token is not None:
            token.cancel(reason)
        elif run.status == "running" and await off_loop(shared, self.store.request_cancel, run_id, reason):
            pass  # executing on another server: its lease heartbeat sees the request and cancels
        else:
            await off_loop(shared, self.store.finish, run_id, _record_for(run, "cancelled", reason), reason)
            claimed = self._tokens.get(run_id)
            if claimed is not None:  # claimed here while the store was asked: its execution stops too
                claimed.cancel(reason)
            self._publish(run, EventType.RUN_CANCELLED, {"status": "cancelled", "reason": reason})
            self._ended(run, "cancelled", {"reason": reason})
        return await self.read(run_id)

    async def decide(self, run_id: str, principal: str, action: ReviewAction, *, node_id: str | None = None,
                     content: str | None = None, note: str | None = None) -> StoredRun:
        """A person's decision about a run waiting for review: kept in its thread, and the run
        queued again with its prompt changed by the decision (runs/review.py)."""
        shared = self.store.shared
        run = await self.read(run_id)
        if run.status != "awaiting_review":
            raise ReviewNotWaitingError(f"run {run_id} is {run.status}, not awaiting review",
                                        details={"status": run.status})
        node_id, wait = waiting_node(run.record, node_id)
        thread = await off_loop(shared, self.store.decisions, run_id)
        prompt = decided_prompt(run.request.prompt, self.executor.registry, node_id, wait, action,
                                content=content, note=note, thread=thread)
        row = ReviewDecisionRow(node_id=node_id, action=action, note=note, content=content, principal=principal,
                                decided_at=time.time())
        request = run.request.model_copy(update={"prompt": prompt})
        await off_loop(shared, self.store.decide, run_id, row, request, f"{action.replace('_', ' ')} by {principal}")
        decided = await self.read(run_id)
        self.on_decided(decided, [*thread, row])
        _log_for(decided, f"review of node {node_id}: {decided.reason}; queued again")
        self._publish(decided, EventType.RUN_QUEUED, {"status": "queued", "reason": decided.reason})
        self._tickets.put_nowait(None)
        return decided

    async def delete(self, run_id: str) -> None:
        run = await self.read(run_id)
        if run.status not in FINISHED:
            raise RunFinishedError(f"run {run_id} is {run.status}; cancel it before deleting it",
                                   details={"status": run.status})
        await off_loop(self.store.shared, self.store.delete, run_id)

    def counts(self) -> dict[str, int]:
        return self.store.counts()

    # ---- queue control (docs/architecture.md §12) ---------------------------------------------------

    @property
    def paused(self) -> bool:
        return not self._resumed.is_set()

    async def pause(self) -> None:
        """Start no more runs (running ones finish); persisted, so a restart stays paused."""
        await off_loop(self.store.shared, self.store.set_paused, True)
        self._resumed.clear()

    async def resume(self) -> None:
        await off_loop(self.store.shared, self.store.set_paused, False)
        self._resumed.set()

    # A queued run's place: read and changed in the store only (the stores' pool for a shared
    # one, through `_requeue`), so the whole change is one hop off the event loop.

    async def _requeue(self, change: Callable[[], None], run_id: str) -> StoredRun:
        await off_loop(self.store.shared, change)
        return await self.read(run_id)

    def _queued(self, run_id: str) -> list[tuple[str, int, float]]:
        run = self.store.get(run_id)
        if run is None:
            raise RunNotFoundError(f"no run with id {run_id!r}", details={"run_id": run_id})
        if run.status != "queued":
            raise RunNotQueuedError(f"run {run_id} is {run.status}; only a queued run can be moved",
                                    details={"status": run.status})
        return self.store.line_of(run_id)

    async def move(self, run_id: str, to: Move) -> StoredRun:
        """Move a queued run within its principal's line: one place up or down (it takes its
        neighbour's priority and place, the neighbour takes its own), to the front or the back."""
        return await self._requeue(lambda: self._move(run_id, to), run_id)

    def _move(self, run_id: str, to: Move) -> None:
        line = self._queued(run_id)
        index = next(i for i, (other, _, _) in enumerate(line) if other == run_id)
        if to in ("up", "down"):
            other = index - 1 if to == "up" else index + 1
            if 0 <= other < len(line):
                (_, mine_priority, mine_pos), (other_id, other_priority, other_pos) = line[index], line[other]
                self.store.place(run_id, other_priority, other_pos)
                self.store.place(other_id, mine_priority, mine_pos)
        elif to == "front" and index > 0:
            self.store.place(run_id, line[0][1], line[0][2] - 1.0)
        elif to == "back" and index < len(line) - 1:
            self.store.place(run_id, line[-1][1], line[-1][2] + 1.0)

    async def prioritize(self, run_id: str, priority: int) -> StoredRun:
        def change() -> None:
            line = self._queued(run_id)
            self.store.place(run_id, priority, next(pos for other, _, pos in line if other == run_id))

        return await self._requeue(change, run_id)

    async def place_at(self, run_id: str, position: float) -> StoredRun:
        """Put a queued run at `position` in its principal's line (positions are submission
        times in seconds: ComfyUI's `number`, in milliseconds, maps onto them)."""
        def change() -> None:
            line = self._queued(run_id)
            self.store.place(run_id, next(level for other, level, _ in line if other == run_id), position)

        return await self._requeue(change, run_id)

    # ---- execution ------------------------------------------------------------------

    async def _work(self) -> None:
        while not self._stopping:
            await self._next_ticket()
            await self._resumed.wait()
            if self._stopping:
                return
            await self._until_runner_answers()
            if self._stopping:
                return
            run = await off_loop(self.store.shared, self.store.claim_next)
            if run is not None:
                await self._execute(run)

    async def _next_ticket(self) -> None:
        """A run was queued here; with a shared store, also a poll for runs queued elsewhere
        (and for the queue paused or resumed elsewhere)."""
        if not self.store.shared:
            await self._tickets.get()
            return
        while not self._stopping:
            try:
                await asyncio.wait_for(self._tickets.get(), SHARED_POLL_S)
            except TimeoutError:
                pass
            if not await off_loop(self.store.shared, self.store.paused):  # paused or resumed on any server
                self._resumed.set()
                return
            self._resumed.clear()

    async def _until_runner_answers(self) -> None:
        """Hold queued runs while the runner's broker is down; they proceed when it returns."""
        runner = self.executor.runner
        while not self._stopping and not await asyncio.to_thread(runner.healthy):
            if self.runner_problem is None:
                self.runner_problem = BROKER_DOWN
                log.warning(BROKER_DOWN)
            await asyncio.sleep(BROKER_RETRY_S)
        self.runner_problem = None

    async def _execute(self, run: StoredRun) -> None:
        _log_for(run, "started")
        token = CancelToken()
        record = _record_for(run, "running")
        self._tokens[run.run_id], self._live[run.run_id] = token, record
        held: list[tuple[str, dict[str, Any]]] = []
        throttle = ProgressThrottle(
            lambda data: self._publish(run, EventType.NODE_PROGRESS, data),
            self.progress_interval,
        )

        def on_event(event: EngineEvent) -> None:
            if event.type == EventType.NODE_PROGRESS:
                throttle.offer(dict(event.data))
                return
            if event.type == EventType.NODE_AUDIT:
                self.on_audit(run, dict(event.data))
            if "node_id" in event.data and event.type in NODE_SETTLED:
                throttle.node_finished(str(event.data["node_id"]))
            if event.type in RUN_STOPPED:
                # Announced only once the record is stored, so a client that reacts to
                # `run_completed` by fetching the run sees the final record.
                held.append((event.type, dict(event.data)))
                return
            self._publish(run, event.type, dict(event.data))

        try:
            record = await self.executor.run(
                ApiPrompt.model_validate(run.request.prompt), run_id=run.run_id, tier=run.tier,
                targets=run.request.targets, project=run.project,
                project_root=self.project_root(run.project) if run.project else None,
                on_event=on_event, cancel=token, record=record, principal=run.principal,
            )
        except Exception as exc:
            log.exception("run %s crashed the executor", run.run_id)
            record.status, record.finished_at = "failed", time.time()
            message = scrub_text(f"{type(exc).__name__}: {exc}", self.executor.workspace)
            record.errors.append(ErrorInfo(code="internal_error", message=message))
            held = [("run_failed", {"errors": [e.model_dump() for e in record.errors]})]
        finally:
            throttle.close()
            self._tokens.pop(run.run_id, None)
            self._live.pop(run.run_id, None)
        await self._conclude(run, record, held)

    def _ended(self, run: StoredRun, status: str, data: dict[str, Any]) -> None:
        """A run ended, its record stored: its principal's log line, then the webhooks."""
        why = "; ".join(str(error.get("message")) for error in data.get("errors") or []) or data.get("reason")
        _log_for(run, status + (f": {why}" if why else ""))
        self.on_ended(run, status, data)

    def _publish(self, run: StoredRun, event_type: str, data: dict[str, Any]) -> None:
        """A run's event, recorded with the principal that owns the run (replay decides by it)."""
        self.events.publish(event_type, data, run_id=run.run_id, project=run.project, owner=run.principal)

    async def _conclude(self, run: StoredRun, record: RunRecord, held: list[tuple[str, dict[str, Any]]]) -> None:
        if run.run_id in self._lost:
            self._lost.discard(run.run_id)
            return  # another server runs it now and will record how it ends
        if self._stopping and record.status == "cancelled" and token_reason(record) == _SHUTDOWN_REASON:
            await off_loop(self.store.shared, self.store.set_status, run.run_id, "queued", "resumed after a server restart")
            return
        if any(error.code == "broker_unavailable" for error in record.errors):
            # The broker went away mid-run: queue it again; cached nodes are not redone.
            await off_loop(self.store.shared, self.store.set_status, run.run_id, "queued", BROKER_DOWN)
            self._publish(run, EventType.RUN_QUEUED, {"status": "queued", "reason": BROKER_DOWN})
            self._tickets.put_nowait(None)
            return
        await off_loop(self.store.shared, self.store.finish, run.run_id, record)
        for event_type, data in held:
            self._publish(run, event_type, {"status": record.status, **data})
        errors = [{"code": error.code, "message": error.message} for error in record.errors]
        told: dict[str, Any] = {"errors": errors, "reason": token_reason(record)}
        if record.status == "awaiting_review":
            told["waiting"] = {node_id: wait.reasons for node_id, wait in record.reviews.items()}
        self._ended(run, record.status, told)


def _log_for(run: StoredRun, what: str) -> None:
    """A line about `run` that belongs to its principal (ComfyUI's log panel shows a principal
    its own lines: `comfy.logs`). INFO: the server's stderr keeps to warnings."""
    log.info("run %s %s", run.run_id, what, extra={"principal": run.principal})


def token_reason(record: RunRecord) -> str | None:
    cancelled = [error.message for error in record.errors if error.code == "cancelled"]
    return cancelled[-1] if cancelled else None


def _record_for(run: StoredRun, status: Any, reason: str | None = None) -> RunRecord:
    """A record for a run the executor has not (yet) produced one for."""
    nodes = {
        node_id: NodeRecord(type=str(node.get("class_type", "")), status="cancelled" if status == "cancelled" else "pending")
        for node_id, node in run.request.prompt.items() if isinstance(node, dict)
    }
    now = time.time()
    errors = [ErrorInfo(code="cancelled", message=reason)] if status == "cancelled" and reason else []
    return RunRecord(
        run_id=run.run_id, status=status, tier=run.tier, project=run.project, created_at=run.created_at,
        started_at=now if status == "running" else None,
        finished_at=now if status in FINISHED else None, nodes=nodes, errors=errors,
    )
