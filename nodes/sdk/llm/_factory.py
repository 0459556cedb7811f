"""The one place that turns settings into a language model."""

from __future__ import annotations

from .._context import ModelCache
from ._anthropic import API_VERSION, AnthropicModel
from ._http import HttpTransport
from ._ollama import OLLAMA_ENV, OllamaModel
from ._openai import OpenAICompatibleModel
from ._types import LanguageModel, LLMError, ProgressSink
from .settings import LLMSettings, ProviderName

DEFAULT_MODELS: dict[str, str] = {"ollama": "llama3.1:8b", "anthropic": "claude-sonnet-4-5",
                                  "openai": "gpt-4o-mini", "embedded": "gemma-3-270m"}
ANTHROPIC_URL = "https://api.anthropic.com"
BASE_URL_ENV = "AUTEUR_LLM_BASE_URL"


def provider_of(settings: LLMSettings) -> ProviderName:
    """The configured provider; `auto` picks what was set, else the embedded model."""
    if settings.llm_provider != "auto":
        return settings.llm_provider
    if "ollama_url" in settings.model_fields_set:
        return "ollama"
    return "openai" if settings.llm_base_url else "embedded"


def _transport(settings: LLMSettings, provider: str, url: str, env: str,
               headers: dict[str, str] | None = None, secret: str | None = None) -> HttpTransport:
    return HttpTransport(provider, url, env, headers or {}, secret, settings.llm_timeout_s,
                         settings.llm_http_retries)


def language_model(models: ModelCache, settings: LLMSettings | None = None, *,
                   on_progress: ProgressSink | None = None) -> LanguageModel:
    """The language model the settings name (the embedded one is loaded once per process,
    kept in `models`, and only when a node first asks it something; `on_progress` hears of a
    first-use conversion and of the load, which take a while)."""
    settings = settings or LLMSettings()
    provider = provider_of(settings)
    model = settings.llm_model or DEFAULT_MODELS[provider]
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    if provider == "ollama":
        return OllamaModel(_transport(settings, "Ollama", settings.ollama_url, OLLAMA_ENV), model)
    if provider == "anthropic":
        if not key:
            raise LLMError("Anthropic needs an API key: set AUTEUR_LLM_API_KEY", code="llm_auth_failed",
                           details={"provider": "anthropic"})
        headers = {"x-api-key": key, "anthropic-version": API_VERSION}
        url = settings.llm_base_url or ANTHROPIC_URL
        return AnthropicModel(_transport(settings, "Anthropic", url, BASE_URL_ENV, headers, key), model)
    if provider == "openai":
        if not settings.llm_base_url:
            raise LLMError(f"an OpenAI-compatible provider needs {BASE_URL_ENV} (e.g. https://api.openai.com/v1)",
                           code="llm_unreachable", details={"provider": "openai", "env": BASE_URL_ENV})
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return OpenAICompatibleModel(_transport(settings, "OpenAI-compatible endpoint", settings.llm_base_url,
                                                BASE_URL_ENV, headers, key), model)
    from .embedded import embedded_model  # torch and transformers: loaded only by a node that asks

    return embedded_model(models, settings, on_progress)
