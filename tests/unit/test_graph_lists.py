"""Validation and conversion know list sockets (docs/architecture.md §2, lists fan out): list-ness never
makes a link invalid — a list into an item input fans out, a list into a whole-list input
arrives whole, one item into a whole-list input arrives as a one-item list (the engine wraps
it) — and a type mismatch says which side is a list."""

from __future__ import annotations

from typing import Any

import pytest

from canvas_server.graph import ApiPrompt, validate_prompt
from canvas_server.graph.convert import workflow_to_prompt
from canvas_server.graph.layout import prompt_to_workflow
from nodes.sdk import NodeRegistry, discover


@pytest.fixture(scope="module")
def registry() -> NodeRegistry:
    return discover(only=["core", "production"])


def prompt(extra: dict[str, Any]) -> ApiPrompt:
    return ApiPrompt.model_validate({
        "bd": {"class_type": "production.script_breakdown", "inputs": {"script": "s.fountain"}},
        "ing": {"class_type": "production.ingredient", "inputs": {"name": "ANA"}},
        **extra,
    })


def test_a_list_into_an_item_input_and_into_a_whole_list_input_is_valid(registry: NodeRegistry) -> None:
    graph = prompt({
        "pay": {"class_type": "production.veo_payload", "inputs": {"shot": ["bd", 1]}},
        "cut": {"class_type": "production.animatic", "inputs": {"shots": ["bd", 1]}},
    })
    assert validate_prompt(graph, registry) == []


def test_one_item_into_a_whole_list_input_is_accepted_as_a_one_item_list(registry: NodeRegistry) -> None:
    graph = prompt({"bd2": {"class_type": "production.script_breakdown",
                            "inputs": {"script": "s.fountain", "ingredients": ["ing", 0]}},
                    "pay": {"class_type": "production.veo_payload", "inputs": {"shot": ["bd2", 1]}}})
    assert validate_prompt(graph, registry) == []


def test_a_list_of_the_wrong_type_names_the_list_in_the_mismatch(registry: NodeRegistry) -> None:
    graph = prompt({"shot": {"class_type": "production.shot", "inputs": {"description": "x", "slot1": ["bd", 1]}},
                    "pay": {"class_type": "production.veo_payload", "inputs": {"shot": ["shot", 0]}}})
    (error,) = validate_prompt(graph, registry)
    assert error.code == "type_mismatch" and error.node_id == "shot" and error.input == "slot1"
    assert "expects INGREDIENT but is linked to a list of SHOT" in error.message
    assert error.details["received_list"] is True and error.details["expected_list"] is False


def test_one_item_of_the_wrong_type_into_a_whole_list_input_names_both(registry: NodeRegistry) -> None:
    graph = prompt({"shot": {"class_type": "production.shot", "inputs": {"description": "x"}},
                    "bd2": {"class_type": "production.script_breakdown",
                            "inputs": {"script": "s.fountain", "ingredients": ["shot", 0]}},
                    "pay": {"class_type": "production.veo_payload", "inputs": {"shot": ["bd2", 1]}}})
    (error,) = validate_prompt(graph, registry)
    assert error.code == "type_mismatch" and error.input == "ingredients"
    assert "expects a list of INGREDIENT but is linked to one SHOT" in error.message


def test_a_bypassed_list_node_passes_the_list_through_to_the_fanned_out_node(registry: NodeRegistry) -> None:
    graph = prompt({
        "vs": {"class_type": "production.video_strategy", "inputs": {"shot": ["bd", 1]}},
        "pay": {"class_type": "production.veo_payload", "inputs": {"shot": ["vs", 0]}},
    })
    workflow = prompt_to_workflow(graph, registry)
    for node in workflow.nodes:
        if node.type == "production.video_strategy":
            node.mode = 4
    converted = workflow_to_prompt(workflow, registry)
    assert converted.errors == []
    nodes = converted.prompt.nodes()
    payload = next(n for n in nodes.values() if n.class_type == "production.veo_payload")
    breakdown = next(i for i, n in nodes.items() if n.class_type == "production.script_breakdown")
    assert payload.inputs["shot"] == [breakdown, 1]
    assert validate_prompt(converted.prompt, registry) == []
