"""The animatic's picture and soundtrack, encoded side by side and muxed.

Loudness normalisation needs a measuring pass over the soundtrack before the linear pass can
be applied. Run in front of the encode, that pass adds its whole length to the node's time
(about 0.6 s on a 50 s track, a quarter of a 100-still animatic). So the picture is encoded
alone while another thread measures the soundtrack and encodes it normalised to AAC; the two
files are then stream-copied into the MP4, which costs a few milliseconds.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from nodes.sdk import NodeCancelledError, RunContext
from nodes.sdk.ffmpeg.loudness import (
    is_silent,
    loudnorm_filter,
    padded,
    parse_measurement,
    pass_two_filter,
)
from nodes.sdk.ffmpeg.process import FfmpegRun, find_tool, run_ffmpeg, staged

AUDIO_RATE = 48_000
AUDIO_CODEC = ["-c:a", "aac", "-b:a", "160k"]
LAYOUT = f"aresample={AUDIO_RATE},aformat=channel_layouts=stereo"


@dataclass(frozen=True)
class Soundtrack:
    """The soundtrack file and the length of the picture it is cut (or padded) to."""

    path: Path
    seconds: float

    def fit(self) -> str:
        return f"atrim=duration={self.seconds:.6f},apad=whole_dur={self.seconds:.6f}"

    def chain(self, is_cancelled: Callable[[], bool]) -> str:
        """Measure the loudness (loudnorm pass one), then the normalising chain (pass two)."""
        measure = [find_tool("ffmpeg"), "-i", str(self.path), "-af",
                   f"{self.fit()},{padded(loudnorm_filter(), self.seconds)}", "-vn", "-f", "null", "-"]
        measured = run_ffmpeg(measure, outputs={}, duration=self.seconds, is_cancelled=is_cancelled)
        found = parse_measurement(measured.stderr)
        if is_silent(found):
            return f"{self.fit()},{LAYOUT}"
        return f"{self.fit()},{padded(pass_two_filter(found), self.seconds)},{LAYOUT}"

    def encode(self, out: Path, is_cancelled: Callable[[], bool]) -> None:
        """The soundtrack cut to length and normalised, as AAC in `out`."""
        chain = self.chain(is_cancelled)
        argv = [find_tool("ffmpeg"), "-y", "-i", str(self.path), "-af", chain, "-vn", *AUDIO_CODEC,
                "-t", f"{self.seconds:.6f}", str(staged(out))]
        run_ffmpeg(argv, outputs={staged(out): out}, duration=self.seconds, is_cancelled=is_cancelled)


def _run(argv: list[str], final: Path, ctx: RunContext, seconds: float, is_cancelled: Callable[[], bool],
         span: tuple[float, float]) -> FfmpegRun:
    low, high = span
    return run_ffmpeg([find_tool("ffmpeg"), "-y", *argv, str(staged(final))], outputs={staged(final): final},
                      duration=seconds, is_cancelled=is_cancelled,
                      on_progress=lambda fraction: ctx.progress(low + (high - low) * fraction, "cut the animatic"))


def encode_with_soundtrack(ctx: RunContext, picture_args: list[str], soundtrack: Soundtrack, final: Path) -> FfmpegRun:
    """Encode the picture (`picture_args`: inputs, graph and video codec) while the soundtrack is
    measured and encoded in parallel; mux both into `final`. A failure on either side stops
    the other and is the one reported."""
    scratch = ctx.scratch_dir()
    picture, sound = scratch / "animatic_picture.mp4", scratch / "animatic_sound.m4a"
    stop = threading.Event()

    def stopped() -> bool:
        return stop.is_set() or ctx.cancelled()

    def audio_side() -> None:
        try:
            soundtrack.encode(sound, stopped)
        except BaseException:
            stop.set()  # no point finishing the picture
            raise

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="animatic-sound") as pool:
        audio: Future[None] = pool.submit(audio_side)
        try:
            _run([*picture_args, "-an"], picture, ctx, soundtrack.seconds, stopped, (0.0, 0.95))
        except NodeCancelledError:
            if not ctx.cancelled():
                audio.result()  # the soundtrack failed and stopped the picture: its error is the one
            raise
        except BaseException:
            stop.set()
            raise
        audio.result()
    try:
        return _run(["-i", str(picture), "-i", str(sound), "-map", "0:v", "-map", "1:a", "-c", "copy",
                     "-movflags", "+faststart"], final, ctx, soundtrack.seconds, ctx.cancelled, (0.95, 1.0))
    finally:
        picture.unlink(missing_ok=True)
        sound.unlink(missing_ok=True)
