"""`production.segments_to_shots`: a transcript grouped into shots by pauses and sentence ends.

The shots tile the audio: each starts where its first word starts (the first at 0) and lasts
until the next one starts (the last until the end of the audio), so an animatic of these shots
over the original audio stays in sync.
"""

from __future__ import annotations

from dataclasses import dataclass

from nodes.sdk import Input, Node, NodeExecutionError, Output, Outputs, RunContext, node
from nodes.sdk.preproduction import Shot
from nodes.sdk.transcript import Transcript

SENTENCE_END = (".", "!", "?", "…")
CLAUSE_END = (",", ";", ":", "—")
# Whisper often stretches the word before a pause over the silence ("dawn," lasting 1 s):
# a clause-ending word longer than the pause plus this is read as a word and a pause.
STRETCHED_WORD_S = 0.3
MIN_SHOT_S = 0.5


@dataclass
class Span:
    start: float
    end: float
    text: str


def spans_of(transcript: Transcript) -> list[Span]:
    """Word spans when the transcript has word timings, else its segments."""
    words = [Span(w.start, w.end, w.word.strip()) for seg in transcript.segments for w in seg.words]
    return words or [Span(seg.start, seg.end, seg.text.strip()) for seg in transcript.segments]


def group(spans: list[Span], *, pause: float, max_seconds: float, sentences: bool) -> list[list[Span]]:
    """Split before a word after a pause longer than `pause`, after a sentence end, or when
    the group would pass `max_seconds`."""
    groups: list[list[Span]] = []
    for span in spans:
        if not span.text:
            continue
        current = groups[-1] if groups else None
        if current is None or _breaks(current, span, pause, max_seconds, sentences):
            groups.append([span])
        else:
            current.append(span)
    return groups


def _breaks(current: list[Span], span: Span, pause: float, max_seconds: float, sentences: bool) -> bool:
    last = current[-1]
    if span.start - last.end > pause:
        return True
    if sentences and last.text.endswith(SENTENCE_END):
        return True
    if last.text.endswith(SENTENCE_END + CLAUSE_END) and last.end - last.start > pause + STRETCHED_WORD_S:
        return True
    return span.end - current[0].start > max_seconds


def tile(groups: list[list[Span]], total: float) -> list[tuple[float, float]]:
    """(start, duration) per group, tiling [0, total]."""
    starts = [0.0, *(g[0].start for g in groups[1:])]
    ends = [*starts[1:], max(total, groups[-1][-1].end)]
    return [(start, max(MIN_SHOT_S, end - start)) for start, end in zip(starts, ends, strict=True)]


class SegmentsToShotsOut(Outputs):
    shots: list[Shot] = Output(socket="SHOT", is_list=True, description="One shot per spoken phrase")
    count: int = Output(socket="INT", description="How many shots")


@node(
    "production.segments_to_shots",
    title="Segments to Shots",
    category="Production/Previz",
    version="1.0.0",
    maturity="AUTONOMOUS",
    runs_on="inline",
)
class SegmentsToShots(Node):
    """Group a transcript into shots at pauses and sentence ends; each shot's description is
    its words and its duration its timing (the shots tile the audio)."""

    transcript: Transcript = Input(description="From audio.transcribe", socket="TRANSCRIPT")
    pause: float = Input(0.45, ge=0.05, le=10.0, description="A silence this long (s) starts a new shot")
    split_sentences: bool = Input(True, description="Start a new shot after each sentence end")
    max_seconds: float = Input(8.0, ge=1.0, le=60.0, description="Longest shot, seconds")
    chapter: int = Input(1, ge=1, description="Chapter number of the shots")
    scene: int = Input(1, ge=1, description="Scene number of the shots")

    def run(self, ctx: RunContext) -> SegmentsToShotsOut:
        groups = group(spans_of(self.transcript), pause=self.pause, max_seconds=self.max_seconds,
                       sentences=self.split_sentences)
        if not groups:
            raise NodeExecutionError(
                "the transcript has no words: nothing to cut into shots (is the audio speech?)",
                code="value_out_of_range",
            )
        shots = [
            Shot(id=f"c{self.chapter}s{self.scene}t{number}", chapter=self.chapter, scene=self.scene,
                 number=number, description=" ".join(s.text for s in words), dialogue=" ".join(s.text for s in words),
                 duration=round(duration, 3))
            for number, (words, (_start, duration)) in enumerate(
                zip(groups, tile(groups, self.transcript.duration), strict=True), start=1)
        ]
        return SegmentsToShotsOut(shots=shots, count=len(shots))
