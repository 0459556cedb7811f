"""What `auteur doctor` checks for the audio pack: the offline Whisper model and Demucs."""

from __future__ import annotations

import importlib.util

from nodes.sdk import AuteurError


def audio_checks() -> list[tuple[str, bool, str]]:
    from .whisper_model import resolve_model_dir

    try:
        whisper = ("whisper model", True, str(resolve_model_dir("tiny.en")))
    except AuteurError as exc:
        whisper = ("whisper model", False, exc.message)
    if importlib.util.find_spec("demucs") is None:
        demucs = ("demucs", False, "not installed: `pip install demucs` (make setup does)")
    else:
        demucs = ("demucs", True, "installed (tests use the built-in demucs_unittest model)")
    return [whisper, demucs]
