"""The providers pack's nodes run as a Function Runner runs them, in a workspace with a project."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from function_runners.execute import execute_task
from function_runners.task import NodeResult, NodeTask
from nodes.providers import NODES
from nodes.sdk import ModelCache, NodeRegistry, discover, spec_of

SHOT = "Chapter_01/Scene_01/Shot_01"
_task_ids = itertools.count(1)


@pytest.fixture(scope="module")
def providers() -> NodeRegistry:
    """core, media and audio (transcription) beside this pack (installed or not)."""
    registry = discover(only=["core", "media", "audio"])
    for cls in NODES:
        if registry.get(spec_of(cls).type) is None:
            registry.add(cls, "providers")
    return registry


@pytest.fixture
def studio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace with the project `Film`; provider retries back off quickly."""
    monkeypatch.setenv("AUTEUR_PROVIDER_BACKOFF_S", "0.05")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.delenv("AUTEUR_SECRET_KEY", raising=False)
    monkeypatch.delenv("AUTEUR_SECRETS_DIR", raising=False)
    project = tmp_path / "Projects" / "Film"
    project.mkdir(parents=True)
    (project / "project.json").write_text(json.dumps({"name": "Film"}))
    return tmp_path


def run_node(workspace: Path, registry: NodeRegistry, type_id: str, inputs: dict[str, Any], *,
             principal: str | None = None, is_cancelled: Callable[[], bool] | None = None,
             progress: list[float] | None = None, models: ModelCache | None = None) -> NodeResult:
    number = next(_task_ids)
    task = NodeTask(
        run_id=f"run-{number}", node_id=str(number), type=type_id, version="1.0.0", inputs=inputs, tier="standard",
        scratch_dir=str(workspace / ".auteur" / "scratch" / f"run-{number}"), workspace_root=str(workspace),
        project_root=str(workspace / "Projects" / "Film"), project="Film", principal=principal,
    )
    seen = progress if progress is not None else []
    return execute_task(task, registry, models or ModelCache(), runner="test", is_cancelled=is_cancelled,
                        progress=lambda fraction, step: seen.append(fraction))
