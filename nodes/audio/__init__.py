"""The audio pack: loudness normalisation, transcription, subtitles and stem separation."""

from nodes.sdk import Pack

from .checks import audio_checks
from .normalize import NormalizeLoudness
from .settings import AudioSettings
from .stems import SeparateStems
from .subtitles import Subtitles
from .transcribe import Transcribe

NODES = [NormalizeLoudness, Transcribe, Subtitles, SeparateStems]
PACK = Pack(settings=AudioSettings, checks=audio_checks)

__all__ = ["NODES", "PACK", "NormalizeLoudness", "SeparateStems", "Subtitles", "Transcribe"]
