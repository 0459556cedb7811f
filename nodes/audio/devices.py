"""Where a model runs: the tier says `cpu`, `cuda` or `auto` (CUDA when this process has it)."""

from __future__ import annotations


def torch_device(preference: str) -> str:
    """The torch device for demucs."""
    if preference != "auto":
        return preference
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def ctranslate2_device(preference: str) -> str:
    """The CTranslate2 device for faster-whisper."""
    if preference != "auto":
        return preference
    import ctranslate2

    return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
