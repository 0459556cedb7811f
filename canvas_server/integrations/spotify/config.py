"""The speaker pack's configuration, built from the server's Settings (one source of truth)."""

from __future__ import annotations

from nodes.speaker.config import SpeakerConfig

from ...settings import Settings

_SHARED = (
    "public_url", "secret_key", "sonos_hosts", "sonos_subnets", "sonos_timeout_s", "media_url_ttl_s",
    "spotify_client_id", "spotify_client_secret", "spotify_redirect_uri", "spotify_accounts_url",
    "spotify_api_url", "spotify_retries", "spotify_backoff_s",
)


def speaker_config(settings: Settings) -> SpeakerConfig:
    return SpeakerConfig.model_construct(**{name: getattr(settings, name) for name in _SHARED})
