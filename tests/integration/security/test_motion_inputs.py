"""Hostile inputs to production.motion_graphics (issue 26): refused at submission as a clear 4xx
in the one error shape, never run, never a 500. A hostile model-written scene is the node's own
test (tests/integration/production/test_motion_graphics.py): refused in the sandbox."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .test_story_inputs import assert_clear_4xx

HOSTILE: list[dict[str, Any]] = [
    {"description": ""},
    {"description": "x" * 4001},
    {"description": "x", "template": "../../etc/passwd"},
    {"description": "x", "width": 100_000},
    {"description": "x", "fps": 0},
    {"description": "x", "duration": -1},
    {"description": "x", "font": "/etc/shadow"},
    {"description": "x", "style": {"palette": ["red; rm -rf /"]}},
    {"description": "x", "scene_seconds": 86_400},
    {"description": "x", "allow_new_scene": "sometimes"},
]


@pytest.mark.parametrize("inputs", HOSTILE)
def test_hostile_motion_graphics_inputs_are_a_clear_4xx(clients: dict[str, httpx.Client],
                                                        inputs: dict[str, Any]) -> None:
    graph = {"1": {"class_type": "production.motion_graphics", "inputs": inputs}}
    answer = clients["cy"].post("/api/runs", json={"graph": graph, "targets": ["1"]})
    assert_clear_4xx(answer)
    assert "unknown_node_type" not in answer.text  # refused for its input, by a server that has the node
