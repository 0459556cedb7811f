"""The media pack: load, trim, convert, thumbnail and extract audio with ffmpeg."""

from nodes.sdk.ffmpeg.reframe import Reframe

from .convert import ConvertVideo
from .extract_audio import ExtractAudio
from .load import LoadMedia
from .thumbnail import Thumbnail
from .trim import TrimVideo

NODES = [LoadMedia, TrimVideo, ConvertVideo, Thumbnail, ExtractAudio, Reframe]

__all__ = ["NODES", "ConvertVideo", "ExtractAudio", "LoadMedia", "Reframe", "Thumbnail", "TrimVideo"]
