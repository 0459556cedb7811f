"""Which language model answers, read from `AUTEUR_LLM_*` and `AUTEUR_OLLAMA_URL` wherever a node
runs. The API key is a secret: never stored in the workspace, never logged or shown."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr

from .._settings import PackSettings

ProviderName = Literal["auto", "embedded", "ollama", "anthropic", "openai"]
DEFAULT_OLLAMA_URL = "http://127.0.0.1:11434"


class LLMSettings(PackSettings):
    """The language-model provider: the embedded local model unless another is configured."""

    llm_provider: ProviderName = Field(
        "auto", description="`embedded`, `ollama`, `anthropic` or `openai` (any OpenAI-compatible endpoint); "
        "`auto`: Ollama when `AUTEUR_OLLAMA_URL` is set, an OpenAI-compatible endpoint when `AUTEUR_LLM_BASE_URL` "
        "is set, else the embedded model")
    llm_model: str | None = Field(
        None, description="Model name for the provider (defaults: embedded `gemma-3-270m`, Ollama `llama3.1:8b`, "
        "Anthropic `claude-sonnet-4-5`, OpenAI `gpt-4o-mini`)")
    llm_base_url: str | None = Field(
        None, description="Base URL of the Anthropic or OpenAI-compatible API (e.g. `http://127.0.0.1:8080/v1`)")
    llm_api_key: SecretStr | None = Field(
        None, description="API key of the hosted provider (sent only to it; never stored or logged)")
    llm_timeout_s: float = Field(120.0, description="Seconds one language-model request may take")
    llm_http_retries: int = Field(2, description="Retries of a provider request answered 429/5xx, with backoff")
    llm_model_dir: Path | None = Field(
        None, description="Folder where the embedded model is assembled and converted once "
        "(default: `~/.cache/auteur/models`)")
    ollama_url: str = Field(DEFAULT_OLLAMA_URL, description="Local Ollama server (setting it makes Ollama the "
                            "default language model)")
