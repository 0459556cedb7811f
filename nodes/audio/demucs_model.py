"""Find and load a Demucs model without downloading anything.

`demucs_unittest` (built into demucs, untrained) always loads. Named pretrained models
(htdemucs, htdemucs_ft, ...) load only from a local repo, `AUTEUR_DEMUCS_REPO`: a folder with
`<name>.yaml` and the `<signature>-<hash>.th` weight files it lists.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nodes.sdk import MissingDependencyError, ModelCache

from .settings import AudioSettings

ENV_REPO = "AUTEUR_DEMUCS_REPO"
ENV_MODEL = "AUTEUR_DEMUCS_MODEL"
BUILTIN = "demucs_unittest"


def choose_model(node_input: str, tier_model: str) -> str:
    """The node's own choice, else AUTEUR_DEMUCS_MODEL, else the tier's."""
    return node_input or AudioSettings().demucs_model or tier_model


def _missing(name: str, why: str) -> MissingDependencyError:
    return MissingDependencyError(
        f"demucs model {name!r} is not available offline ({why}); download its weights once "
        f"(`python -m demucs -n {name}` on a machine with network caches them under "
        f"~/.cache/torch/hub/checkpoints) and set {ENV_REPO} to a folder holding {name}.yaml "
        f"(from demucs/remote) and those .th files, or choose model {BUILTIN!r} for tests",
        details={"model": name, "env": ENV_REPO},
    )


def _repo_for(name: str) -> Path | None:
    if name == BUILTIN:
        return None
    configured = AudioSettings().demucs_repo
    if configured is None:
        raise _missing(name, f"{ENV_REPO} is not set")
    repo = configured
    if not repo.is_dir():
        raise _missing(name, f"{ENV_REPO}={configured} is not a folder")
    if not (repo / f"{name}.yaml").is_file() and not any(repo.glob(f"{name}*.th")):
        raise _missing(name, f"{ENV_REPO}={configured} has no {name}.yaml or {name}*.th")
    return repo


def load_demucs(models: ModelCache, name: str) -> Any:
    """The model (or bag of models) `name`, loaded once per process and reused."""
    repo = _repo_for(name)

    def loader() -> Any:
        import torch
        from demucs.pretrained import get_model
        from demucs.repo import ModelLoadingError

        # The built-in test model is randomly initialised: seed it so results are repeatable.
        torch.manual_seed(0)
        try:
            model = get_model(name, repo=repo)
        except (ModelLoadingError, FileNotFoundError) as exc:
            raise _missing(name, str(exc)) from exc
        model.eval()
        return model

    return models.get_or_load(f"demucs:{name}:{repo}", loader)


def max_segment(model: Any, wanted: float) -> float:
    """Transformer models cannot take segments longer than they were trained on."""
    from demucs.apply import BagOfModels
    from demucs.htdemucs import HTDemucs

    if isinstance(model, BagOfModels):
        return min(wanted, model.max_allowed_segment)
    if isinstance(model, HTDemucs):
        return min(wanted, float(model.segment))
    return wanted
