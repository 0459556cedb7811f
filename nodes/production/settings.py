"""The production pack's settings: the local Ollama for prompt refinement and Vertex AI for
Veo generation, declared once here and read from the environment of whichever process runs
the node (a runner, a Celery worker).

Credentials are never settings: they are Google's application-default credentials
(GOOGLE_APPLICATION_CREDENTIALS or a `gcloud auth application-default login`).
"""

from __future__ import annotations

from pydantic import Field

from nodes.sdk.llm import LLMSettings


class ProductionSettings(LLMSettings):
    """The language model (declared once in nodes.sdk.llm; Ollama refines prompts); Veo's project,
    region, endpoints and polling/backoff schedule."""

    gcp_project: str | None = Field(None, description="Google Cloud project that Veo generation (Vertex AI) bills to")
    gcp_region: str = Field("us-central1", description="Vertex AI region of Veo generation")
    vertex_base_url: str | None = Field(None, description="Vertex AI endpoint base URL (default `https://REGION-aiplatform.googleapis.com`; tests and private endpoints point elsewhere)")
    gcs_base_url: str = Field("https://storage.googleapis.com", description="Cloud Storage JSON API base URL, for Veo videos returned as `gs://` URIs")
    veo_poll_s: float = Field(10.0, description="Seconds before the first poll of a Veo operation (doubling up to `AUTEUR_VEO_POLL_MAX_S`)")
    veo_poll_max_s: float = Field(60.0, description="Longest wait between two polls of a Veo operation")
    veo_timeout_s: float = Field(1800.0, description="Seconds a Veo generation may take before the node fails")
    veo_retries: int = Field(5, description="Retries of a Vertex request answered 429 (or 5xx), with exponential backoff")
    veo_backoff_s: float = Field(2.0, description="First backoff in seconds after a Vertex 429 (doubling each retry)")
    veo_usd_per_second: float = Field(0.40, ge=0, description="Estimated Veo price per second of video, checked against the project's budget (`settings.budgetUsd`) before a generation")
