"""`auteur run` without a server: execute a prompt in this process with a progress display."""

from __future__ import annotations

import asyncio
import signal
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from function_runners.tiers import DEFAULT_TIER
from nodes.sdk import NODE_SETTLED, AuteurError, EventType, NodeRegistry

from ..engine.cancel import CancelToken
from ..engine.executor import EngineEvent
from ..engine.factory import make_executor, make_runner
from ..engine.record import RunRecord
from ..governance import AuditLog, Principal
from ..graph.prompt import ApiPrompt
from ..heap import freeze_startup_heap
from ..settings import Settings
from .output import fail

if TYPE_CHECKING:
    from ..workspace.manifest_sync import ManifestSync


def _project(settings: Settings, project: str | None) -> tuple[Path | None, str | None, str | None]:
    """(project root, project name, project quality) for `--project`."""
    if project is None:
        return None, None, None
    from ..workspace.store import ProjectStore  # the workspace (and Git) only for a project

    try:
        found = ProjectStore(settings.workspace).find(project)
        return found.root, found.name, found.quality
    except AuteurError as exc:
        fail(exc)


def _manifest_sync(settings: Settings) -> ManifestSync:
    """A run in a project mirrors its takes into project.json, as the server's runs do."""
    from ..workspace.manifest_sync import ManifestSync
    from ..workspace.store import ProjectStore

    return ManifestSync(ProjectStore(settings.workspace))


class _ProgressView:
    """A rich progress bar fed by engine events: nodes settled, and the latest step."""

    def __init__(self, total: int, console: Console) -> None:
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=console, transient=False)
        self.task = self.progress.add_task("starting", total=total)

    def __call__(self, event: EngineEvent) -> None:
        data = event.data
        if event.type in NODE_SETTLED:
            self.progress.advance(self.task)
        if event.type == EventType.NODE_STARTED:
            self.progress.update(self.task, description=f"{data['node_id']} {data['type']}")
        elif event.type == EventType.NODE_PROGRESS:
            step = data.get("step") or ""
            self.progress.update(self.task, description=f"{data['node_id']} {data['progress']:.0%} {step}")
        elif event.type == EventType.NODE_FAILED:
            self.progress.console.print(f"[red]node {data['node_id']} failed:[/] {data['error']['message']}")
        elif event.type == EventType.TAKE_CREATED:
            self.progress.console.print(f"[green]take[/] {data.get('path')}")


async def _execute(settings: Settings, registry: NodeRegistry, prompt: ApiPrompt, *, tier: str,
                   targets: list[str] | None, project: str | None, project_root: Path | None,
                   principal: Principal, view: _ProgressView | None) -> RunRecord:
    runner = make_runner(settings)
    # Graphs of inline nodes only never touch the runner: don't pay its start-up.
    needs_runner = any(
        (spec := registry.spec(node.class_type)) is not None and spec.runs_on == "runner"
        for node in prompt.nodes().values()
    )
    if needs_runner:
        await runner.start()
    token = CancelToken()
    manifest_sync = _manifest_sync(settings) if project else None
    run_id = uuid.uuid4().hex
    audit = AuditLog.in_state_dir(settings.state_dir)  # the same log, and lines, as the server's
    audit.record_run(principal, run_id, prompt, registry, project)

    def on_event(event: EngineEvent) -> None:
        if manifest_sync is not None:
            manifest_sync.on_event(event.type, project)
        if event.type == EventType.NODE_AUDIT:
            audit.record_action(principal.name, run_id, project, dict(event.data))
        if view is not None:
            view(event)

    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGINT, token.cancel, "interrupted with Ctrl-C")
    try:
        executor = make_executor(settings, registry, runner)
        return await executor.run(prompt, run_id=run_id, tier=tier, targets=targets, project=project,
                                  project_root=project_root, on_event=on_event, cancel=token,
                                  principal=principal.name)
    finally:
        loop.remove_signal_handler(signal.SIGINT)
        if manifest_sync is not None:
            await manifest_sync.drain()
        if needs_runner:
            await runner.close()


def run_locally(settings: Settings, registry: NodeRegistry, prompt: ApiPrompt, *, tier: str | None,
                targets: list[str] | None, project: str | None, principal: Principal,
                show_progress: bool) -> RunRecord:
    root, name, quality = _project(settings, project)
    chosen = tier or quality or DEFAULT_TIER
    console = Console(stderr=True, soft_wrap=True)
    view = _ProgressView(len(prompt.nodes()), console) if show_progress else None
    if view is not None:
        view.progress.start()
    freeze_startup_heap()  # the packs are loaded: as the server does once started
    try:
        record = asyncio.run(_execute(settings, registry, prompt, tier=chosen, targets=targets,
                                      project=name, project_root=root, principal=principal, view=view))
    finally:
        if view is not None:
            view.progress.stop()
    if show_progress:
        _summarise(record, console)
    return record


def _summarise(record: RunRecord, console: Console) -> None:
    counts = {status: record.count(status) for status in ("completed", "cached", "failed", "skipped")}
    summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    colour = "green" if record.status == "completed" else "red"
    console.print(f"[{colour}]run {record.status}[/] ({summary})")
    for node_id, outputs in record.outputs.items():
        console.print(f"  {node_id}: {outputs}", highlight=False)
    for error in record.errors:
        console.print(f"  [red]{error.code}[/] {error.node_id or ''} {error.message}", highlight=False)
