"""The audio pack's settings (`AUTEUR_WHISPER_*`, `AUTEUR_DEMUCS_*`), declared once here and
read from the environment of whichever process runs the node."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from nodes.sdk import PackSettings


class AudioSettings(PackSettings):
    """Where the offline models come from."""

    whisper_model_dir: Path | None = Field(None, description="Folder of a CTranslate2 Whisper model")
    demucs_repo: Path | None = Field(None, description="Folder of local Demucs weights (`<model>.yaml` and its `.th` files)")
    demucs_model: str | None = Field(None, description="Overrides the tier's Demucs model (e.g. demucs_unittest)")
