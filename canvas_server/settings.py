"""The server's configuration: one pydantic-settings class, every field `AUTEUR_<NAME>`.

The settings every process reads (`AUTEUR_SECRET_KEY`, `AUTEUR_LOAD_PLUGINS`) are declared
once in the SDK, the runners' in `function_runners.settings`, and inherited here; a
node pack declares its own (`auteur packs` lists them).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import Field

from function_runners.settings import CelerySettings
from nodes.sdk import CommaList, PathList, key_dir_of, state_dir_of

if TYPE_CHECKING:
    from cryptography.fernet import Fernet


class Settings(CelerySettings):
    """The server's settings, read from the environment (`AUTEUR_<NAME>`); the Celery
    runner's and the shared ones are inherited."""

    workspace: Path = Field(Path("workspace"), description="Workspace root holding Projects/ and Library/")
    host: str = Field("127.0.0.1", description="Address the server binds to")
    port: int = Field(8000, description="Port the server listens on")
    loopback_hosts: CommaList = Field(default_factory=list, description="Bind addresses trusted as loopback, comma-separated (default: 127.0.0.0/8, ::1, localhost); any other bind always requires tokens")
    allowed_hosts: CommaList = Field(default_factory=list, description="Host names this server answers to besides 127.0.0.1, localhost, ::1 and the bind address, comma-separated (`*`: any, only behind a proxy that checks Host)")
    allowed_origins: CommaList = Field(default_factory=list, description="Web origins (scheme://host:port) besides the server's own that may send state-changing requests and open WebSockets, comma-separated; CORS is answered for these only")
    comfyui_port: int = Field(8188, description="Port of the ComfyUI-compatible API served by the same process (0 turns it off)")
    comfyui_frontend: bool = Field(False, description="Serve ComfyUI's own web frontend (the installed `comfyui-frontend-package`) on the ComfyUI port")
    tiers_file: Path | None = Field(None, description="Quality tier file (default: function_runners/tiers.toml)")
    allowed_dirs: PathList = Field(default_factory=list, description="Extra folders node paths may read (comma-separated)")
    max_upload_mb: int = Field(512, description="Largest accepted asset upload in MiB")
    runner_workers: int | None = Field(None, description="Local runner processes (default: CPU count)")
    web_dir: Path | None = Field(None, description="Built browser editor to serve at / (default: web/dist)")
    concurrent_runs: int = Field(2, description="Runs executed at the same time by the server")
    max_request_mb: int = Field(16, description="Largest accepted JSON request body in MiB (uploads excepted)")
    max_graph_nodes: int = Field(5000, ge=1, description="Most nodes a submitted or validated graph may have (413 graph_too_large beyond)")
    max_queued_runs: int = Field(200, ge=1, description="Most queued and running runs one principal may have at once (429 quota_exceeded beyond)")
    max_stored_mb: int = Field(1024, ge=1, description="Most MiB of run records (graphs, outputs, errors) one principal may keep (429 quota_exceeded beyond; delete old runs)")
    webhook_backoff_s: list[float] = Field(
        default_factory=lambda: [5.0, 30.0, 120.0, 600.0, 1800.0],
        description="Seconds before each retry of a failed webhook delivery; after the last it is dead-lettered")
    progress_interval_s: float = Field(0.1, description="Least time between two node_progress events of one run")
    heartbeat_s: float = Field(15.0, description="Seconds between WebSocket heartbeats")
    resume_attempts: int = Field(2, description="Restarts a run survives before it is marked interrupted")
    events_url: str | None = Field(None, description="Redis URL through which server replicas share their WebSocket events (unset: one server)")
    lease_s: float = Field(15.0, gt=0, description="With AUTEUR_DATABASE_URL: seconds a server's lease on a running run holds unrenewed; after that another server resumes the run")

    @property
    def state_dir(self) -> Path:
        """Server state (run queue, cache, audit log) under the workspace."""
        return state_dir_of(self.workspace)

    @property
    def max_upload_bytes(self) -> int:
        """`max_upload_mb` in bytes: the one limit of every upload (assets, agents, ComfyUI)."""
        return self.max_upload_mb * 1024 * 1024

    @property
    def key_dir(self) -> Path:
        """Where `tokens.json` and `secret.key` live (`AUTEUR_SECRETS_DIR`, else the state folder)."""
        return key_dir_of(self.workspace, self.secrets_dir)

    def secret_box(self) -> Fernet:
        """Encryption with the server's secret (`AUTEUR_SECRET_KEY`, else `secret.key` in
        `key_dir`): Spotify tokens, webhook secrets, pack state."""
        from nodes.sdk import fernet_for, master_secret  # cryptography loads only when used

        return fernet_for(master_secret(self.key_dir, self.secret_key))

    @property
    def tokens_file(self) -> Path:
        return self.key_dir / "tokens.json"
