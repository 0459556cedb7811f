"""`providers.music_critic`: rank generated tracks and pick the best. Each track is scored on
three measures, each 0..1: how well its sung words (its transcript, from `audio.transcribe`)
cover the lyrics asked for, how close its length is to the target, and how close its integrated
loudness (ffmpeg's EBU R128 `ebur128`) is to a streaming master's -14 LUFS."""

from __future__ import annotations

import re

from pydantic import BaseModel

from nodes.sdk import Input, MediaRef, Node, NodeExecutionError, Output, Outputs, RunContext, node
from nodes.sdk.ffmpeg.probe import media_file, probe
from nodes.sdk.ffmpeg.process import find_tool, run_ffmpeg
from nodes.sdk.transcript import Transcript

TARGET_LUFS = -14.0
WEIGHTS = {"lyrics": 0.5, "length": 0.3, "loudness": 0.2}
_WORD = re.compile(r"[a-z0-9']+")
_INTEGRATED = re.compile(r"I:\s+(-?[\d.]+|-inf)\s+LUFS")


class TrackScore(BaseModel):
    """One track's measures and score."""

    index: int
    path: str
    seconds: float
    loudness_lufs: float | None
    lyrics_fit: float
    length_fit: float
    loudness_fit: float
    score: float


class CriticOut(Outputs):
    best: MediaRef = Output(socket="AUDIO", description="The best-scoring track")
    best_index: int = Output(socket="INT", description="Its position in the tracks")
    best_transcript: Transcript = Output(socket="TRANSCRIPT", description="Its transcript (word timings: the scenes)")
    ranking: list[TrackScore] = Output(socket="*", ui=True, description="Every track's measures, best first")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def lyrics_fit(lyrics: str, transcript: Transcript) -> float:
    """The share of the lyrics' distinct words heard in the track."""
    wanted = set(words(lyrics))
    return len(wanted & set(words(transcript.text))) / len(wanted) if wanted else 1.0


@node(
    "providers.music_critic",
    title="Music Critic",
    category="Providers/Music",
    version="1.0.0",
    maturity="SUPERVISED",
    runs_on="runner",
)
class MusicCritic(Node):
    """Rank tracks by their lyrics heard (transcripts), their length against the target and their
    loudness, and pick the best."""

    tracks: list[MediaRef] = Input(socket="AUDIO", is_list=True, description="The candidate tracks")
    transcripts: list[Transcript] = Input(socket="TRANSCRIPT", is_list=True,
                                          description="Each track's transcript, in the tracks' order")
    lyrics: str = Input("", description="The lyrics asked for (empty: the prompt's words)", multiline=True)
    prompt: str = Input("", description="What was asked for", multiline=True)
    target_seconds: float = Input(60.0, gt=0, le=3600, description="The length the video needs")

    def run(self, ctx: RunContext) -> CriticOut:
        if not self.tracks or len(self.tracks) != len(self.transcripts):
            raise NodeExecutionError(f"{len(self.tracks)} track(s) but {len(self.transcripts)} transcript(s): "
                                     "give one transcript per track, in order", code="critic_mismatch")
        scores = []
        for index, (track, transcript) in enumerate(zip(self.tracks, self.transcripts, strict=True)):
            ctx.check_cancelled()
            scores.append(self.score(ctx, index, track, transcript))
            ctx.progress((index + 1) / len(self.tracks), f"scored track {index + 1}")
        ranking = sorted(scores, key=lambda item: (-item.score, item.index))
        best = ranking[0].index
        return CriticOut(best=self.tracks[best], best_index=best, best_transcript=self.transcripts[best],
                         ranking=ranking)

    def score(self, ctx: RunContext, index: int, track: MediaRef, transcript: Transcript) -> TrackScore:
        path = media_file(ctx, track)
        seconds = probe(path).duration or 0.0
        lufs = integrated_loudness(ctx, path, seconds)
        lyric = lyrics_fit(self.lyrics or self.prompt, transcript)
        length = max(0.0, 1.0 - abs(seconds - self.target_seconds) / self.target_seconds)
        loud = 0.0 if lufs is None else max(0.0, 1.0 - abs(lufs - TARGET_LUFS) / 20.0)
        total = WEIGHTS["lyrics"] * lyric + WEIGHTS["length"] * length + WEIGHTS["loudness"] * loud
        return TrackScore(index=index, path=track.path, seconds=round(seconds, 3), loudness_lufs=lufs,
                          lyrics_fit=round(lyric, 4), length_fit=round(length, 4), loudness_fit=round(loud, 4),
                          score=round(total, 4))


def integrated_loudness(ctx: RunContext, path: object, seconds: float) -> float | None:
    """ffmpeg's EBU R128 integrated loudness in LUFS (None for silence)."""
    run = run_ffmpeg([find_tool(), "-i", str(path), "-af", "ebur128", "-f", "null", "-"],
                     outputs={}, duration=seconds or None, is_cancelled=ctx.cancelled)
    found = _INTEGRATED.findall(run.stderr)
    if not found or found[-1] == "-inf":
        return None
    return float(found[-1])
