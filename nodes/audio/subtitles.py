"""`audio.subtitles`: write a transcript as an SRT or WebVTT file."""

from __future__ import annotations

from typing import Any

from nodes.sdk import Input, MediaRef, Node, Output, Outputs, RunContext, atomic_write_text, node
from nodes.sdk.ffmpeg.encode import output_path
from nodes.sdk.transcript import SubtitleFormat, Transcript, render

MIME = {"srt": "application/x-subrip", "vtt": "text/vtt"}


def write_subtitles(ctx: RunContext, transcript: Transcript, fmt: SubtitleFormat, stem: str) -> MediaRef:
    """Write `transcript` as `<stem>.<fmt>` in the task's scratch folder."""
    path = output_path(ctx, stem, f".{fmt}")
    atomic_write_text(path, render(transcript, fmt))
    return ctx.media_ref(path, kind="file", mime=MIME[fmt])


class SubtitlesOut(Outputs):
    file: MediaRef = Output(socket="FILE", description="The subtitle file")


@node(
    "audio.subtitles",
    title="Subtitles",
    category="Media/Audio",
    version="1.0.0",
    maturity="SUPERVISED",
    runs_on="runner",
)
class Subtitles(Node):
    """Render a transcript as SubRip (.srt) or WebVTT (.vtt) subtitles."""

    # Typed Any so the SDK gives it a TRANSCRIPT socket; validated into a Transcript in run().
    transcript: Any = Input(description="A transcript from audio.transcribe", socket="TRANSCRIPT")
    format: SubtitleFormat = Input("srt", description="Subtitle format")

    def run(self, ctx: RunContext) -> SubtitlesOut:
        transcript = Transcript.model_validate(self.transcript)
        return SubtitlesOut(file=write_subtitles(ctx, transcript, self.format, "subtitles"))
