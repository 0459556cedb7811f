"""Vertex AI settings as the Veo node needs them, read from the runner's environment (`AUTEUR_*`).

The same variables the server reads (canvas_server.settings documents each one); a Celery
worker gets them from its own environment, as the speaker pack's settings do. Credentials are
never settings: they are Google's application-default credentials
(GOOGLE_APPLICATION_CREDENTIALS or a `gcloud auth application-default login`).
"""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

GCS_BASE_URL = "https://storage.googleapis.com"


class VertexConfig(BaseSettings):
    """Project, region, endpoints and the polling/backoff schedule of Veo generation."""

    model_config = SettingsConfigDict(env_prefix="AUTEUR_", extra="ignore")

    gcp_project: str | None = None
    gcp_region: str = "us-central1"
    vertex_base_url: str | None = None
    gcs_base_url: str = GCS_BASE_URL
    veo_poll_s: float = 10.0
    veo_poll_max_s: float = 60.0
    veo_timeout_s: float = 1800.0
    veo_retries: int = 5
    veo_backoff_s: float = 2.0
