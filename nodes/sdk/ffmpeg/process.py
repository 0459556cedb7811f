"""Run one ffmpeg process: drain stderr, parse `-progress pipe:1`, kill it on cancel.

ffmpeg stays in the caller's process group (no new session), so a runner that kills the
task's whole group also kills ffmpeg. When cancellation is noticed cooperatively, ffmpeg is
killed here and every partial output is deleted. Outputs are written to a hidden staging
name and renamed into place only on success, so a half-written file never carries the name
a later node or a cache lookup would trust.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from nodes.sdk import NodeCancelledError, atomic_publish, guard_inputs, limited

from .errors import (
    DiskFullError,
    FfmpegFailedError,
    MediaError,
    MediaNotFoundError,
    NoAudioStreamError,
    NotMediaError,
    UnsupportedFormatError,
    tool_missing,
)

ProgressFn = Callable[[float], None]
GLOBAL_ARGS = ["-hide_banner", "-nostdin", "-nostats", "-progress", "pipe:1"]
POLL_SECONDS = 0.05
STDERR_LINES = 400

_UNSUPPORTED = (
    "unknown encoder",
    "encoder not found",
    "could not find tag for codec",
    "not currently supported in container",
    "unable to find a suitable output format",
    "could not write header",
)


def find_tool(name: str = "ffmpeg") -> str:
    """The absolute path of ffmpeg/ffprobe, or MissingDependencyError with the install hint."""
    found = shutil.which(name)
    if found is None:
        raise tool_missing(name)
    return found


def staged(final: Path) -> Path:
    """The hidden name an output is written under until ffmpeg succeeds (same extension,
    so ffmpeg still infers the container)."""
    return final.with_name(f".{final.stem}.partial{final.suffix}")


@dataclass
class FfmpegRun:
    """What a finished ffmpeg run reported: its stderr and the output's end time."""

    stderr: str
    out_seconds: float


@dataclass
class _Progress:
    """What the stdout reader thread has parsed so far (read by the polling thread)."""

    out_seconds: float = 0.0
    ended: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    closed: threading.Event = field(default_factory=threading.Event)


def _read_progress(stream: object, state: _Progress) -> None:
    for raw in iter(stream.readline, b""):  # type: ignore[attr-defined]
        key, _, value = raw.decode("utf-8", "replace").strip().partition("=")
        # ffmpeg 5 reports microseconds under both out_time_us and (misnamed) out_time_ms.
        if key in ("out_time_us", "out_time_ms") and value.lstrip("-").isdigit():
            with state.lock:
                state.out_seconds = max(state.out_seconds, int(value) / 1_000_000)
        elif key == "progress" and value == "end":
            with state.lock:
                state.ended = True
    state.closed.set()


def _drain(stream: object, lines: deque[str]) -> None:
    for raw in iter(stream.readline, b""):  # type: ignore[attr-defined]
        lines.append(raw.decode("utf-8", "replace").rstrip())


def classify_failure(stderr: str, returncode: int) -> MediaError:
    """Turn ffmpeg's stderr and exit status into the error a user can act on."""
    text = stderr.lower()
    tail = "\n".join(stderr.strip().splitlines()[-8:])
    details = {"returncode": returncode, "stderr_tail": tail}
    if returncode == -signal.SIGXFSZ or "no space left on device" in text or "file too large" in text:
        return DiskFullError(
            "no space left to write the output (disk full or file size limit); "
            "the partial output was removed — free some space and run again",
            details=details,
        )
    if "no such file or directory" in text:
        return MediaNotFoundError(f"ffmpeg could not open a file: {tail}", details=details)
    if "invalid data found when processing input" in text or "moov atom not found" in text:
        return NotMediaError(
            "the input is not a media file ffmpeg can read (corrupt or not audio/video)",
            details=details,
        )
    if "matches no streams" in text or "does not contain any stream" in text:
        return NoAudioStreamError(
            "the input has no stream of the kind this node needs (e.g. no audio track)",
            details=details,
        )
    if any(marker in text for marker in _UNSUPPORTED):
        return UnsupportedFormatError(
            f"this ffmpeg cannot write that container/codec combination: {tail}", details=details
        )
    return FfmpegFailedError(f"ffmpeg failed (exit {returncode}): {tail}", details=details)


def _remove(paths: Mapping[Path, Path]) -> None:
    for partial, final in paths.items():
        partial.unlink(missing_ok=True)
        final.unlink(missing_ok=True)


def _kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait()


def run_ffmpeg(
    argv: list[str],
    *,
    outputs: Mapping[Path, Path],
    duration: float | None,
    is_cancelled: Callable[[], bool],
    on_progress: ProgressFn | None = None,
) -> FfmpegRun:
    """Run `argv` (ffmpeg first; GLOBAL_ARGS, the SDK's input guard and process limits are
    applied here); its stderr and output time.

    `outputs` maps each staging path ffmpeg writes to the final path it is renamed to on
    success; on failure or cancellation both are deleted. Progress is the output time over
    `duration` (no progress is reported when the duration is unknown).
    """
    command = limited(guard_inputs([argv[0], *GLOBAL_ARGS, *argv[1:]]))
    try:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
    except FileNotFoundError as exc:
        raise tool_missing(Path(argv[0]).name) from exc
    state, lines = _Progress(), deque[str](maxlen=STDERR_LINES)
    readers = [
        threading.Thread(target=_read_progress, args=(process.stdout, state), daemon=True),
        threading.Thread(target=_drain, args=(process.stderr, lines), daemon=True),
    ]
    for reader in readers:
        reader.start()
    try:
        _wait(process, state, duration, is_cancelled, on_progress)
    except BaseException:
        _kill(process)
        _remove(outputs)
        raise
    finally:
        for reader in readers:
            reader.join(timeout=5)
    stderr = "\n".join(lines)
    if process.returncode != 0:
        _remove(outputs)
        raise classify_failure(stderr, process.returncode)
    for partial, final in outputs.items():
        atomic_publish(partial, final)
    return FfmpegRun(stderr=stderr, out_seconds=state.out_seconds)


def _wait(
    process: subprocess.Popen[bytes],
    state: _Progress,
    duration: float | None,
    is_cancelled: Callable[[], bool],
    on_progress: ProgressFn | None,
) -> None:
    reported = -1.0
    while True:
        # stdout closes when ffmpeg exits: waking on that event (rather than Popen.wait's
        # sleep back-off) returns as soon as the work is done.
        if state.closed.wait(timeout=POLL_SECONDS) or process.poll() is not None:
            process.wait()
            return
        if is_cancelled():
            raise NodeCancelledError("cancelled while ffmpeg was running; ffmpeg was stopped")
        if on_progress is not None and duration:
            with state.lock:
                fraction = min(1.0, state.out_seconds / duration)
            if fraction > reported:
                on_progress(fraction)
                reported = fraction
