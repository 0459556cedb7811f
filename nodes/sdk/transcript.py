"""The TRANSCRIPT value and its SRT / WebVTT renderings."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from nodes.sdk.ffmpeg.timecode import format_clock

SubtitleFormat = Literal["srt", "vtt"]


class Word(BaseModel):
    start: float
    end: float
    word: str
    probability: float


class Segment(BaseModel):
    id: int
    start: float
    end: float
    text: str
    words: list[Word] = Field(default_factory=list)


class Transcript(BaseModel):
    """What `audio.transcribe` heard: timed segments with word timings, and the language."""

    language: str
    language_probability: float
    duration: float
    text: str
    segments: list[Segment] = Field(default_factory=list)
    model: str = ""


def to_srt(transcript: Transcript) -> str:
    """SubRip: numbered cues, `HH:MM:SS,mmm --> HH:MM:SS,mmm`."""
    cues = [
        f"{number}\n{format_clock(seg.start, ',')} --> {format_clock(seg.end, ',')}\n{seg.text.strip()}\n"
        for number, seg in enumerate(transcript.segments, start=1)
    ]
    return "\n".join(cues)


def to_vtt(transcript: Transcript) -> str:
    """WebVTT: a `WEBVTT` header, then `HH:MM:SS.mmm --> HH:MM:SS.mmm` cues."""
    cues = [
        f"{format_clock(seg.start)} --> {format_clock(seg.end)}\n{seg.text.strip()}\n"
        for seg in transcript.segments
    ]
    return "\n".join(["WEBVTT\n", *cues])


def render(transcript: Transcript, fmt: SubtitleFormat) -> str:
    return to_srt(transcript) if fmt == "srt" else to_vtt(transcript)
