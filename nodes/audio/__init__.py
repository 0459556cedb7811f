"""The audio pack: loudness normalisation, transcription, subtitles and stem separation."""

from .normalize import NormalizeLoudness
from .stems import SeparateStems
from .subtitles import Subtitles
from .transcribe import Transcribe

NODES = [NormalizeLoudness, Transcribe, Subtitles, SeparateStems]

__all__ = ["NODES", "NormalizeLoudness", "SeparateStems", "Subtitles", "Transcribe"]
