"""One place that runs a node: the whole node, or one item of a fanned-out node.

For every execution the `Dispatcher` looks the key up in the result cache, waits for an
identical execution already in flight (single flight: one execution, however many runs want
it), runs it (inline on the event loop, or on the Function Runner within its tier's capacity),
publishes the files it wrote and stores the result. The executor calls it for a node,
`engine.items` for each item.

Files: each execution writes into its own private staging folder beside the content-addressed
output folder `.auteur/outputs/<k2>/<key>`, and takes that folder by rename only if it is
absent (else its files stay, complete, in its own folder). A failed or cancelled execution
removes only its own staging folder, so identical nodes of concurrent runs, or of a run
resumed after a crash, never share or delete each other's files.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import shutil
import socket
import stat
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from function_runners.base import Runner, TaskCallbacks
from function_runners.execute import error_from, run_base, run_node, sandbox_for
from function_runners.result_cache import ResultCache
from function_runners.task import NodeResult, NodeTask, TaskError
from nodes.sdk import (
    AuteurError,
    ModelCache,
    NodeRegistry,
    PathSandbox,
    RunContext,
    sha256_file,
    shot_list,
)
from nodes.sdk.storage import MediaStore, store_media

from ..graph.prompt import ApiPrompt
from ..offloop import off_loop
from .cancel import CancelToken
from .plan import PlannedNode, canonical, prompt_hash

Status = Literal["cached", "completed", "failed", "cancelled"]
DIGEST_MEMO = 10_000  # content digests remembered by file identity (path, inode, size, mtime)


@dataclass
class RunScope:
    """What every execution of one run shares: who runs it, where its paths resolve."""

    run_id: str
    prompt: ApiPrompt
    project: str | None
    project_root: str | None
    principal: str | None
    cancel: CancelToken
    sandbox: PathSandbox
    # The run's first root: its project folder, or its principal's scratch folder.
    base: Path | str
    # Part of every cache key of the run: whose files its paths name (the project, or the
    # principal of a project-less run).
    key: str
    _graph_hash: str | None = None

    @property
    def graph_hash(self) -> str:
        """sha256 of the run's prompt (take provenance), hashed when a task first needs it
        (a fully cached run never does)."""
        if self._graph_hash is None:
            self._graph_hash = prompt_hash(self.prompt)
        return self._graph_hash


class JobHost(Protocol):
    """Who asked for a job (a run for a node, a node for its items): it gives the job's
    inputs and callbacks only when the job runs (a cache hit needs neither), and hears it start."""

    def job_inputs(self, job: Job) -> dict[str, Any]: ...

    def job_callbacks(self, job: Job) -> TaskCallbacks: ...

    def job_started(self, job: Job, runner: str) -> None: ...

    def job_input_dirs(self, job: Job) -> list[str]:
        """The output folders of the job's ancestors: with its project (or its principal's
        scratch folder), all its task may read (docs/architecture.md §8, run roots)."""
        ...


@dataclass(slots=True)
class Job:
    """One execution: a node, or item `item` of a fanned-out node."""

    node: PlannedNode
    key: str
    host: JobHost
    item: int = -1


@dataclass(slots=True)
class Outcome:
    """How one execution settled; `cached` also when an identical one in flight ran it."""

    status: Status
    outputs: dict[str, Any] | None = None
    runner: str | None = None
    started_at: float | None = None
    error: TaskError | None = None


FILELESS_KEYS = 100_000  # remembered keys of executions without files (a bound, not a cache size)


class Dispatcher:
    """Shared by every run of an executor: cache, runner slots, executions in flight."""

    def __init__(
        self,
        *,
        registry: NodeRegistry,
        runner: Runner,
        cache: ResultCache,
        workspace: Path,
        allowed_dirs: list[str],
        load_plugins: list[str] | None,
        media: MediaStore | None = None,
    ) -> None:
        self.registry = registry
        self.media = media
        self.runner = runner
        self.cache = cache
        self.workspace = str(workspace)
        self._workspace_path = Path(workspace)
        self.allowed_dirs = allowed_dirs
        self.load_plugins = load_plugins
        self.inline_models = ModelCache()
        self.inline_label = f"inline:{socket.gethostname()}"
        self._outputs_root = f"{workspace}/.auteur/outputs"
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._in_flight: dict[str, asyncio.Future[Outcome]] = {}
        # Staging folders are named `<key>~<this dispatcher>.<n>`: unique across processes.
        self._stage_prefix = uuid.uuid4().hex[:12]
        self._stages = itertools.count()
        # Keys whose execution here left no files (most nodes): their folders need no listing.
        self._fileless: set[str] = set()
        self._digests: dict[tuple[str, int, int, int, int], str] = {}

    def slots(self, tier: str) -> asyncio.Semaphore:
        if tier not in self._slots:
            self._slots[tier] = asyncio.Semaphore(self.runner.capacity(tier))
        return self._slots[tier]

    def label_for(self, node: PlannedNode) -> str:
        return self.inline_label if node.spec.runs_on == "inline" else self.runner.name

    def folders_of(self, key: str) -> list[str]:
        """Every folder an execution of `key` left its files in: the key's own, and the staging
        folders kept when another execution had already taken it (none for a node without files)."""
        if key in self._fileless:
            return []
        parent, name = os.path.split(self.outputs_dir(key))
        try:
            entries = os.listdir(parent)
        except OSError:  # no output under this key's prefix yet
            return []
        return [f"{parent}/{entry}" for entry in entries if entry == name or entry.startswith(f"{name}~")]

    def outputs_dir(self, key: str) -> str:
        """Content-addressed output folder of a key (its first execution's files)."""
        return f"{self._outputs_root}/{key[:2]}/{key}"

    # -- a run's scope and the files its paths name -----------------------------------------

    def scope(self, *, run_id: str, prompt: ApiPrompt, tier: str, project: str | None,
              project_root: str | None, principal: str | None, cancel: CancelToken) -> RunScope:
        # The run's sandbox comes from the one rule every runner applies to the node's task.
        template = NodeTask(run_id=run_id, node_id="", type="", version="", inputs={}, tier=tier,
                            scratch_dir=self._outputs_root, workspace_root=self.workspace,
                            project_root=project_root, project=project, allowed_dirs=self.allowed_dirs,
                            principal=principal)
        where = self._relative(project_root) if project_root else None
        key = canonical([project, where, None if project_root else principal])
        return RunScope(run_id, prompt, project, project_root, principal, cancel,
                        sandbox_for(template), run_base(self.workspace, project_root, principal), key)

    def file_digest(self, sandbox: PathSandbox, path: str) -> str:
        """`<file>@<sha256>` for the file `path` names in a run's sandbox (`@missing` if none)."""
        try:
            resolved = sandbox.resolve(path)
            info = resolved.stat()
        except (AuteurError, OSError, ValueError):  # refused, absent, or unreadable
            return f"{path}@missing"
        where = self._relative(str(resolved))
        if not stat.S_ISREG(info.st_mode):
            return f"{where}@not-a-file"
        memo = (str(resolved), info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
        known = self._digests.get(memo)
        if known is None:
            if len(self._digests) >= DIGEST_MEMO:
                self._digests.clear()
            known = self._digests[memo] = sha256_file(resolved)
        return f"{where}@{known}"

    @staticmethod
    def shot_list_digest(scope: RunScope) -> str:
        """The digest of the run's project's shot list, for the nodes that read it."""
        return shot_list.shot_list_digest(Path(scope.project_root) if scope.project_root else None)

    def _relative(self, path: str) -> str:
        """A path inside the workspace relative to it (keys survive a moved workspace)."""
        return path[len(self.workspace) + 1:] if path.startswith(self.workspace + "/") else path

    # -- running ----------------------------------------------------------------------------

    async def preload(self, keys: Iterable[str]) -> None:
        """Look keys up in the cache all at once (a cold run asks SQLite a few times, not once
        per node; a node's items once their inputs are known); a shared index off the event
        loop (`off_loop`), so the lookups that follow are answered from memory."""
        await off_loop(self.cache.shared, self.cache.preload, list(keys))

    async def flush(self) -> None:
        """Store the entries put since the last flush (a shared index's: off the event loop)."""
        await off_loop(self.cache.shared, self.cache.flush)

    def settle(self, scope: RunScope, job: Job) -> Outcome | None:
        """A cache hit or an inline node, settled now; None when it must be dispatched."""
        if job.node.spec.cache:
            hit = self.cache.get(job.key)
            if hit is not None:
                return Outcome("cached", hit)
        if job.node.spec.runs_on != "inline":
            return None
        node = job.node
        try:
            inputs, input_dirs = job.host.job_inputs(job), job.host.job_input_dirs(job)
        except AuteurError as exc:  # its inputs cannot be gathered (a link to a missing slot)
            return Outcome("failed", runner=self.inline_label, error=error_from(exc))
        staging = self._staging(job.key)
        callbacks = job.host.job_callbacks(job)
        job.host.job_started(job, self.inline_label)
        cancel = scope.cancel

        # What a runner builds from a NodeTask, built here directly: an inline node (most of a
        # big graph's nodes) needs no task to travel anywhere.
        def context() -> RunContext:
            return RunContext(
                run_id=scope.run_id, node_id=node.node_id, type_id=node.spec.type, tier=node.tier,
                tier_params=node.tier_params, workspace_root=self._workspace_path,
                sandbox=PathSandbox([scope.base, staging, *input_dirs, *self.allowed_dirs]),
                scratch_dir=staging, models=self.inline_models, progress=callbacks.progress,
                is_cancelled=lambda: cancel.cancelled, emit=callbacks.emit, project=scope.project,
                principal=scope.principal, project_root=Path(scope.project_root) if scope.project_root else None,
                graph_hash=scope.graph_hash,
            )

        cls = self.registry.get(node.spec.type)
        assert cls is not None  # the plan found its spec in this registry
        outputs, error = run_node(cls, inputs, context)
        return self._conclude(scope, job, staging, outputs, error, self.inline_label, None)

    async def run(self, scope: RunScope, job: Job) -> Outcome:
        """Settle `job` now if it can be, else dispatch it."""
        return self.settle(scope, job) or await self.dispatch(scope, job)

    async def dispatch(self, scope: RunScope, job: Job) -> Outcome:
        """Run a runner job: once, however many runs ask for its key at the same time."""
        if not job.node.spec.cache:  # a side effect: each run's own, never shared
            return await self._on_runner(scope, job)
        while (twin := self._in_flight.get(job.key)) is not None:
            settled = await asyncio.shield(twin)
            if settled.status == "completed":
                return Outcome("cached", settled.outputs)
            # The twin failed or was cancelled: the next waiter runs it itself.
        hit = self.cache.get(job.key)  # stored while this job waited to be scheduled
        if hit is not None:
            return Outcome("cached", hit)
        flight: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._in_flight[job.key] = flight
        outcome = Outcome("cancelled")
        try:
            outcome = await self._on_runner(scope, job)
        finally:
            del self._in_flight[job.key]
            flight.set_result(outcome)
        return outcome

    async def _on_runner(self, scope: RunScope, job: Job) -> Outcome:
        async with self.slots(job.node.tier):
            try:
                task = self._task(scope, job)
            except AuteurError as exc:  # its inputs cannot be gathered (a link to a missing slot)
                return Outcome("failed", runner=self.runner.name, error=error_from(exc))
            callbacks = job.host.job_callbacks(job)
            job.host.job_started(job, self.runner.name)
            try:
                result = await self.runner.run(task, callbacks)
            except AuteurError as exc:  # the runner could not take the task (broker down, …)
                result = NodeResult(runner=self.runner.name, error=error_from(exc))
            except asyncio.CancelledError:
                _remove(task.scratch_dir)
                raise
            started = result.timings.started_at if result.timings is not None else None
            outcome = self._conclude(scope, job, task.scratch_dir, result.outputs, result.error, result.runner, started)
        if self.media is not None and self.media.remote and outcome.outputs:
            await asyncio.to_thread(store_media, self.media, self.workspace, outcome.outputs)
        return outcome

    def _staging(self, key: str) -> str:
        """A folder of its own for one execution's files (created only if the node writes)."""
        return f"{self.outputs_dir(key)}~{self._stage_prefix}.{next(self._stages)}"

    def _task(self, scope: RunScope, job: Job) -> NodeTask:
        node = job.node
        staging = self._staging(job.key)
        return NodeTask(
            run_id=scope.run_id, node_id=node.node_id, type=node.spec.type, version=node.spec.version,
            inputs=job.host.job_inputs(job), tier=node.tier, tier_params=node.tier_params, scratch_dir=staging,
            workspace_root=self.workspace, project_root=scope.project_root, project=scope.project,
            allowed_dirs=self.allowed_dirs, input_dirs=job.host.job_input_dirs(job), cache_key=job.key,
            load_plugins=self.load_plugins, principal=scope.principal, graph_hash=scope.graph_hash,
        )

    def _conclude(self, scope: RunScope, job: Job, staging: str, outputs: dict[str, Any] | None,
                  error: TaskError | None, runner: str, started: float | None) -> Outcome:
        if error is not None:
            _remove(staging)
            cancelled = error.code == "cancelled" and scope.cancel.cancelled
            return Outcome("cancelled" if cancelled else "failed", None, runner, started, error)
        published = self._publish(job.key, staging, outputs or {})
        if job.node.spec.cache:
            self.cache.put(job.key, published)
        return Outcome("completed", published, runner, started)

    def _publish(self, key: str, staging: str, outputs: dict[str, Any]) -> dict[str, Any]:
        """The outputs, once the execution's files (if any) are published under its key."""
        try:
            os.rmdir(staging)  # nothing written (most nodes): nothing to publish
        except FileNotFoundError:
            pass
        except OSError:  # not empty
            self._fileless.discard(key)
            return self._rename(key, staging, outputs)
        if len(self._fileless) >= FILELESS_KEYS:
            self._fileless.clear()
        self._fileless.add(key)
        return outputs

    def _rename(self, key: str, staging: str, outputs: dict[str, Any]) -> dict[str, Any]:
        """Rename the staging folder to the key's folder if that is absent; the outputs then
        name the files there."""
        final = self.outputs_dir(key)
        try:
            os.rename(staging, final)  # atomic; refused when another execution's files are there
        except OSError:
            return outputs  # they are: this execution's files stay, complete, in its own folder
        staged_name = staging.rsplit("/", 1)[1]
        # The staging folder's name is unique (a random token), so it appears only in paths.
        return json.loads(json.dumps(outputs).replace(staged_name, key))  # type: ignore[no-any-return]


def _remove(folder: str) -> None:
    """Remove an execution's own staging folder (never the shared output folder)."""
    if os.path.isdir(folder):
        shutil.rmtree(folder, ignore_errors=True)
