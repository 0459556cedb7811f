"""The one guard every ffmpeg and ffprobe process passes, in a node or in the server.

Three layers, because a small file can demand a huge amount of work (a 746 KB PNG declares
16000×16000 pixels: 768 MB per decoded frame, 21 GB once a filter graph holds several):

1. **What it may open**: real media demuxers only and only the `file` protocol
   (`INPUT_GUARD` before every `-i`), so playlists, concat lists and image sequences never
   lead ffmpeg to another file or a URL.
2. **A budget, checked before any decoding**: an input's pixel count and duration
   (`check_media_budget`); a still image's header is read without decoding it
   (`check_picture`), since ffprobe itself decodes a frame to describe it.
3. **A hard backstop**: the process runs under a data-segment limit and dies with the process
   that started it (`limited`), so neither a budget a file lies about nor a killed runner can
   leave ffmpeg growing or running.
"""

from __future__ import annotations

import os
import re
import shutil
import warnings
from pathlib import Path

from ._errors import NodeExecutionError

# Real media demuxers: none of them follows a reference to another file or URL.
MEDIA_DEMUXERS = (
    "aac", "ac3", "aiff", "amr", "ape", "apng", "asf", "avi", "caf", "dts", "eac3", "flac", "flv", "gif",
    "h264", "hevc", "ivf", "m4v", "matroska", "mjpeg", "mov", "mp3", "mpeg", "mpegts", "mpegvideo", "obu",
    "ogg", "w64", "wav", "wv", "yuv4mpegpipe",
    "png_pipe", "jpeg_pipe", "webp_pipe", "bmp_pipe", "tiff_pipe", "gif_pipe",
    "f32le", "f64le", "s16le", "s24le", "s32le", "u8",
)
INPUT_GUARD = ["-protocol_whitelist", "file", "-format_whitelist", ",".join(MEDIA_DEMUXERS)]

# 8192×8192 covers 8K UHD (7680×4320) and square 8K textures; 10 hours covers any recording
# a film pipeline edits. Beyond either, a file is refused before ffmpeg decodes a frame.
MAX_PIXELS = 8192 * 8192
MAX_SECONDS = 10 * 3600.0
# x264 at 1080p needs about 1 GB of data segment; 4K more. A quarter of the machine's memory,
# between 2 and 8 GiB, leaves room for real work and stops a runaway long before the OOM killer.
_GIB = 1024**3


class MediaTooLargeError(NodeExecutionError):
    """An input is over the pixel or duration budget (code media_too_large)."""

    code = "media_too_large"


def memory_limit_bytes() -> int:
    """The data-segment limit for one ffmpeg/ffprobe process."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return max(2 * _GIB, min(8 * _GIB, total // 4))


def check_media_budget(name: str, *, width: int | None, height: int | None,
                       duration: float | None) -> None:
    """Refuse a stream whose frame or length is over the budget."""
    if width and height and width * height > MAX_PIXELS:
        raise MediaTooLargeError(
            f"{name} is {width}×{height} pixels, over the limit of {MAX_PIXELS:,} pixels "
            "(8192×8192); scale it down before using it",
            details={"width": width, "height": height, "max_pixels": MAX_PIXELS},
        )
    if duration and duration > MAX_SECONDS:
        raise MediaTooLargeError(
            f"{name} lasts {duration / 3600:.1f} hours, over the limit of "
            f"{MAX_SECONDS / 3600:.0f} hours; cut it into parts first",
            details={"duration": duration, "max_seconds": MAX_SECONDS},
        )


def check_picture(path: Path) -> None:
    """For a still image, read the size from its header (never decoding it) and check it.
    Anything Pillow does not recognise as an image is left to ffprobe."""
    from PIL import Image, UnidentifiedImageError  # imported here: only media work needs it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
    except Image.DecompressionBombError as exc:
        # Pillow refuses at open, before we see the size; its message carries the count.
        declared = re.search(r"\((\d+) pixels\)", str(exc))
        pixels = f"{int(declared.group(1)):,} pixels" if declared else "more pixels than that"
        raise MediaTooLargeError(
            f"{path.name} declares {pixels}, over the limit of {MAX_PIXELS:,} pixels "
            "(8192×8192); scale it down before using it",
            details={"max_pixels": MAX_PIXELS},
        ) from None
    except (UnidentifiedImageError, OSError, ValueError):
        return
    check_media_budget(path.name, width=width, height=height, duration=None)


def _input_files(argv: list[str]) -> list[Path]:
    return [Path(argv[i + 1]) for i, arg in enumerate(argv[:-1]) if arg == "-i"]


def guard_inputs(argv: list[str]) -> list[str]:
    """`argv` with INPUT_GUARD before every `-i`, each input picture checked first."""
    for path in _input_files(argv):
        if path.is_file():
            check_picture(path)
    guarded = [argv[0]]
    for arg in argv[1:]:
        if arg == "-i":
            guarded.extend(INPUT_GUARD)
        guarded.append(arg)
    return guarded


def limited(argv: list[str]) -> list[str]:
    """`argv` run under the data-segment limit and killed when its parent dies.

    util-linux's `setpriv --pdeathsig` and `prlimit` apply both in the child before ffmpeg
    starts (no `preexec_fn`, which is unsafe in the threaded server). Where they are missing
    (not Linux) the command runs as given: the budget still applies.
    """
    setpriv, prlimit = shutil.which("setpriv"), shutil.which("prlimit")
    prefix: list[str] = []
    if setpriv:
        prefix += [setpriv, "--pdeathsig", "KILL", "--"]
    if prlimit:
        prefix += [prlimit, f"--data={memory_limit_bytes()}", "--"]
    return [*prefix, *argv]
