"""The server's one lifespan: build and start every long-lived service (catalog, bus, runner,
run manager, manifest sync, file watcher, workspace check), hand them out complete, and stop
them in reverse order. Both apps (main and ComfyUI) share one `Lifecycle`; until it is ready
and once it stops, their `ReadinessGate` answers 503. The server wires the run queue; the
run queue (`runs/`) knows nothing of the server."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

from function_runners.tiers import load_tiers
from nodes.sdk import AuteurError, NodeRegistry, discover, layout
from nodes.sdk.storage import MediaStore, media_store

from ..engine.factory import make_executor, make_runner
from ..events import Event
from ..governance import AuditLog, TokenStore
from ..governance.auth import Authenticator, is_loopback
from ..governance.state import private_dir
from ..heap import freeze_startup_heap
from ..runs.manager import RunManager
from ..runs.review import write_thread
from ..runs.storage import RunStorage, off_loop, off_loop_unawaited
from ..runs.store import ReviewDecisionRow, RunStore, StoredRun
from ..runs.webhooks import WebhookDispatcher, WebhookStore
from ..runs.workspace_lock import WorkspaceLock, acquire
from ..settings import Settings
from ..workspace.gitrepo import check_git_lfs
from ..workspace.manifest_sync import ManifestSync
from ..workspace.store import ProjectStore
from ..workspace.watcher import ProjectWatcher
from .bus import EventBus, SubscriptionChange
from .event_log import EventLog
from .event_store import EventStore
from .readiness import Phase, Readiness
from .services import AppServices, BackgroundTasks
from .template_store import TemplateStore
from .user_settings import SettingsFiles, UserSettings

log = logging.getLogger("auteur.server")
BACKGROUND_GRACE_S = 2.0  # a thumbnail in progress may finish; then it is cancelled


class Lifecycle:
    """The services of one server and the phase they are in."""

    def __init__(self, settings: Settings, registry: NodeRegistry | None = None,
                 lock: WorkspaceLock | None = None) -> None:
        self.settings = settings
        self.readiness = Readiness()
        self._registry = registry
        self._lock = lock
        self._services: AppServices | None = None
        self._on_start: list[Callable[[AppServices], None]] = []

    @property
    def services(self) -> AppServices:
        """The started services; before they start, a 503 (the gate answers first anyway)."""
        if self._services is None:
            raise self.readiness.error()
        return self._services

    def on_start(self, hook: Callable[[AppServices], None]) -> None:
        """Run `hook` with the services once they are built, before the first request."""
        self._on_start.append(hook)

    def begin_shutdown(self) -> None:
        """From now on new requests get 503; requests in flight finish."""
        self.readiness.phase = Phase.STOPPING

    @asynccontextmanager
    async def running(self) -> AsyncIterator[AppServices]:
        async with AsyncExitStack() as stack:
            services = await _start(self.settings, self._registry, self._lock, stack)
            self._lock = None  # released by the stack
            for hook in self._on_start:
                hook(services)
            self._services = services
            freeze_startup_heap()
            self.readiness.phase = Phase.READY
            try:
                yield services
            finally:
                self.begin_shutdown()


def project_root_finder(store: ProjectStore) -> Callable[[str], Path | None]:
    """Resolve a run's `project` (name or id) to its folder, or None if there is none."""

    def find(project: str) -> Path | None:
        try:
            return store.find(project).root
        except AuteurError:
            return None

    return find


async def _start(settings: Settings, registry: NodeRegistry | None, lock: WorkspaceLock | None,
                 stack: AsyncExitStack) -> AppServices:
    """Each service's stop is pushed as soon as it exists, so a failure part-way
    unwinds exactly what had started (in reverse order)."""
    state_dir = private_dir(settings.state_dir)
    run_store, event_log, audit, tokens, templates, user_settings = await _open_state(settings, state_dir, lock, stack)
    lfs = asyncio.create_task(asyncio.to_thread(check_git_lfs))  # two subprocesses: overlap them
    stack.callback(lfs.cancel)  # a no-op once awaited; else no "never retrieved" warning
    registry = registry if registry is not None else discover(only=settings.load_plugins)
    shared = run_store.shared
    events = await off_loop(shared, EventBus, log=event_log)  # reads the log's newest events
    events.attach(asyncio.get_running_loop())  # sync routes publish from the pool
    stack.push_async_callback(off_loop, shared, events.close)  # the log's last write
    if settings.events_url:
        await _relay_events(settings.events_url, events)
    runner = make_runner(settings)
    stack.push_async_callback(runner.close)  # after the run manager has stopped
    tiers = load_tiers(settings.tiers_file)
    projects = ProjectStore(settings.workspace)
    projects.ensure()
    webhooks = WebhookDispatcher(
        WebhookStore(state_dir / "webhooks.sqlite3", settings.secret_box()),
        settings.webhook_backoff_s)
    stack.callback(webhooks.store.close)
    media = await _open_media(settings)
    runs = RunManager(
        run_store, make_executor(settings, registry, runner, tiers=tiers, media=media), events,
        concurrency=settings.concurrent_runs, progress_interval=settings.progress_interval_s,
        resume_attempts=settings.resume_attempts, project_root=project_root_finder(projects),
        # a node's audit line, from the executor's event callback: not waited for on the loop
        on_audit=lambda run, data: off_loop_unawaited(shared, audit.record_action, run.principal, run.run_id,
                                                      run.project, data),
        on_ended=lambda run, status, data: webhooks.run_ended(run.principal, run.project, run.run_id, status, data),
        on_decided=lambda run, thread: _keep_thread(projects, run, thread),
    )
    stack.push_async_callback(off_loop, shared, runs.store.close)  # a replica unregisters
    manifest_sync = ManifestSync(projects)
    events.listen(manifest_sync.on_event)
    stack.push_async_callback(manifest_sync.drain)
    git_lfs = await lfs
    if not git_lfs.lfs_available:
        log.warning("%s", git_lfs.message)
    services = AppServices(
        settings=settings, registry=registry, tiers=tiers, events=events, tokens=tokens,
        auth=Authenticator(tokens, require_tokens=not is_loopback(settings.host, settings.loopback_hosts)),
        audit=audit, runner=runner, runs=runs, manifest_sync=manifest_sync, git_lfs=git_lfs,
        background=BackgroundTasks(), webhooks=webhooks, media=media, templates=templates,
        user_settings=user_settings,
    )
    stack.push_async_callback(runs.stop)
    restore_subscriptions(services, await off_loop(shared, runs.store.client_runs))
    # Late: its processes load their packs while this one serves (queued runs wait for them).
    await runner.start()
    webhooks.start()
    stack.push_async_callback(webhooks.stop)
    await runs.start()
    _watch_projects(services, stack)
    stack.push_async_callback(services.background.close, BACKGROUND_GRACE_S)
    return services


