"""Contract tests of our side of the hosted language-model APIs, against local HTTP doubles:
Ollama's /api/chat, Anthropic's /v1/messages and OpenAI-compatible /chat/completions —
request shapes, structured-output parameters, streaming, retries, errors, and an API key
that never reaches a message or a log line."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from pydantic import BaseModel, Field

from nodes.sdk import ModelCache
from nodes.sdk.llm import (
    LanguageModel,
    LLMError,
    LLMSettings,
    ask_structured,
    language_model,
    provider_of,
    system,
    user,
)

from .doubles import ApiDouble, Reply, ndjson, sse

KEY = "sk-test-4f1b9c2e77d0a8"


class Logline(BaseModel):
    logline: str = Field(max_length=200)
    genre: str


SCHEMA = Logline.model_json_schema()
VALID = json.dumps({"logline": "A keeper guards the last light.", "genre": "drama"})


@pytest.fixture
def double() -> Iterator[ApiDouble]:
    api = ApiDouble()
    yield api
    api.close()


def model_for(provider: str, double: ApiDouble, **extra: object) -> LanguageModel:
    base = {"ollama": {"ollama_url": double.url}, "anthropic": {"llm_base_url": double.url, "llm_api_key": KEY},
            "openai": {"llm_base_url": double.url + "/v1", "llm_api_key": KEY}}[provider]
    settings = LLMSettings.model_validate({"llm_provider": provider, "llm_model": "m1", **base, **extra})
    return language_model(ModelCache(), settings)


def anthropic_stream(*pieces: str, kind: str = "input_json_delta") -> list[str]:
    field = "partial_json" if kind == "input_json_delta" else "text"
    return sse({"type": "message_start", "message": {"usage": {"input_tokens": 21, "output_tokens": 1}}},
               *({"type": "content_block_delta", "index": 0, "delta": {"type": kind, field: p}} for p in pieces),
               {"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 9}},
               {"type": "message_stop"})


def openai_stream(*pieces: str, logprob: float = -0.25) -> list[str]:
    chunks = [{"choices": [{"index": 0, "delta": {"content": p},
                            "logprobs": {"content": [{"token": p, "logprob": logprob}]}}]} for p in pieces]
    return sse(*chunks, {"choices": [], "usage": {"prompt_tokens": 30, "completion_tokens": len(pieces)}}, done=True)


def test_ollama_gets_the_schema_as_format_and_its_streamed_lines_are_joined(double: ApiDouble) -> None:
    double.replies = [Reply(lines=ndjson(
        {"message": {"role": "assistant", "content": VALID[:20]}, "done": False},
        {"message": {"role": "assistant", "content": VALID[20:]}, "done": False},
        {"message": {"role": "assistant", "content": ""}, "done": True, "prompt_eval_count": 12, "eval_count": 7}))]
    pieces: list[str] = []
    completion = model_for("ollama", double).complete(
        [system("You write loglines."), user("A lighthouse.")], schema=SCHEMA, max_tokens=99,
        temperature=0.3, on_token=pieces.append)
    (request,) = double.requests
    assert request.path == "/api/chat"
    assert request.body == {"model": "m1", "stream": True, "format": SCHEMA,
                            "options": {"temperature": 0.3, "num_predict": 99},
                            "messages": [{"role": "system", "content": "You write loglines."},
                                         {"role": "user", "content": "A lighthouse."}]}
    assert (completion.text, completion.model, completion.tokens) == (VALID, "ollama:m1", 19)
    assert pieces == [VALID[:20], VALID[20:]] and completion.first_token_s is not None


def test_ollama_reporting_a_missing_model_is_a_clear_error(double: ApiDouble) -> None:
    double.replies = [Reply(lines=ndjson({"error": "model 'm1' not found"}))]
    with pytest.raises(LLMError) as caught:
        model_for("ollama", double).complete([user("hi")])
    assert caught.value.code == "llm_model_missing" and "ollama pull m1" in caught.value.message


def test_an_unreachable_ollama_names_its_setting() -> None:
    settings = LLMSettings(llm_provider="ollama", ollama_url="http://127.0.0.1:9")
    with pytest.raises(LLMError) as caught:
        language_model(ModelCache(), settings).complete([user("hi")])
    assert caught.value.code == "llm_unreachable"
    assert "AUTEUR_OLLAMA_URL" in caught.value.message and "127.0.0.1:9" in caught.value.message


def test_anthropic_gets_its_headers_a_system_field_and_a_forced_tool_holding_the_schema(double: ApiDouble) -> None:
    double.replies = [Reply(lines=anthropic_stream(VALID[:10], VALID[10:]))]
    completion = model_for("anthropic", double).complete([system("Be brief."), user("A lighthouse.")],
                                                         schema=SCHEMA, max_tokens=200)
    (request,) = double.requests
    assert request.path == "/v1/messages"
    assert request.headers["x-api-key"] == KEY and request.headers["anthropic-version"] == "2023-06-01"
    assert request.body["system"] == "Be brief." and request.body["stream"] is True
    assert request.body["messages"] == [{"role": "user", "content": "A lighthouse."}]
    assert request.body["tools"][0]["input_schema"] == SCHEMA
    assert request.body["tool_choice"] == {"type": "tool", "name": request.body["tools"][0]["name"]}
    assert (completion.text, completion.prompt_tokens, completion.completion_tokens) == (VALID, 21, 9)


def test_anthropic_plain_text_streams_without_tools(double: ApiDouble) -> None:
    double.replies = [Reply(lines=anthropic_stream("A keeper ", "guards.", kind="text_delta"))]
    completion = model_for("anthropic", double).complete([user("A lighthouse.")])
    assert "tools" not in double.requests[0].body and completion.text == "A keeper guards."


def test_an_overloaded_anthropic_is_retried_with_backoff(double: ApiDouble) -> None:
    double.replies = [Reply(529, ['{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}'],
                            {"Retry-After": "0"}),
                      Reply(lines=anthropic_stream(VALID))]
    completion = model_for("anthropic", double).complete([user("x")], schema=SCHEMA)
    assert len(double.requests) == 2 and completion.text == VALID


def test_a_rejected_key_is_an_auth_error_that_never_shows_or_logs_the_key(
        double: ApiDouble, caplog: pytest.LogCaptureFixture) -> None:
    echo = json.dumps({"error": {"type": "authentication_error", "message": f"invalid x-api-key {KEY}"}})
    double.replies = [Reply(401, [echo])]
    caplog.set_level(logging.DEBUG)
    with pytest.raises(LLMError) as caught:
        model_for("anthropic", double).complete([user("x")])
    assert caught.value.code == "llm_auth_failed" and "AUTEUR_LLM_API_KEY" in caught.value.message
    assert KEY not in caught.value.message and KEY not in json.dumps(caught.value.to_dict())
    assert "invalid x-api-key ***" in caught.value.message
    assert caplog.records and KEY not in caplog.text
    assert KEY not in repr(LLMSettings(llm_api_key=KEY))


def test_openai_gets_a_bearer_key_and_a_json_schema_response_format_and_reports_logprobs(double: ApiDouble) -> None:
    double.replies = [Reply(lines=openai_stream(VALID[:15], VALID[15:]))]
    completion = model_for("openai", double).complete([system("s"), user("u")], schema=SCHEMA, max_tokens=64)
    (request,) = double.requests
    assert request.path == "/v1/chat/completions" and request.headers["authorization"] == f"Bearer {KEY}"
    assert request.body["response_format"] == {"type": "json_schema", "json_schema": {
        "name": "Logline", "schema": SCHEMA, "strict": False}}
    assert request.body["stream"] is True and request.body["stream_options"] == {"include_usage": True}
    assert request.body["max_tokens"] == 64 and request.body["messages"][0] == {"role": "system", "content": "s"}
    assert (completion.text, completion.tokens, completion.mean_logprob) == (VALID, 32, -0.25)


def test_a_rate_limited_endpoint_is_retried_then_reported(double: ApiDouble) -> None:
    limited = Reply(429, ['{"error": {"message": "Rate limit reached"}}'], {"Retry-After": "0"})
    double.replies = [limited, limited, limited]
    with pytest.raises(LLMError) as caught:
        model_for("openai", double).complete([user("x")])
    assert caught.value.code == "llm_rate_limited" and "Rate limit reached" in caught.value.message
    assert len(double.requests) == 3  # the first try and AUTEUR_LLM_HTTP_RETRIES=2 retries


def test_an_invalid_structured_answer_is_retried_with_the_problem_shown_to_the_model(double: ApiDouble) -> None:
    double.replies = [Reply(lines=openai_stream('{"logline": 3}')), Reply(lines=openai_stream(f"```json\n{VALID}\n```"))]
    answer = ask_structured(model_for("openai", double), Logline, [user("A lighthouse.")])
    assert answer.value == Logline.model_validate_json(VALID) and answer.attempts == 2
    assert answer.failures and answer.failures[0].startswith("attempt 1:")
    retry = double.requests[1].body["messages"]
    assert retry[1] == {"role": "assistant", "content": '{"logline": 3}'}
    assert retry[2]["role"] == "user" and "does not match the JSON schema" in retry[2]["content"]


def test_three_invalid_structured_answers_are_a_clear_node_error(double: ApiDouble) -> None:
    double.replies = [Reply(lines=anthropic_stream('{"genre": "x"}')) for _ in range(3)]
    with pytest.raises(LLMError) as caught:
        ask_structured(model_for("anthropic", double), Logline, [user("x")])
    assert caught.value.code == "llm_invalid_output" and len(double.requests) == 3
    assert "no answer matching Logline in 3 attempts" in caught.value.message
    assert len(caught.value.details["failures"]) == 3


def test_the_provider_is_the_embedded_model_unless_another_is_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AUTEUR_LLM_PROVIDER", "AUTEUR_OLLAMA_URL", "AUTEUR_LLM_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    assert provider_of(LLMSettings()) == "embedded"
    monkeypatch.setenv("AUTEUR_LLM_BASE_URL", "http://127.0.0.1:8080/v1")
    assert provider_of(LLMSettings()) == "openai"
    monkeypatch.setenv("AUTEUR_OLLAMA_URL", "http://127.0.0.1:11434")
    assert provider_of(LLMSettings()) == "ollama"
    monkeypatch.setenv("AUTEUR_LLM_PROVIDER", "anthropic")
    with pytest.raises(LLMError) as caught:
        language_model(ModelCache(), LLMSettings())
    assert caught.value.code == "llm_auth_failed"  # Anthropic without a key
