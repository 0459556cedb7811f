"""Configuration: one pydantic-settings class, every field prefixed `AUTEUR_`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting, read from the environment (`AUTEUR_<NAME>`)."""

    model_config = SettingsConfigDict(env_prefix="AUTEUR_", extra="ignore")

    workspace: Path = Field(Path("workspace"), description="Workspace root holding Projects/ and Library/")
    host: str = Field("127.0.0.1", description="Address the server binds to")
    port: int = Field(8000, description="Port the server listens on")
    loopback_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list, description="Bind addresses trusted as loopback, comma-separated (default: 127.0.0.0/8, ::1, localhost); any other bind always requires tokens")
    comfyui_port: int = Field(8188, description="Port of the ComfyUI-compatible API served by the same process (0 turns it off)")
    broker_url: str | None = Field(None, description="Redis URL; when set, nodes run on Celery workers")
    tiers_file: Path | None = Field(None, description="Quality tier file (default: function_runners/tiers.toml)")
    ollama_url: str = Field("http://127.0.0.1:11434", description="Local Ollama server for prompt refinement")
    secret_key: SecretStr | None = Field(None, description="Fernet key for stored OAuth tokens (else a 0600 key file)")
    allowed_dirs: Annotated[list[Path], NoDecode] = Field(default_factory=list, description="Extra folders node paths may read")
    load_plugins: Annotated[list[str] | None, NoDecode] = Field(None, description="Only load these node packs (comma-separated)")
    max_upload_mb: int = Field(512, description="Largest accepted asset upload in MiB")
    whisper_model_dir: Path | None = Field(None, description="Folder of a CTranslate2 Whisper model")
    demucs_repo: Path | None = Field(None, description="Folder of local Demucs weights")
    demucs_model: str | None = Field(None, description="Overrides the tier's Demucs model (e.g. demucs_unittest)")
    runner_workers: int | None = Field(None, description="Local runner processes (default: CPU count)")
    web_dir: Path | None = Field(None, description="Built browser editor to serve at / (default: web/dist)")
    concurrent_runs: int = Field(2, description="Runs executed at the same time by the server")
    max_request_mb: int = Field(16, description="Largest accepted JSON request body in MiB (uploads excepted)")
    progress_interval_s: float = Field(0.1, description="Least time between two node_progress events of one run")
    heartbeat_s: float = Field(15.0, description="Seconds between WebSocket heartbeats")
    resume_attempts: int = Field(2, description="Restarts a run survives before it is marked interrupted")
    spotify_client_id: str | None = Field(None, description="Spotify app client id")
    spotify_client_secret: SecretStr | None = Field(None, description="Spotify app client secret")
    spotify_redirect_uri: str | None = Field(None, description="Spotify OAuth redirect URI")
    spotify_accounts_url: str = Field("https://accounts.spotify.com", description="Spotify accounts service (authorize and token endpoints)")
    spotify_api_url: str = Field("https://api.spotify.com/v1/", description="Spotify Web API prefix")
    spotify_retries: int = Field(3, description="Retries of a Spotify request answered 429/5xx, with exponential backoff")
    spotify_backoff_s: float = Field(0.5, description="Backoff factor in seconds between Spotify retries")
    public_url: str | None = Field(None, description="This server's address as speakers see it (signed media URLs for Sonos)")
    media_url_ttl_s: int = Field(3600, description="Seconds a signed media URL stays valid")
    sonos_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list, description="Sonos player addresses, comma-separated (where multicast does not pass)")
    sonos_subnets: Annotated[list[str], NoDecode] = Field(default_factory=list, description="Subnets to scan for Sonos players, comma-separated (e.g. 192.168.1.0/24)")
    sonos_timeout_s: float = Field(5.0, description="Seconds to wait for a Sonos player to answer")
    gcp_project: str | None = Field(None, description="Google Cloud project that Veo generation (Vertex AI) bills to")
    gcp_region: str = Field("us-central1", description="Vertex AI region of Veo generation")
    vertex_base_url: str | None = Field(None, description="Vertex AI endpoint base URL (default: https://REGION-aiplatform.googleapis.com; tests and private endpoints point elsewhere)")
    gcs_base_url: str = Field("https://storage.googleapis.com", description="Cloud Storage JSON API base URL, for Veo videos returned as gs:// URIs")
    veo_poll_s: float = Field(10.0, description="Seconds before the first poll of a Veo operation (doubling up to AUTEUR_VEO_POLL_MAX_S)")
    veo_poll_max_s: float = Field(60.0, description="Longest wait between two polls of a Veo operation")
    veo_timeout_s: float = Field(1800.0, description="Seconds a Veo generation may take before the node fails")
    veo_retries: int = Field(5, description="Retries of a Vertex request answered 429 (or 5xx), with exponential backoff")
    veo_backoff_s: float = Field(2.0, description="First backoff in seconds after a Vertex 429 (doubling each retry)")

    @field_validator("allowed_dirs", "load_plugins", "sonos_hosts", "sonos_subnets", mode="before")
    @classmethod
    def _split_comma_list(cls, value: Any) -> Any:
        """Lists come from the environment as `a,b,c` (`:` also accepted for folders)."""
        if isinstance(value, str):
            return [item.strip() for item in re.split(r"[,:]", value) if item.strip()]
        return value

    @field_validator("loopback_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: Any) -> Any:
        """Addresses come as `a,b` (never split on `:`: IPv6)."""
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @property
    def state_dir(self) -> Path:
        """Server state (run queue, cache, tokens, audit log) under the workspace."""
        return self.workspace / ".auteur"
