"""Hostile inputs to the language-model agent nodes (issue 22): refused at submission as a
clear 4xx in the one error shape, never run, never a 500."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .test_story_inputs import assert_clear_4xx

HOSTILE: list[tuple[str, dict[str, Any]]] = [
    ("agents.narrative", {"prompt": "x", "words": 100_000}),
    ("agents.narrative", {"prompt": "x", "form": "novel"}),
    ("agents.narrative", {"prompt": "x", "character_1": {"id": "../../etc", "kind": "Villain", "name": ""}}),
    ("agents.location_designer", {"brief": "x", "world": "not an object"}),
    ("agents.consistency_check", {"content": ["a", "list"]}),
    ("agents.consistency_check", {"content": "x", "at": ["a", "list"]}),
    ("agents.consistency_check", {"content": "x", "at": "Year 3\n" + "x" * 300}),
    ("agents.narrative", {"prompt": "x", "at": "9" * 201}),
    ("agents.scribe", {"story": "x", "kind": "ransom_note"}),
    ("agents.scribe", {"story": "x", "always_review": "sometimes"}),
]


@pytest.mark.parametrize(("node_type", "inputs"), HOSTILE)
def test_hostile_agent_node_inputs_are_a_clear_4xx(clients: dict[str, httpx.Client], node_type: str,
                                                   inputs: dict[str, Any]) -> None:
    graph = {"1": {"class_type": node_type, "inputs": inputs}}
    answer = clients["cy"].post("/api/runs", json={"graph": graph, "targets": ["1"]})
    assert_clear_4xx(answer)
    assert "unknown_node_type" not in answer.text  # refused for its input, by a server that has the node
