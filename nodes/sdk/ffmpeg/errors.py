"""Errors of the media and audio packs, each with a stable code and an actionable message.

NodeExecutionError
 ├── MissingDependencyError      ffmpeg/ffprobe or a model is not installed (code dependency_missing)
 ├── MediaNotFoundError          the input file does not exist          (media_not_found)
 ├── NotMediaError               the file is not audio, video or image  (not_media)
 ├── NoAudioStreamError          an audio operation on a silent file    (no_audio_stream)
 ├── NoVideoStreamError          a picture operation on audio only      (no_video_stream)
 ├── UnsupportedFormatError      container or codec ffmpeg cannot use   (unsupported_format)
 ├── DiskFullError               writing the output ran out of space    (disk_full)
 └── FfmpegFailedError           any other ffmpeg failure, with stderr  (ffmpeg_failed)
"""

from __future__ import annotations

from nodes.sdk import MissingDependencyError, NodeExecutionError

INSTALL_FFMPEG = "install it with `apt-get install ffmpeg` (macOS: `brew install ffmpeg`)"


class MediaError(NodeExecutionError):
    """Base of the media errors; `code` is set by each subclass."""

    code = "media_error"


class MediaNotFoundError(MediaError):
    code = "media_not_found"


class NotMediaError(MediaError):
    code = "not_media"


class NoAudioStreamError(MediaError):
    code = "no_audio_stream"


class NoVideoStreamError(MediaError):
    code = "no_video_stream"


class UnsupportedFormatError(MediaError):
    code = "unsupported_format"


class DiskFullError(MediaError):
    code = "disk_full"


class FfmpegFailedError(MediaError):
    code = "ffmpeg_failed"


def tool_missing(tool: str) -> MissingDependencyError:
    """The error for a missing ffmpeg/ffprobe binary."""
    return MissingDependencyError(
        f"{tool} is not installed or not on PATH; {INSTALL_FFMPEG}", details={"tool": tool}
    )
