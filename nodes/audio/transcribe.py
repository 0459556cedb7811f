"""`audio.transcribe`: faster-whisper speech to text with word timings, SRT and VTT files."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nodes.sdk import Input, MediaRef, Node, Output, Outputs, RunContext, node
from nodes.sdk.ffmpeg.output_info import source as source_of
from nodes.sdk.ffmpeg.probe import require_audio
from nodes.sdk.transcript import Segment, Transcript, Word

from .subtitles import write_subtitles
from .tier_params import WhisperParams
from .whisper_model import load_whisper


class TranscribeOut(Outputs):
    transcript: Transcript = Output(socket="TRANSCRIPT", description="Segments, words, language")
    srt: MediaRef = Output(socket="FILE", description="SubRip subtitles")
    vtt: MediaRef = Output(socket="FILE", description="WebVTT subtitles")


def _segment(raw: Any) -> Segment:
    words = [
        Word(start=w.start, end=w.end, word=w.word, probability=w.probability)
        for w in (raw.words or [])
    ]
    return Segment(id=raw.id, start=raw.start, end=raw.end, text=raw.text.strip(), words=words)


def _collect(ctx: RunContext, raw_segments: Iterable[Any], duration: float) -> list[Segment]:
    """Drain the lazy segment generator, reporting progress as segment end / duration."""
    segments: list[Segment] = []
    for raw in raw_segments:
        ctx.check_cancelled()
        segments.append(_segment(raw))
        ctx.progress(0.1 + 0.85 * (raw.end / duration if duration else 0.0), "transcribe")
    return segments


@node(
    "audio.transcribe",
    title="Transcribe",
    category="Media/Audio",
    version="1.0.0",
    maturity="SUPERVISED",
    runs_on="runner",
    tier_params=WhisperParams,
)
class Transcribe(Node):
    """Transcribe speech with faster-whisper: timed segments, word-level timestamps, the
    detected language and its probability, plus SRT and VTT files. The model (size, compute
    type, beam size from the tier) is loaded once per runner process and reused."""

    audio: MediaRef = Input(description="Audio (or a clip with speech)", socket="AUDIO")
    language: str = Input("", description="Language code (empty: detect)")
    vad: bool = Input(False, description="Skip silence with voice activity detection")

    def run(self, ctx: RunContext) -> TranscribeOut:
        source, info = source_of(ctx, self.audio)
        require_audio(info, source.name)
        tier = ctx.tier_settings(WhisperParams)
        ctx.progress(0.05, "load model")
        model, _folder = load_whisper(ctx.models, tier.model_size, tier.compute_type, tier.device)
        ctx.progress(0.1, "model ready")
        raw_segments, info = model.transcribe(
            str(source),
            beam_size=tier.beam_size,
            language=self.language or None,
            word_timestamps=True,
            vad_filter=self.vad,
        )
        segments = _collect(ctx, raw_segments, float(info.duration))
        transcript = Transcript(
            language=info.language, language_probability=info.language_probability,
            duration=info.duration, text=" ".join(seg.text for seg in segments),
            segments=segments, model=tier.model_size,
        )
        srt = write_subtitles(ctx, transcript, "srt", source.stem)
        vtt = write_subtitles(ctx, transcript, "vtt", source.stem)
        ctx.progress(1.0, "transcribed")
        return TranscribeOut(transcript=transcript, srt=srt, vtt=vtt)
