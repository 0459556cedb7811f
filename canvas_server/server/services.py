"""Everything the routes need, built once per app by the factory and kept on
`app.state.services` (no module-level singletons)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from function_runners.base import Runner
from function_runners.tiers import TierConfig, load_tiers
from nodes.sdk import NodeRegistry, discover

from ..governance import AuditLog, TokenStore
from ..governance.auth import Authenticator, is_loopback
from ..runs.manager import RunManager
from ..runs.workspace_lock import WorkspaceLock
from ..settings import Settings
from ..workspace.manifest_sync import ManifestSync
from .bus import EventBus
from .event_log import EventLog


@dataclass
class AppServices:
    settings: Settings
    registry: NodeRegistry
    tiers: TierConfig
    events: EventBus
    tokens: TokenStore
    auth: Authenticator
    audit: AuditLog
    runner: Runner | None = None
    runs: RunManager | None = None
    manifest_sync: ManifestSync | None = None
    workspace_lock: WorkspaceLock | None = None  # held while this app serves the workspace
    extra: dict[str, Any] = field(default_factory=dict)


def build_services(settings: Settings, registry: NodeRegistry | None = None) -> AppServices:
    """Synchronous part: catalog, tiers, token store, bus. Runner and runs start in the lifespan."""
    state_dir = settings.state_dir
    tokens = TokenStore(state_dir / "tokens.json")
    return AppServices(
        settings=settings,
        registry=registry if registry is not None else discover(only=settings.load_plugins),
        tiers=load_tiers(settings.tiers_file),
        events=EventBus(log=EventLog(state_dir / "events.sqlite3")),
        tokens=tokens,
        auth=Authenticator(tokens, require_tokens=not is_loopback(settings.host, settings.loopback_hosts)),
        audit=AuditLog.in_state_dir(state_dir),
    )