async def _open_media(settings: Settings) -> MediaStore:
    """The media store; object storage is checked now (its bucket and credentials), so a
    misconfigured one stops the start with its reason instead of failing every upload."""
    store = media_store(settings, settings.workspace)
    check = getattr(store, "check", None)
    if check is not None:
        await asyncio.to_thread(check)
    return store


async def _relay_events(url: str, events: EventBus) -> None:
    """Replicas: this server's events go to the others through Redis, theirs come here."""
    from .relay import RedisRelay  # redis loads only when replicas share events

    loop = asyncio.get_running_loop()

    def deliver(event: Event) -> None:
        loop.call_soon_threadsafe(events.receive, event)

    def subscribed(change: SubscriptionChange) -> None:
        loop.call_soon_threadsafe(events.receive_subscription, change)

    relay = RedisRelay(url, deliver, subscribed=subscribed)
    await asyncio.to_thread(relay.start)
    events.relay_to(relay)  # closed with the bus


def _keep_thread(projects: ProjectStore, run: StoredRun, thread: list[ReviewDecisionRow]) -> None:
    """A run's review thread goes into its project (a project-less run keeps it in the run store only)."""
    root = project_root_finder(projects)(run.project) if run.project else None
    if root is not None:
        write_thread(root, run.run_id, thread)


def _watch_projects(services: AppServices, stack: AsyncExitStack) -> None:
    """Changes made outside the server (an editor, git) reach subscribers as file events."""

    def publish(event_type: str, data: dict[str, Any], project: str | None) -> None:
        services.events.publish(event_type, data, project=project)

    watcher = ProjectWatcher(services.settings.workspace / layout.PROJECTS_DIR, publish)
    watcher.start()
    stack.push_async_callback(watcher.stop)


async def _open_state(settings: Settings, state_dir: Path, lock: WorkspaceLock | None, stack: AsyncExitStack
                      ) -> tuple[RunStorage, EventStore, AuditLog, TokenStore, TemplateStore, UserSettings]:
    """The run store, event log, audit log, tokens, templates and ComfyUI settings: shared by replicas in PostgreSQL
    (`AUTEUR_DATABASE_URL`: leases on running runs instead of the workspace lock), else this
    workspace's files, which one server holds at a time."""
    address = f"http://{settings.host}:{settings.port}"
    if settings.database_url:
        from ..db.state import open_shared_state  # SQLAlchemy loads only when a database is set

        shared = await off_loop(True, open_shared_state, settings.database_url, address, settings.lease_s)
        return (shared.runs, shared.events, shared.audit, shared.tokens, TemplateStore(shared.templates),
                shared.settings)
    # Before the queue is touched: a second server must not recover the first one's runs.
    lock = lock or acquire(state_dir, address)
    stack.callback(lock.release)
    runs_db = state_dir / "runs.sqlite3"
    return (RunStore(runs_db), EventLog(state_dir / "events.sqlite3", runs_db=runs_db), AuditLog.in_state_dir(state_dir),
            TokenStore(settings.tokens_file), TemplateStore(settings.workspace / layout.PIPELINE_TEMPLATES_DIR),
            SettingsFiles(state_dir))


def restore_subscriptions(services: AppServices, client_runs: list[tuple[str, str, str | None]]) -> None:
    """After a restart, clients keep receiving (and replaying) the events of their runs
    (`client_runs`: the run store's client id, run id and principal of each)."""
    for client_id, run_id, principal in client_runs:
        services.events.subscribe(client_id, runs=[run_id])
        state = services.events.client(client_id)
        state.owner = state.owner or principal
