"""`agents.scribe`: logline, synopsis, festival blurb or social posts for the film, in the
project's voice, through draft → check → refine. The check counts words and scores sentiment
with VADER (vaderSentiment: a lexicon and rules, no model, no network) against the voice note's."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from nodes.sdk import (
    AgentResult,
    Evidence,
    Input,
    MissingDependencyError,
    Node,
    Output,
    Outputs,
    RunContext,
    agent_result,
    node,
)

from .asking import Example, ask, length_evidence, word_count
from .context import brief

Kind = Literal["logline", "synopsis", "festival_blurb", "social_posts"]
# words wanted, characters the decoding may take
LIMITS: dict[str, tuple[int, int, int]] = {"logline": (12, 45, 320), "synopsis": (80, 250, 1800),
                                           "festival_blurb": (40, 120, 900), "social_posts": (20, 120, 900)}
WHAT = {"logline": "a one-sentence logline", "synopsis": "a synopsis of one or two paragraphs",
        "festival_blurb": "a festival catalogue blurb", "social_posts": "three short social media posts, one per line"}


class Copy(BaseModel):
    text: str = Field(min_length=1, max_length=1800)


_EXAMPLE_STORY = ("Voice: warm, wry.\n\nStory: A lighthouse keeper finds a child washed ashore and hides her "
                  "from the harbour master, who wants the wreck forgotten.")
EXAMPLES: dict[str, Example] = {
    "logline": Example(_EXAMPLE_STORY, Copy(
        text="A lonely lighthouse keeper hides a shipwrecked child from the harbour master who wants her gone.")),
    "synopsis": Example(_EXAMPLE_STORY, Copy(
        text="On a rock at the edge of the map, old Tobin keeps the light and talks to nobody. After a storm "
             "he finds a girl in the wreckage, alive and silent. The harbour master, who sank the ship for its "
             "insurance, wants no survivors. Tobin hides her in the lamp room, teaches her the tides and lies "
             "to every boat that calls. When the harbour master comes with the law, Tobin must choose between "
             "the light he has kept for forty years and the child who has given him a reason to keep it.")),
    "festival_blurb": Example(_EXAMPLE_STORY, Copy(
        text="A wry, windswept fable about an old lighthouse keeper and the shipwrecked girl he refuses to "
             "give up. Shot on a real rock in the North Sea, it is a warm story of lies told for love, and of "
             "the light we keep for each other.")),
    "social_posts": Example(_EXAMPLE_STORY, Copy(
        text="The sea gave him a child. He is not giving her back.\n"
             "Forty years of keeping the light, one night to decide what it is for.\n"
             "A lighthouse, a lie and a little girl. Coming this winter.")),
}


class ScribeOut(Outputs):
    result: AgentResult = Output(socket="AGENT_RESULT")
    text: str = Output(socket="TEXT")


def sentiment(text: str) -> dict[str, float]:
    """VADER's scores: compound in -1..1, and the negative/neutral/positive shares."""
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ImportError as exc:
        raise MissingDependencyError("the scribe scores sentiment with vaderSentiment (pip install vaderSentiment)",
                                     details={"package": "vaderSentiment"}) from exc
    return {key: float(value) for key, value in SentimentIntensityAnalyzer().polarity_scores(text).items()}


@node("agents.scribe", title="Scribe", category="Agents", version="1.0.0", maturity="INTERN", runs_on="runner")
class Scribe(Node):
    """Write the film's logline, synopsis, festival blurb or social posts in the project's voice:
    a draft, checked for length and tone, then refined."""

    story: str = Input(description="What the film is about (a treatment, a scene, a summary)", multiline=True)
    kind: Kind = Input("logline")
    title: str = Input("", description="The film's title")
    voice: str = Input("", multiline=True, description="The project's voice note: how it speaks")
    feedback: str = Input("", multiline=True, description="A reviewer's request for changes")
    always_review: bool = Input(False, description="Send every result to review")

    def run(self, ctx: RunContext) -> ScribeOut:
        low, high, chars = LIMITS[self.kind]
        schema = Copy if chars >= 1800 else _bounded(chars)
        instructions = (f"You are the film's publicist. Write {WHAT[self.kind]} of {low}–{high} words"
                        + (f" for the film “{self.title}”" if self.title else "") + ".")
        request = brief(f"Voice: {self.voice}" if self.voice.strip() else "", f"Story: {self.story}")
        draft = ask(ctx, schema, instructions, request, example=EXAMPLES[self.kind], feedback=self.feedback,
                    max_tokens=chars // 2)
        notes = self._check(draft.value.text, low, high)
        ctx.progress(0.5, "refining the draft")
        refined = ask(ctx, schema, instructions, brief(request, f"Draft: {draft.value.text}",
                      "Refine the draft: " + (" ".join(notes) if notes else "keep its meaning, tighten the words.")),
                      example=EXAMPLES[self.kind], feedback=self.feedback, max_tokens=chars // 2)
        text = refined.value.text.strip()
        tone = sentiment(text)
        evidence = [*refined.evidence, length_evidence(text, low, high),
                    Evidence(check="refined", passed=len(self._check(text, low, high)) <= len(notes),
                             score=1.0 if len(self._check(text, low, high)) <= len(notes) else 0.5,
                             detail=f"the check found {len(notes)} problem(s) in the draft")]
        if self.voice.strip():
            wanted = sentiment(self.voice)["compound"]
            gap = abs(wanted - tone["compound"])
            evidence.append(Evidence(check="voice_sentiment", passed=gap <= 0.5, score=round(1 - gap / 2, 4),
                                     detail=f"sentiment {tone['compound']:+.2f}, the voice note's {wanted:+.2f}"))
        structured = {"kind": self.kind, "text": text, "draft": draft.value.text, "sentiment": tone,
                      "check": notes}
        result = agent_result(content=text, structured=structured, model=refined.model,
                              tokens=draft.tokens + refined.tokens, evidence=evidence, always_review=self.always_review)
        return ScribeOut(result=result, text=text)

    def _check(self, text: str, low: int, high: int) -> list[str]:
        words = word_count(text)
        notes = []
        if words < low:
            notes.append(f"It has {words} words; write at least {low}.")
        if words > high:
            notes.append(f"It has {words} words; cut it to at most {high}.")
        if self.title and self.kind != "logline" and self.title.lower() not in text.lower():
            notes.append(f"Name the film, “{self.title}”.")
        return notes


def _bounded(chars: int) -> type[Copy]:
    """Copy with a shorter bound, so a logline's decoding stops where a logline should."""

    class BoundedCopy(Copy):
        text: str = Field(min_length=1, max_length=chars)

    BoundedCopy.__name__ = "Copy"
    return BoundedCopy
