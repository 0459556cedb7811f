"""The runner's MediaRef check looks only where a reference could be: scalar fields are
skipped, everything that could hold one (Any, unions with a model, containers) is searched."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import BaseModel

from function_runners.execute import _fields_that_may_hold_refs, check_refs
from nodes.sdk import MediaRef, ModelCache, PathForbiddenError, PathSandbox, RunContext


class Mood(enum.Enum):
    CALM = "calm"


class Inputs(BaseModel):
    count: int = 1
    ratio: float | None = None
    label: str = ""
    mood: Mood = Mood.CALM
    mode: Literal["a", "b"] = "a"
    anything: Any = None
    clip: MediaRef | None = None
    clips: list[MediaRef] = []
    table: dict[str, Any] = {}


def test_only_fields_that_could_hold_a_reference_are_searched() -> None:
    assert _fields_that_may_hold_refs(Inputs) == ("anything", "clip", "clips", "table")


@pytest.mark.parametrize("where", ["anything", "clips", "table"])
def test_a_reference_outside_the_roots_is_refused_wherever_it_hides(tmp_path: Path, where: str) -> None:
    root = tmp_path / "project"
    root.mkdir()
    ctx = RunContext(run_id="r", node_id="n", type_id="t", tier="standard", tier_params={},
                     workspace_root=tmp_path, sandbox=PathSandbox([root]), scratch_dir=root,
                     models=ModelCache())
    outside = MediaRef(path="elsewhere/secret.mp4", sha256="0" * 64, mime="video/mp4", kind="video")
    value = {"anything": {"nested": [outside]}, "clips": [outside], "table": {"k": outside}}[where]
    with pytest.raises(PathForbiddenError):
        check_refs(Inputs.model_validate({where: value}), ctx)
