"""The executor: runs a prompt's needed nodes, cached, in parallel, cancellably.

Cheap `inline` nodes run on the event loop; `runner` nodes are dispatched to a Function
Runner, as many at once as its capacity allows. A failing node skips only its
descendants. Cancelling stops dispatch and kills the running nodes' processes.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import socket
import time
import uuid
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from function_runners.base import Runner, TaskCallbacks
from function_runners.execute import error_from, execute_task
from function_runners.result_cache import ResultCache
from function_runners.task import NodeResult, NodeTask
from function_runners.tiers import DEFAULT_TIER, TierConfig
from nodes.sdk import AuteurError, EventType, ModelCache, NodeRegistry, sha256_file

from ..graph.prompt import ApiPrompt
from .cancel import CancelToken
from .items import run_items
from .plan import Plan, PlanError, PlannedNode, build_plan
from .record import ErrorInfo, NodeRecord, RunRecord

INLINE_YIELD_EVERY = 64
log = logging.getLogger("auteur.runs")
TERMINAL = frozenset({"cached", "completed", "failed", "skipped", "cancelled"})


class EngineEvent(BaseModel):
    """An execution event; the server stamps `seq`/`ts` and routes it to subscribers."""

    type: str
    run_id: str
    data: dict[str, Any] = Field(default_factory=dict)


EventCallback = Callable[[EngineEvent], None]


class Executor:
    """Shared across runs: registry, runner, cache, tiers and the workspace."""

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
    ) -> None:
        self.registry = registry
        self.runner = runner
        self.cache = cache
        self.tiers = tiers
        self.workspace = workspace.resolve()
        self.allowed_dirs = [str(Path(d).resolve()) for d in allowed_dirs or []]
        self.load_plugins = load_plugins
        self.inline_models = ModelCache()
        self.inline_label = f"inline:{socket.gethostname()}"
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._outputs_root = str(self.workspace / ".auteur" / "outputs")

    def slots(self, tier: str) -> asyncio.Semaphore:
        if tier not in self._slots:
            self._slots[tier] = asyncio.Semaphore(self.runner.capacity(tier))
        return self._slots[tier]

    def outputs_dir(self, key: str) -> str:
        """Content-addressed output folder: a redelivered task writes to the same place."""
        return f"{self._outputs_root}/{key[:2]}/{key}"

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
        execution = _RunExecution(
            self, prompt, record, tier=tier, targets=targets, project=project,
            project_root=project_root, on_event=on_event or (lambda event: None),
            cancel=cancel or CancelToken(), principal=principal,
        )
        return await execution.execute()


def prompt_hash(prompt: ApiPrompt) -> str:
    """sha256 of the prompt's canonical JSON: which graph made a take."""
    encoded = json.dumps(prompt.dump(), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


class _RunExecution:
    """The state of one run while it executes."""

    def __init__(
        self,
        executor: Executor,
        prompt: ApiPrompt,
        record: RunRecord,
        *,
        tier: str,
        targets: list[str] | None,
        project: str | None,
        project_root: Path | None,
        on_event: EventCallback,
        cancel: CancelToken,
        principal: str | None = None,
    ) -> None:
        self.ex = executor
        self.principal = principal
        self.graph_hash = prompt_hash(prompt)
        self.prompt = prompt
        self.record = record
        self.tier = tier
        self.targets = targets
        self.project = project
        self.project_root = str(project_root.resolve()) if project_root else None
        self.on_event = on_event
        self.cancel = cancel
        self.results: dict[str, dict[str, Any]] = {}
        self.waiting: dict[str, int] = {}
        self.ready: deque[str] = deque()
        self.running: dict[asyncio.Task[NodeResult], str] = {}
        self.plan: Plan | None = None

    def file_digest(self, path: str) -> str:
        """Content hash of a tracked file (relative to the project), or a marker if absent."""
        root = Path(self.project_root) if self.project_root else self.ex.workspace
        candidate = (root / path).resolve()
        if not candidate.is_relative_to(root.resolve()) or not candidate.is_file():
            return "missing"
        return sha256_file(candidate)

    def emit(self, event_type: str, **data: Any) -> None:
        self.on_event(EngineEvent(type=event_type, run_id=self.record.run_id, data=data))

    async def execute(self) -> RunRecord:
        record = self.record
        record.status, record.started_at = "running", time.time()
        self.emit(EventType.RUN_STARTED, tier=self.tier, project=self.project)
        try:
            self.plan = build_plan(self.prompt, self.ex.registry, self.ex.tiers, tier=self.tier,
                                   targets=self.targets, nonce=record.run_id,
                                   file_digest=self.file_digest)
        except AuteurError as exc:  # PlanError, or an unknown tier
            record.errors.append(ErrorInfo(code=exc.code, message=exc.message, details=exc.details))
            return self.finish()
        self.prepare(self.plan)
        try:
            await self.loop()
        except asyncio.CancelledError:
            await self.stop_running("interrupted: the executor was shut down")
            record.status = "interrupted"
            raise
        if self.cancel.cancelled:
            await self.stop_running(self.cancel.reason or "cancelled")
        return self.finish()

    def prepare(self, plan: Plan) -> None:
        for node_id in plan.order:
            node = plan.nodes[node_id]
            self.record.nodes[node_id] = NodeRecord(type=node.spec.type, tier=node.tier, cache_key=node.key)
            self.waiting[node_id] = len({src for src, _ in node.links.values()})
            if self.waiting[node_id] == 0:
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
                        self.handle_result(node_id, task.result())  # type: ignore[arg-type]
        finally:
            cancel_wait.cancel()

    async def start_ready(self) -> None:
        """Settle cached and inline nodes now; dispatch runner nodes as tasks."""
        settled = 0
        while self.ready and not self.cancel.cancelled:
            node_id = self.ready.popleft()
            if self.record.nodes[node_id].status in TERMINAL:
                continue
            node = self.node(node_id)
            if node.fans_out:  # each item is looked up, run and recorded on its own
                self.running[asyncio.create_task(run_items(self, node))] = node_id
                continue
            cached = self.ex.cache.get(node.key) if node.spec.cache else None
            if cached is not None:
                self.complete(node_id, cached, status="cached")
            elif node.spec.runs_on == "inline":
                self.handle_result(node_id, self.run_inline(node))
            else:
                task = asyncio.create_task(self.dispatch(node))
                self.running[task] = node_id
                continue
            settled += 1
            if settled % INLINE_YIELD_EVERY == 0:
                await asyncio.sleep(0)  # keep the server's event loop responsive
        self.ex.cache.flush()

    def node(self, node_id: str) -> PlannedNode:
        assert self.plan is not None
        return self.plan.nodes[node_id]

    def linked_inputs(self, node: PlannedNode) -> dict[str, Any]:
        """Constants plus the linked parents' outputs (whole lists for list-fed inputs)."""
        inputs = dict(node.constants)
        for name, (source, slot) in node.links.items():
            source_outputs = self.node(source).spec.socket_outputs
            if slot >= len(source_outputs):
                raise PlanError(f"node {node.node_id} input {name!r} links to missing output "
                                f"slot {slot} of node {source}", code="invalid_link")
            value = self.results[source].get(source_outputs[slot].name)
            inputs[name] = [value] if name in node.wrap_inputs else value
        return inputs

    def task_for(self, node: PlannedNode, inputs: dict[str, Any] | None = None,
                 key: str | None = None) -> NodeTask:
        key = key or node.key
        return NodeTask(
            run_id=self.record.run_id, node_id=node.node_id, type=node.spec.type,
            version=node.spec.version,
            inputs=self.linked_inputs(node) if inputs is None else inputs,
            tier=node.tier, tier_params=node.tier_params,
            scratch_dir=self.ex.outputs_dir(key), workspace_root=str(self.ex.workspace),
            project_root=self.project_root, project=self.project, allowed_dirs=self.ex.allowed_dirs,
            cache_key=key, load_plugins=self.ex.load_plugins, principal=self.principal,
            graph_hash=self.graph_hash,
        )

    def callbacks_for(self, node_id: str) -> TaskCallbacks:
        def progress(fraction: float, step: str | None) -> None:
            self.emit(EventType.NODE_PROGRESS, node_id=node_id, progress=fraction, step=step)

        def emit(event_type: str, data: dict[str, Any]) -> None:
            self.emit(event_type, node_id=node_id, **data)

        return TaskCallbacks(progress=progress, emit=emit)

    def mark_started(self, node: PlannedNode, runner: str) -> None:
        entry = self.record.nodes[node.node_id]
        entry.status, entry.started_at, entry.runner = "running", time.time(), runner
        self.emit(EventType.NODE_STARTED, node_id=node.node_id, type=node.spec.type, tier=node.tier)

    def run_inline(self, node: PlannedNode) -> NodeResult:
        self.mark_started(node, self.ex.inline_label)
        callbacks = self.callbacks_for(node.node_id)
        return execute_task(self.task_for(node), self.ex.registry, self.ex.inline_models,
                            runner=self.ex.inline_label, progress=callbacks.progress,
                            is_cancelled=lambda: self.cancel.cancelled, emit=callbacks.emit)

    async def dispatch(self, node: PlannedNode) -> NodeResult:
        async with self.ex.slots(node.tier):
            self.mark_started(node, self.ex.runner.name)
            try:
                return await self.ex.runner.run(self.task_for(node), self.callbacks_for(node.node_id))
            except AuteurError as exc:  # the runner could not take the task (broker down, …)
                return NodeResult(runner=self.ex.runner.name, error=error_from(exc))

    def handle_result(self, node_id: str, result: NodeResult) -> None:
        entry = self.record.nodes[node_id]
        entry.runner = result.runner
        if result.timings is not None:
            entry.started_at = result.timings.started_at
        if result.error is None:
            all_cached = entry.items is not None and all(i.status == "cached" for i in entry.items)
            self.complete(node_id, result.outputs or {}, status="cached" if all_cached else "completed")
            return
        entry.finished_at = time.time()
        if result.error.code == "cancelled" and self.cancel.cancelled:
            entry.status = "cancelled"
            return
        error = ErrorInfo(code=result.error.code, message=self.without_paths(result.error.message),
                          node_id=node_id, details={"error_type": result.error.error_type,
                                                    "node_details": result.error.details})
        # The traceback stays on the server: in its log, under the run id, never in an answer.
        if result.error.traceback:
            log.error("run %s node %s (%s) failed: %s\n%s", self.record.run_id, node_id, entry.type,
                      result.error.message, result.error.traceback)
            self.record.tracebacks[node_id] = result.error.traceback
        entry.status, entry.error = "failed", error
        self.record.errors.append(error)
        self.emit(EventType.NODE_FAILED, node_id=node_id, error=error.model_dump(exclude={"details"}))
        self.skip_descendants(node_id)

    def without_paths(self, message: str) -> str:
        """A node's message with the server's workspace path made relative."""
        root = str(self.ex.workspace.resolve())
        return message.replace(root + "/", "").replace(root, ".")

    def complete(self, node_id: str, outputs: dict[str, Any], *, status: str) -> None:
        node = self.node(node_id)
        entry = self.record.nodes[node_id]
        entry.status, entry.outputs = status, outputs  # type: ignore[assignment]
        entry.finished_at = time.time()
        self.results[node_id] = outputs
        if status == "cached":
            entry.started_at = entry.started_at if node.fans_out else entry.finished_at
            self.emit(EventType.NODE_CACHED, node_id=node_id, outputs=outputs)
        else:
            if node.spec.cache and not node.fans_out:  # items are cached one by one
                self.ex.cache.put(node.key, outputs)
            self.emit(EventType.NODE_COMPLETED, node_id=node_id, outputs=outputs)
        if node.spec.output_node:
            self.record.outputs[node_id] = outputs
        for child in node.children:
            self.waiting[child] -= 1
            if self.waiting[child] == 0:
                self.ready.append(child)

    def skip_descendants(self, node_id: str) -> None:
        stack = list(self.node(node_id).children)
        while stack:
            child = stack.pop()
            entry = self.record.nodes[child]
            if entry.status not in TERMINAL:
                entry.status = "skipped"
                stack.extend(self.node(child).children)

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
        self.ex.cache.flush()
        record.finished_at = time.time()
        if self.cancel.cancelled:
            record.status = "cancelled"
            self.emit(EventType.RUN_CANCELLED, reason=self.cancel.reason)
        elif record.errors:
            record.status = "failed"
            self.emit(EventType.RUN_FAILED, errors=[e.model_dump(exclude={"details"}) for e in record.errors])
        else:
            record.status = "completed"
            self.emit(EventType.RUN_COMPLETED, outputs=record.outputs)
        return record
