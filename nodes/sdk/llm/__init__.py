"""Language models for nodes: one provider interface over the embedded local model (the
default, offline), Ollama, Anthropic and any OpenAI-compatible endpoint.

    from nodes.sdk.llm import ask_structured, language_model, system, user

    model = language_model(ctx.models)              # chosen by AUTEUR_LLM_* / AUTEUR_OLLAMA_URL
    answer = ask_structured(model, Scene, [system("..."), user("...")])   # validated, retried twice
"""

from ._factory import DEFAULT_MODELS, language_model, provider_of
from ._http import redact
from ._types import (
    Completion,
    LanguageModel,
    LLMError,
    Message,
    ProgressSink,
    Role,
    TokenSink,
    assistant,
    system,
    user,
)
from .settings import LLMSettings, ProviderName
from .structured import RETRIES, Structured, ask_structured, strip_fences

__all__ = [
    "DEFAULT_MODELS",
    "RETRIES",
    "Completion",
    "LLMError",
    "LLMSettings",
    "LanguageModel",
    "Message",
    "ProgressSink",
    "ProviderName",
    "Role",
    "Structured",
    "TokenSink",
    "ask_structured",
    "assistant",
    "language_model",
    "provider_of",
    "redact",
    "strip_fences",
    "system",
    "user",
]
