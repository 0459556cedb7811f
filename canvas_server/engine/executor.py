"""The executor: runs a prompt's needed nodes, cached, in parallel, cancellably.

Cheap `inline` nodes run on the event loop; `runner` nodes are dispatched to a Function
Runner, as many at once as its capacity allows. A failing node skips only its
descendants. Cancelling stops dispatch and kills the running nodes' processes. Every node,
and every item of a list, runs through the one `Dispatcher` (engine.dispatch).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from function_runners.base import Runner, TaskCallbacks
from function_runners.execute import error_from
from function_runners.result_cache import ResultCache
from function_runners.tiers import DEFAULT_TIER, TierConfig
from nodes.sdk import AWAITING_REVIEW, AuteurError, EventType, NodeRegistry, ReviewWait
from nodes.sdk.storage import MediaStore

from ..graph.prompt import ApiPrompt
from ..scrub import scrub, scrub_text
from .cancel import CancelToken
from .dispatch import Dispatcher, Job, Outcome, RunScope
from .items import run_items
from .plan import Plan, PlannedNode, SplitMemo, build_plan
from .record import ErrorInfo, NodeRecord, RunRecord

INLINE_YIELD_EVERY = 64
log = logging.getLogger("auteur.runs")
TERMINAL = frozenset({"cached", "completed", "failed", "skipped", "cancelled"})


@dataclass(frozen=True, slots=True)
class EngineEvent:
    """An execution event; the server stamps `seq`/`ts` and routes it to subscribers."""

    type: str
    run_id: str
    data: dict[str, Any] = field(default_factory=dict)


EventCallback = Callable[[EngineEvent], None]


class Executor:
    """Shared across runs: registry, runner, cache, tiers, the workspace, and the one
    dispatcher every node and list item runs through."""

    def __init__(
        self,
        *,
        registry: NodeRegistry,
        runner: Runner,
        cache: ResultCache,
        tiers: TierConfig,
        workspace: Path,
        allowed_dirs: list[Path] | None = None,
        load_plugins: list[str] | None = None,
        media: MediaStore | None = None,
    ) -> None:
        self.registry = registry
        self.runner = runner
        self.cache = cache
        self.tiers = tiers
        self.workspace = workspace.resolve()
        self.splits = SplitMemo()  # a rerun plans only the nodes it changed
        self.dispatcher = Dispatcher(
            registry=registry, runner=runner, cache=cache, workspace=self.workspace,
            allowed_dirs=[str(Path(d).resolve()) for d in allowed_dirs or []], load_plugins=load_plugins,
            media=media,
        )

    async def run(
        self,
        prompt: ApiPrompt,
        *,
        run_id: str | None = None,
        tier: str = DEFAULT_TIER,
        targets: list[str] | None = None,
        project: str | None = None,
        project_root: Path | None = None,
        on_event: EventCallback | None = None,
        cancel: CancelToken | None = None,
        record: RunRecord | None = None,
        principal: str | None = None,
    ) -> RunRecord:
        run_id = run_id or uuid.uuid4().hex
        record = record or RunRecord(run_id=run_id, tier=tier, project=project, created_at=time.time())
        scope = self.dispatcher.scope(
            run_id=run_id, prompt=prompt, tier=tier, project=project,
            project_root=str(project_root.resolve()) if project_root else None, principal=principal,
            cancel=cancel or CancelToken(),
        )
        execution = _RunExecution(self, prompt, record, scope, tier=tier, targets=targets,
                                  on_event=on_event or (lambda event: None))
        return await execution.execute()


class _RunExecution:
    """The state of one run while it executes: its record, events and scheduling."""

    def __init__(
        self,
        executor: Executor,
        prompt: ApiPrompt,
        record: RunRecord,
        scope: RunScope,
        *,
        tier: str,
        targets: list[str] | None,
        on_event: EventCallback,
    ) -> None:
        self.ex = executor
        self.dispatcher = executor.dispatcher
        self.scope = scope
        self.prompt = prompt
        self.record = record
        self.tier = tier
        self.targets = targets
        self.on_event = on_event
        self.cancel = scope.cancel
        self.nodes: dict[str, PlannedNode] = {}
        self.results: dict[str, dict[str, Any]] = {}
        self.waiting: dict[str, int] = {}
        self.ready: deque[str] = deque()
        self.running: dict[asyncio.Task[Outcome], str] = {}
        self.reachable: dict[str, tuple[str, ...]] = {}  # node → its and its ancestors' output folders

    def emit(self, event_type: str, **data: Any) -> None:
        self.on_event(EngineEvent(event_type, self.record.run_id, data))

    async def execute(self) -> RunRecord:
        record = self.record
        record.status, record.started_at = "running", time.time()
        self.emit(EventType.RUN_STARTED, tier=self.tier, project=self.scope.project)
        sandbox = self.scope.sandbox
        try:
            plan = build_plan(self.prompt, self.ex.registry, self.ex.tiers, tier=self.tier,
                              targets=self.targets, nonce=record.run_id, scope=self.scope.key,
                              file_digest=lambda path: self.dispatcher.file_digest(sandbox, path),
                              shot_list_digest=lambda: self.dispatcher.shot_list_digest(self.scope),
                              memo=self.ex.splits)
        except AuteurError as exc:  # PlanError, or an unknown tier
            record.errors.append(ErrorInfo(code=exc.code, message=exc.message, details=exc.details))
            return self.finish()
        self.nodes = plan.nodes
        await self.dispatcher.preload(node.key for node in plan.nodes.values()
                                      if node.spec.cache and not node.fans_out)
        self.prepare(plan)
        try:
            await self.loop()
        except asyncio.CancelledError:
            await self.stop_running("interrupted: the executor was shut down")
            record.status = "interrupted"
            raise
        if self.cancel.cancelled:
            await self.stop_running(self.cancel.reason or "cancelled")
        await self.dispatcher.flush()
        return self.finish()

    def prepare(self, plan: Plan) -> None:
        records = self.record.nodes
        for node_id in plan.order:
            node = plan.nodes[node_id]
            records[node_id] = NodeRecord(type=node.spec.type, tier=node.tier, cache_key=node.key)
            self.waiting[node_id] = len(node.sources)
            if not node.sources:
                self.ready.append(node_id)

    async def loop(self) -> None:
        cancel_wait = asyncio.ensure_future(self.cancel.wait())
        try:
            while (self.ready or self.running) and not self.cancel.cancelled:
                await self.start_ready()
                if not self.running or self.cancel.cancelled:
                    continue
                done, _ = await asyncio.wait([*self.running, cancel_wait],
                                             return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    if task is not cancel_wait:
                        node_id = self.running.pop(task)  # type: ignore[arg-type]
                        self.conclude(node_id, task.result())  # type: ignore[arg-type]
        finally:
            cancel_wait.cancel()

    async def start_ready(self) -> None:
        """Settle cached and inline nodes now; dispatch runner nodes (and lists) as tasks."""
        settled = 0
        while self.ready and not self.cancel.cancelled:
            node_id = self.ready.popleft()
            if self.record.nodes[node_id].status in TERMINAL:
                continue
            node = self.nodes[node_id]
            if node.fans_out:  # each item is looked up, run and recorded on its own
                self.start_items(node)
                continue
            job = Job(node, node.key, self)
            outcome = self.dispatcher.settle(self.scope, job)
            if outcome is None:
                self.running[asyncio.create_task(self.dispatcher.dispatch(self.scope, job))] = node_id
                continue
            self.conclude(node_id, outcome)
            settled += 1
            if settled % INLINE_YIELD_EVERY == 0:
                await asyncio.sleep(0)  # keep the server's event loop responsive
        await self.dispatcher.flush()

    def linked_inputs(self, node: PlannedNode) -> dict[str, Any]:
        """Constants plus the linked parents' outputs (whole lists for list-fed inputs)."""
        inputs = dict(node.constants)
        for name, (source, slot) in node.links.items():
            value = self.results[source].get(self.nodes[source].output_name(slot, node.node_id, name))
            inputs[name] = [value] if name in node.wrap_inputs else value
        return inputs

    def start_items(self, node: PlannedNode) -> None:
        try:
            inputs = self.linked_inputs(node)
        except AuteurError as exc:  # a link to a missing slot
            self.conclude(node.node_id, Outcome("failed", error=error_from(exc)))
            return
        work = run_items(self.dispatcher, self.scope, node, inputs, self)
        self.running[asyncio.create_task(work)] = node.node_id

    # -- JobHost: what the dispatcher asks of a node's run -------------------------------------

    def job_inputs(self, job: Job) -> dict[str, Any]:
        return self.linked_inputs(job.node)

    def job_callbacks(self, job: Job) -> TaskCallbacks:
        node_id = job.node.node_id

        def progress(fraction: float, step: str | None) -> None:
            self.emit(EventType.NODE_PROGRESS, node_id=node_id, progress=fraction, step=step)

        def emit(event_type: str, data: dict[str, Any]) -> None:
            self.emit(event_type, node_id=node_id, **data)

        return TaskCallbacks(progress=progress, emit=emit)

    def job_started(self, job: Job, runner: str) -> None:
        self.mark_started(job.node, runner)

    def job_input_dirs(self, job: Job) -> list[str]:
        """The output folders of every ancestor of the job's node (each item's, for a
        fanned-out one): with the project, the only places its inputs' files may come from."""
        sources = job.node.sources
        if len(sources) == 1:  # a chain's node: its one parent's answer, as it is
            return list(self.folders_reachable(sources[0]))
        folders: dict[str, None] = {}
        for source in sources:
            folders.update(dict.fromkeys(self.folders_reachable(source)))
        return list(folders)

    def folders_reachable(self, node_id: str) -> tuple[str, ...]:
        """A settled node's existing output folders and its ancestors', once per run: a node's
        files are final once it has settled, and sharing its ancestors' answer keeps a long
        chain linear (a value-only chain has no folders at all)."""
        known = self.reachable.get(node_id)
        if known is not None:
            return known
        pending = [node_id]  # iterative: a 10,000-node chain is deeper than Python's stack
        while pending:
            current = pending[-1]
            parents = [source for source, _ in self.nodes[current].links.values() if source not in self.reachable]
            if parents:
                pending += parents
                continue
            pending.pop()
            own: dict[str, None] = {}
            items = self.record.nodes[current].items or []
            for key in [self.nodes[current].key, *(item.cache_key for item in items)]:
                own.update(dict.fromkeys(self.dispatcher.folders_of(key)))
            for source, _ in self.nodes[current].links.values():
                own.update(dict.fromkeys(self.reachable[source]))
            self.reachable[current] = tuple(own)
        return self.reachable[node_id]

    def mark_started(self, node: PlannedNode, runner: str) -> None:
        self.record.nodes[node.node_id].start(runner, time.time())
        self.emit(EventType.NODE_STARTED, node_id=node.node_id, type=node.spec.type, tier=node.tier)

    def conclude(self, node_id: str, outcome: Outcome) -> None:
        """Record how a node settled, and announce it."""
        if outcome.status in ("cached", "completed"):
            self.complete(node_id, outcome)
            return
        entry = self.record.nodes[node_id]
        entry.finished_at = time.time()
        self.ran_on(entry, outcome)
        if outcome.status == "cancelled":
            entry.status = "cancelled"
            return
        failure = outcome.error
        assert failure is not None
        if failure.code == AWAITING_REVIEW:
            self.await_review(node_id, failure.details)
            return
        error = ErrorInfo(code=failure.code, message=scrub_text(failure.message, self.ex.workspace),
                          node_id=node_id, details={"error_type": failure.error_type,
                                                    "node_details": scrub(failure.details, self.ex.workspace)})
        # The traceback stays on the server: in its log, under the run id, never in an answer.
        if failure.traceback:
            log.error("run %s node %s (%s) failed: %s\n%s", self.record.run_id, node_id, entry.type,
                      failure.message, failure.traceback)
            self.record.tracebacks[node_id] = failure.traceback
        entry.status, entry.error = "failed", error
        self.record.errors.append(error)
        self.emit(EventType.NODE_FAILED, node_id=node_id, error=error.model_dump(exclude={"details"}))
        self.skip_descendants(node_id)

    def await_review(self, node_id: str, details: Any) -> None:
        """The node waits for a person: its descendants stay pending (they run after the
        decision), independent branches go on."""
        wait = ReviewWait.model_validate(details)
        content = self.nodes[node_id].links.get("content")
        wait.feedback_node = content[0] if content is not None else None
        self.record.nodes[node_id].status = "awaiting_review"
        self.record.reviews[node_id] = wait

    @staticmethod
    def ran_on(entry: NodeRecord, outcome: Outcome) -> None:
        """Where and when the work really ran, when the runner says more than the dispatch
        did (a worker process's label and start): fewer writes to the record otherwise."""
        if outcome.runner is not None and outcome.runner != entry.runner:
            entry.runner = outcome.runner
            if outcome.started_at is not None:
                entry.started_at = outcome.started_at

    def complete(self, node_id: str, outcome: Outcome) -> None:
        node = self.nodes[node_id]
        entry = self.record.nodes[node_id]
        outputs = outcome.outputs or {}
        self.ran_on(entry, outcome)
        entry.settle(outcome.status, time.time(), outputs)  # a cache hit starts as it finishes
        self.results[node_id] = outputs
        if outcome.status == "cached":
            self.emit(EventType.NODE_CACHED, node_id=node_id, outputs=outputs)
        else:
            self.emit(EventType.NODE_COMPLETED, node_id=node_id, outputs=outputs)
        if node.spec.output_node:
            self.record.outputs[node_id] = outputs
        for child in node.children:
            self.waiting[child] -= 1
            if self.waiting[child] == 0:
                self.ready.append(child)

    def skip_descendants(self, node_id: str) -> None:
        stack = list(self.nodes[node_id].children)
        while stack:
            child = stack.pop()
            entry = self.record.nodes[child]
            if entry.status not in TERMINAL:
                entry.status = "skipped"
                stack.extend(self.nodes[child].children)

    async def stop_running(self, reason: str) -> None:
        """Kill running nodes (the runner kills their processes) and mark the rest."""
        for task in self.running:
            task.cancel()
        await asyncio.gather(*self.running, return_exceptions=True)
        now = time.time()
        for entry in self.record.nodes.values():
            if entry.status not in TERMINAL:
                entry.status, entry.finished_at = "cancelled", now
        self.running.clear()
        self.record.errors.append(ErrorInfo(code="cancelled", message=reason))

    def finish(self) -> RunRecord:
        record = self.record
        record.finished_at = time.time()
        if self.cancel.cancelled:
            record.status = "cancelled"
            self.emit(EventType.RUN_CANCELLED, reason=self.cancel.reason)
        elif record.errors:
            record.status = "failed"
            self.emit(EventType.RUN_FAILED, errors=[e.model_dump(exclude={"details"}) for e in record.errors])
        elif record.reviews:
            record.status, record.finished_at = "awaiting_review", None
            waiting = {node_id: wait.reasons for node_id, wait in record.reviews.items()}
            self.emit(EventType.RUN_AWAITING_REVIEW, waiting=waiting)
        else:
            record.status = "completed"
            self.emit(EventType.RUN_COMPLETED, outputs=record.outputs)
        return record
