"""The speaker pack's configuration, read from the runner's environment (`AUTEUR_*`).

These are the same variables the server reads (canvas_server.settings documents each one);
a Celery worker gets them from its own environment, like every other worker setting.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SPOTIFY_ACCOUNTS_URL = "https://accounts.spotify.com"
SPOTIFY_API_URL = "https://api.spotify.com/v1/"


class SpeakerConfig(BaseSettings):
    """Sonos and Spotify settings as the nodes need them."""

    model_config = SettingsConfigDict(env_prefix="AUTEUR_", extra="ignore")

    public_url: str | None = None
    secret_key: SecretStr | None = None
    sonos_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    sonos_subnets: Annotated[list[str], NoDecode] = Field(default_factory=list)
    sonos_timeout_s: float = 5.0
    media_url_ttl_s: int = 3600
    spotify_client_id: str | None = None
    spotify_client_secret: SecretStr | None = None
    spotify_redirect_uri: str | None = None
    spotify_accounts_url: str = SPOTIFY_ACCOUNTS_URL
    spotify_api_url: str = SPOTIFY_API_URL
    spotify_retries: int = 3
    spotify_backoff_s: float = 0.5

    @field_validator("sonos_hosts", "sonos_subnets", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [item.strip() for item in re.split(r"[,\s]+", value) if item.strip()]
        return value


def state_dir(workspace_root: Path) -> Path:
    """Server state under the workspace (the same folder as Settings.state_dir)."""
    return workspace_root / ".auteur"
