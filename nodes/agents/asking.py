"""One agent turn: ask the configured language model for a schema instance and gather the
evidence every agent shares — schema validity, attempts needed, the model's own token
probabilities. A worked example (a short request and its answer under the schema) comes before
the request: the embedded model is pretrained, not instruction-tuned, and imitates what it sees.
A reviewer's feedback joins the conversation as a request for changes."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel

from nodes.sdk import Evidence, RunContext
from nodes.sdk.llm import ask_structured, assistant, language_model, system, user

M = TypeVar("M", bound=BaseModel)
ATTEMPT_SCORES = {1: 1.0, 2: 0.55, 3: 0.25}


@dataclass(frozen=True)
class Example:
    """A worked example of an agent's task: its answer shows the model the kind of content and
    the length wanted (a small model otherwise fills every string to its bound)."""

    request: str
    answer: BaseModel


@dataclass
class Turn(Generic[M]):
    value: M
    model: str
    tokens: int
    evidence: list[Evidence]


def ask(ctx: RunContext, schema: type[M], instructions: str, request: str, *, example: Example | None = None,
        feedback: str = "", max_tokens: int = 400, temperature: float = 0.3) -> Turn[M]:
    """A validated `schema` answer (or the node error `llm_invalid_output` after two retries)."""
    # A machine `make setup` did not prepare converts the embedded model here, for minutes: say so.
    model = language_model(ctx.models, on_progress=lambda step: ctx.progress(0.05, step))
    shown = [user(example.request), assistant(example.answer.model_dump_json())] if example else []
    messages = [system(instructions), *shown, user(request)]
    if feedback.strip():
        messages.append(user(f"A reviewer asked for changes; follow them: {feedback.strip()}"))
    ctx.progress(0.1, f"asking {model.name}")
    answer = ask_structured(model, schema, messages, max_tokens=max_tokens, temperature=temperature,
                            on_token=lambda piece: ctx.check_cancelled())
    evidence = [Evidence(check="schema_valid", passed=True, score=1.0, weight=2.0,
                         detail=f"a valid {schema.__name__}"),
                Evidence(check="attempts", passed=answer.attempts == 1, score=ATTEMPT_SCORES.get(answer.attempts, 0.0),
                         detail=f"valid on attempt {answer.attempts}" + (f" ({answer.failures[-1]})" if answer.failures
                                                                          else ""))]
    if answer.completion.mean_logprob is not None:
        probability = math.exp(answer.completion.mean_logprob)  # geometric mean of the tokens' probabilities
        evidence.append(Evidence(check="token_probability", passed=probability >= 0.2, score=round(probability, 4),
                                 detail=f"mean token probability {probability:.2f}"))
    ctx.progress(0.8, "checking the answer")
    return Turn(answer.value, model.name, answer.tokens, evidence)


def word_count(text: str) -> int:
    return len(text.split())


def length_evidence(text: str, low: int, high: int) -> Evidence:
    """Whether `text` has `low`–`high` words; the score falls with the distance."""
    words = word_count(text)
    if low <= words <= high:
        return Evidence(check="length", passed=True, score=1.0, detail=f"{words} words")
    distance = (low - words) / low if words < low else (words - high) / high
    return Evidence(check="length", passed=False, score=round(max(0.0, 1.0 - distance), 4),
                    detail=f"{words} words, wanted {low}–{high}")
