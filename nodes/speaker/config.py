"""The speaker pack's settings (`AUTEUR_SONOS_*`, `AUTEUR_SPOTIFY_*`, the signed media URLs),
declared here once and read from the environment wherever the pack runs: a runner, a Celery
worker, the server's routes or the CLI."""

from __future__ import annotations

from pydantic import Field, SecretStr

from nodes.sdk import CommaList, PackSettings


class SpeakerConfig(PackSettings):
    """Sonos and Spotify settings as the nodes, the login routes and `auteur spotify` need them."""

    public_url: str | None = Field(None, description="This server's address as the speakers see it (signed media URLs for Sonos), e.g. `http://192.168.1.10:8000`")
    media_url_ttl_s: int = Field(3600, description="Seconds a signed media URL stays valid")
    sonos_hosts: CommaList = Field(default_factory=list, description="Sonos player addresses, comma-separated (where multicast does not pass)")
    sonos_subnets: CommaList = Field(default_factory=list, description="Subnets to scan for Sonos players, comma-separated (e.g. `192.168.1.0/24`)")
    sonos_timeout_s: float = Field(5.0, description="Seconds to wait for a Sonos player to answer")
    spotify_client_id: str | None = Field(None, description="Spotify app client id")
    spotify_client_secret: SecretStr | None = Field(None, description="Spotify app client secret")
    spotify_redirect_uri: str | None = Field(None, description="Spotify OAuth redirect URI (`http://<server>/api/packs/speaker/spotify/callback`)")
    spotify_accounts_url: str = Field("https://accounts.spotify.com", description="Spotify accounts service (authorize and token endpoints)")
    spotify_api_url: str = Field("https://api.spotify.com/v1/", description="Spotify Web API prefix")
    spotify_retries: int = Field(3, description="Retries of a Spotify request answered 429/5xx, with exponential backoff")
    spotify_backoff_s: float = Field(0.5, description="Backoff factor in seconds between Spotify retries")
