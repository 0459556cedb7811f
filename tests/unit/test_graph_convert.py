"""Workflow → API prompt (and back): widgets by name, mute, bypass, reroutes, primitives,
subgraphs — on our own core workflows (exact prompts) and on real files from other projects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from canvas_server.graph import (
    ApiPrompt,
    Workflow,
    convert_graph,
    load_graph,
    prompt_to_workflow,
    validate_prompt,
    workflow_to_prompt,
)

from .graph_testkit import (
    LITEGRAPH_FILES,
    add,
    core_registry,
    integer,
    show,
    slot_in,
    slot_out,
    wf_node,
    workflow,
)


def convert(doc: dict[str, Any]) -> dict[str, Any]:
    conversion = workflow_to_prompt(Workflow.model_validate(doc), core_registry())
    assert conversion.errors == []
    return conversion.prompt.dump()


def real(testdata_dir: Path, name: str) -> dict[str, Any]:
    data = json.loads((testdata_dir / "litegraph" / name).read_text(encoding="utf-8"))
    return load_graph(data, core_registry()).prompt.dump()


def test_widget_values_are_named_by_catalog_order_and_links_override_them() -> None:
    doc = workflow(
        [integer(1, 5, [1]), integer(2, 7, [2]), add(3, 1, 2, [3]), show(4, 3)],
        [[1, 1, 0, 3, 0, "INT"], [2, 2, 0, 3, 1, "INT"], [3, 3, 0, 4, 0, "FLOAT"]],
    )
    assert convert(doc) == {
        "1": {"class_type": "core.integer", "inputs": {"value": 5}, "_meta": {"title": "Integer"}},
        "2": {"class_type": "core.integer", "inputs": {"value": 7}, "_meta": {"title": "Integer"}},
        "3": {
            "class_type": "core.add",
            "inputs": {"a": ["1", 0], "b": ["2", 0]},
            "_meta": {"title": "Add"},
        },
        "4": {"class_type": "core.show", "inputs": {"value": ["3", 0]}, "_meta": {"title": "Show"}},
    }


def test_dict_widget_values_are_taken_by_name_and_unknown_names_dropped() -> None:
    join = wf_node(
        1,
        "core.join_text",
        widgets={"separator": "+", "b": "r", "a": "l", "junk": 1},
        outputs=[slot_out("text", "TEXT", [1])],
        title="Glue",
    )
    prompt = convert(workflow([join, show(2, 1)], [[1, 1, 0, 2, 0, "TEXT"]]))
    assert prompt["1"] == {
        "class_type": "core.join_text",
        "inputs": {"separator": "+", "b": "r", "a": "l"},
        "_meta": {"title": "Glue"},
    }


def test_control_after_generate_values_are_skipped() -> None:
    doc = workflow(
        [
            integer(
                1,
                5,
                [1],
            ),
            add(2, None, None, [2], widgets=[1, "fixed", 2, "randomize"]),
            show(3, 2),
        ],
        [[1, 1, 0, 2, 0, "INT"], [2, 2, 0, 3, 0, "FLOAT"]],
    )
    doc["nodes"][0]["widgets_values"] = [5, "increment"]
    doc["nodes"][1]["inputs"][0]["link"] = None
    doc["links"] = doc["links"][1:]
    prompt = convert(doc)
    assert prompt["1"]["inputs"] == {"value": 5}
    assert prompt["2"]["inputs"] == {"a": 1, "b": 2}


def test_a_muted_node_is_dropped_and_its_consumer_loses_the_input() -> None:
    doc = workflow(
        [integer(1, 5, [1]), add(2, 1, None, [2], widgets=[0, 10], mode=2), show(3, 2)],
        [[1, 1, 0, 2, 0, "INT"], [2, 2, 0, 3, 0, "FLOAT"]],
    )
    prompt = convert(doc)
    assert sorted(prompt) == ["1", "3"]
    assert prompt["3"]["inputs"] == {}
    codes = [error.code for error in validate_prompt(ApiPrompt(prompt), core_registry())]
    assert codes == ["required_input_missing"]


def test_a_bypassed_node_passes_its_matching_input_through() -> None:
    doc = workflow(
        [integer(1, 5, [1]), add(2, 1, None, [2], widgets=[0, 10], mode=4), show(3, 2)],
        [[1, 1, 0, 2, 0, "INT"], [2, 2, 0, 3, 0, "FLOAT"]],
    )
    doc["nodes"][1]["inputs"][0]["type"] = "FLOAT"
    prompt = convert(doc)
    assert sorted(prompt) == ["1", "3"]
    assert prompt["3"]["inputs"] == {"value": ["1", 0]}


def test_a_bypassed_node_prefers_a_linked_input_of_the_output_type() -> None:
    text = wf_node(1, "core.text", widgets=["hi"], outputs=[slot_out("text", "TEXT", [1])])
    join = wf_node(
        2,
        "core.join_text",
        widgets=["", "", " "],
        mode=4,
        inputs=[slot_in("a", "TEXT", None, True), slot_in("b", "TEXT", 1, True)],
        outputs=[slot_out("text", "TEXT", [2])],
    )
    prompt = convert(
        workflow([text, join, show(3, 2)], [[1, 1, 0, 2, 1, "TEXT"], [2, 2, 0, 3, 0, "TEXT"]])
    )
    assert prompt["3"]["inputs"] == {"value": ["1", 0]}


def reroute(node_id: int, link: int, links: list[int]) -> dict[str, Any]:
    return wf_node(
        node_id, "Reroute", inputs=[slot_in("", "*", link)], outputs=[slot_out("", "INT", links)]
    )


def test_chained_reroute_nodes_resolve_to_the_real_source() -> None:
    doc = workflow(
        [integer(1, 3, [1]), reroute(2, 1, [2]), reroute(3, 2, [3, 4]), show(4, 3), show(5, 4)],
        [[1, 1, 0, 2, 0, "INT"], [2, 2, 0, 3, 0, "*"], [3, 3, 0, 4, 0, "*"], [4, 3, 0, 5, 0, "*"]],
    )
    prompt = convert(doc)
    assert sorted(prompt) == ["1", "4", "5"]
    assert prompt["4"]["inputs"] == prompt["5"]["inputs"] == {"value": ["1", 0]}


def test_native_reroutes_of_version_1_keep_the_link_origin() -> None:
    doc = {
        "version": 1,
        "state": {"lastNodeId": 2, "lastLinkId": 1, "lastRerouteId": 1},
        "nodes": [integer(1, 9, [1]), show(2, 1)],
        "links": [
            {
                "id": 1,
                "origin_id": 1,
                "origin_slot": 0,
                "target_id": 2,
                "target_slot": 0,
                "type": "INT",
                "parentId": 1,
            }
        ],
        "reroutes": [{"id": 1, "pos": [50, 50], "linkIds": [1]}],
        "extra": {},
    }
    assert convert(doc)["2"]["inputs"] == {"value": ["1", 0]}
    assert Workflow.model_validate(doc).dump() == doc


def test_a_primitive_node_value_becomes_the_constant_of_the_widgets_it_feeds() -> None:
    primitive = wf_node(
        1,
        "PrimitiveNode",
        widgets=[42, "fixed"],
        outputs=[{"name": "INT", "type": "INT", "links": [1, 2], "widget": {"name": "a"}}],
    )
    doc = workflow(
        [
            primitive,
            add(2, 1, None, [3], widgets=[0, 1]),
            add(3, 2, None, [4], widgets=[0, 2]),
            show(4, 3),
            show(5, 4),
            wf_node(6, "Note", widgets=["remember"]),
        ],
        [
            [1, 1, 0, 2, 0, "INT"],
            [2, 1, 0, 3, 0, "INT"],
            [3, 2, 0, 4, 0, "FLOAT"],
            [4, 3, 0, 5, 0, "FLOAT"],
        ],
    )
    prompt = convert(doc)
    assert sorted(prompt) == ["2", "3", "4", "5"]
    assert prompt["2"]["inputs"] == {"a": 42, "b": 1}
    assert prompt["3"]["inputs"] == {"a": 42, "b": 2}


SUBGRAPH_ID = "0d6a7c8e-1111-4f5e-9a3b-5c2d1e0f9a77"


def subgraph_workflow() -> dict[str, Any]:
    inner_add = add(6, 101, 102, [103])
    definition = {
        "id": SUBGRAPH_ID,
        "version": 1,
        "state": {"lastNodeId": 6, "lastLinkId": 103},
        "name": "Add four",
        "inputNode": {"id": -10, "bounding": [0, 0, 100, 60]},
        "outputNode": {"id": -20, "bounding": [600, 0, 100, 60]},
        "inputs": [{"id": "in-x", "name": "x", "type": "INT", "linkIds": [101]}],
        "outputs": [{"id": "out-y", "name": "y", "type": "FLOAT", "linkIds": [103]}],
        "widgets": [],
        "nodes": [integer(5, 4, [102]), inner_add],
        "links": [
            {
                "id": 101,
                "origin_id": -10,
                "origin_slot": 0,
                "target_id": 6,
                "target_slot": 0,
                "type": "INT",
            },
            {
                "id": 102,
                "origin_id": 5,
                "origin_slot": 0,
                "target_id": 6,
                "target_slot": 1,
                "type": "INT",
            },
            {
                "id": 103,
                "origin_id": 6,
                "origin_slot": 0,
                "target_id": -20,
                "target_slot": 0,
                "type": "FLOAT",
            },
        ],
        "groups": [],
        "extra": {},
    }
    instance = wf_node(
        10, SUBGRAPH_ID, inputs=[slot_in("x", "INT", 1)], outputs=[slot_out("y", "FLOAT", [2])]
    )
    return workflow(
        [integer(1, 3, [1]), instance, show(20, 2)],
        [[1, 1, 0, 10, 0, "INT"], [2, 10, 0, 20, 0, "FLOAT"]],
        definitions={"subgraphs": [definition]},
    )


def test_a_subgraph_instance_is_flattened_with_path_ids() -> None:
    assert convert(subgraph_workflow()) == {
        "1": {"class_type": "core.integer", "inputs": {"value": 3}, "_meta": {"title": "Integer"}},
        "20": {
            "class_type": "core.show",
            "inputs": {"value": ["10:6", 0]},
            "_meta": {"title": "Show"},
        },
        "10:5": {
            "class_type": "core.integer",
            "inputs": {"value": 4},
            "_meta": {"title": "Integer"},
        },
        "10:6": {
            "class_type": "core.add",
            "inputs": {"a": ["1", 0], "b": ["10:5", 0]},
            "_meta": {"title": "Add"},
        },
    }


def test_a_link_to_a_link_id_that_does_not_exist_is_reported_not_raised() -> None:
    doc = workflow([show(1, 99)], [])
    conversion = workflow_to_prompt(Workflow.model_validate(doc), core_registry())
    assert [(error.code, error.node_id) for error in conversion.errors] == [("invalid_link", "1")]
    assert conversion.prompt.dump()["1"]["inputs"] == {}


@pytest.mark.parametrize("name", LITEGRAPH_FILES)
def test_every_real_file_converts_and_validates_with_unknown_type_errors(
    testdata_dir: Path, name: str
) -> None:
    prompt = real(testdata_dir, name)
    assert prompt
    errors = validate_prompt(ApiPrompt.model_validate(prompt), core_registry())
    unknown = {error.node_id for error in errors if error.code == "unknown_node_type"}
    assert unknown == set(prompt)
    assert {error.code for error in errors} <= {"unknown_node_type", "no_output_nodes"}


def test_real_subgraph_file_is_flattened_through_its_bypassed_loras(testdata_dir: Path) -> None:
    prompt = real(testdata_dir, "comfy_subgraph_definitions.json")
    inner = [node_id for node_id in prompt if node_id.startswith("5232:")]
    assert len(inner) == 21 and "5232" not in prompt
    assert not {"5230", "5231", "5245", "5246", "5247", "5248"} & set(prompt)
    assert prompt["5229"]["inputs"]["images"] == ["5232:5185", 0]
    assert prompt["5232:5151"]["inputs"]["model"] == ["5228", 0]  # via bypassed 5230
    assert prompt["5232:5171"]["inputs"]["model"] == ["5228", 0]  # via bypassed 5231
    assert prompt["5232:5170"]["inputs"]["frame_rate"] == ["5220", 0]


def test_real_bypass_file_skips_the_bypassed_patch_and_reads_dict_widgets(
    testdata_dir: Path,
) -> None:
    prompt = real(testdata_dir, "comfy_bypass_widgets_dict.json")
    assert "80" not in prompt and "85" not in prompt
    assert prompt["59"]["inputs"]["model"] == ["44", 0]
    assert prompt["50"]["inputs"]["frame_rate"] == 24
    assert prompt["50"]["inputs"]["images"] == ["57", 0]


def test_real_primitive_file_feeds_the_seed_to_both_samplers(testdata_dir: Path) -> None:
    prompt = real(testdata_dir, "comfy_primitive_note.json")
    assert not {"19", "20", "21"} & set(prompt)
    assert prompt["3"]["inputs"]["seed"] == prompt["15"]["inputs"]["seed"] == 46


def test_real_reroute_file_links_reach_the_real_sources(testdata_dir: Path) -> None:
    prompt = real(testdata_dir, "comfy_reroute_nodes.json")
    assert "49" not in prompt and "77" not in prompt
    assert prompt["69"]["inputs"]["image"] == ["74", 0]
    assert prompt["76"]["inputs"]["image"] == ["10", 0]
    sources = {
        value[0]
        for node in prompt.values()
        for value in node["inputs"].values()
        if isinstance(value, list)
    }
    assert sources <= set(prompt)


def test_prompt_to_workflow_lays_out_columns_by_depth_and_converts_back() -> None:
    prompt = {
        "1": {"class_type": "core.integer", "inputs": {"value": 2}, "_meta": {"title": "Two"}},
        "2": {
            "class_type": "core.add",
            "inputs": {"a": ["1", 0], "b": 5},
            "_meta": {"title": "Add"},
        },
        "3": {"class_type": "core.show", "inputs": {"value": ["2", 0]}, "_meta": {"title": "Show"}},
    }
    registry = core_registry()
    laid_out = prompt_to_workflow(ApiPrompt.model_validate(prompt), registry)
    xs = {node.key: node.pos[0] for node in laid_out.nodes if isinstance(node.pos, list)}
    assert xs["1"] < xs["2"] < xs["3"]
    assert workflow_to_prompt(laid_out, registry).prompt.dump() == prompt
    assert Workflow.model_validate(laid_out.dump()).dump() == laid_out.dump()


def test_api_file_converts_to_a_workflow_and_back_unchanged(testdata_dir: Path) -> None:
    data = json.loads((testdata_dir / "litegraph" / "api_sd15_txt2img.json").read_text())
    as_workflow, errors = convert_graph(data, "workflow", core_registry())
    # Nothing is lost; what it cannot do is named: the ComfyUI node types the core pack lacks.
    assert [(error.code, (error.details or {})["type"]) for error in errors] == [
        ("unknown_node_type", node_type) for node_type in sorted({node["class_type"] for node in data.values()})]
    again, _ = convert_graph(as_workflow, "api", core_registry())
    assert again == ApiPrompt.model_validate(data).dump()


def test_workflow_to_workflow_conversion_is_lossless(testdata_dir: Path) -> None:
    data = json.loads((testdata_dir / "litegraph" / "comfy_subgraph_definitions.json").read_text())
    converted, _ = convert_graph(data, "workflow", core_registry())
    assert converted == data


def test_flattened_path_ids_are_renumbered_on_a_canvas_and_kept_in_properties() -> None:
    prompt = convert(subgraph_workflow())
    laid_out = prompt_to_workflow(ApiPrompt.model_validate(prompt), core_registry())
    api_ids = {node.properties.get("api_id") for node in laid_out.nodes if node.properties}
    assert {"1", "20", "10:5", "10:6"} == api_ids
    assert all(isinstance(node.id, int) for node in laid_out.nodes)


def wrap_in_outer_subgraph(doc: dict[str, Any]) -> dict[str, Any]:
    """Put the root instance (node 10) inside a second subgraph, instantiated as node 10."""
    outer_id = "outer-subgraph"
    inner_instance = wf_node(
        7, SUBGRAPH_ID, inputs=[slot_in("x", "INT", 201)], outputs=[slot_out("y", "FLOAT", [202])]
    )
    outer = {
        "id": outer_id,
        "version": 1,
        "inputNode": {"id": -10},
        "outputNode": {"id": -20},
        "inputs": [{"id": "ox", "name": "x", "type": "INT", "linkIds": [201]}],
        "outputs": [{"id": "oy", "name": "y", "type": "FLOAT", "linkIds": [202]}],
        "nodes": [inner_instance],
        "links": [
            {"id": 201, "origin_id": -10, "origin_slot": 0, "target_id": 7, "target_slot": 0},
            {"id": 202, "origin_id": 7, "origin_slot": 0, "target_id": -20, "target_slot": 0},
        ],
    }
    doc["definitions"]["subgraphs"].append(outer)
    doc["nodes"][1]["type"] = outer_id
    return doc


def test_nested_subgraphs_get_nested_path_ids() -> None:
    prompt = convert(wrap_in_outer_subgraph(subgraph_workflow()))
    assert sorted(prompt) == ["1", "10:7:5", "10:7:6", "20"]
    assert prompt["10:7:6"]["inputs"] == {"a": ["1", 0], "b": ["10:7:5", 0]}
    assert prompt["20"]["inputs"] == {"value": ["10:7:6", 0]}


def test_a_muted_subgraph_instance_drops_everything_inside_it() -> None:
    doc = subgraph_workflow()
    doc["nodes"][1]["mode"] = 2
    prompt = convert(doc)
    assert sorted(prompt) == ["1", "20"]
    assert prompt["20"]["inputs"] == {}


def test_a_subgraph_that_contains_itself_is_reported_not_expanded_forever() -> None:
    doc = subgraph_workflow()
    definition = doc["definitions"]["subgraphs"][0]
    definition["nodes"].append(wf_node(8, SUBGRAPH_ID))
    conversion = workflow_to_prompt(Workflow.model_validate(doc), core_registry())
    assert [(error.code, error.node_id) for error in conversion.errors] == [
        ("cycle_detected", "10:8")
    ]
    assert conversion.prompt.dump()["10:8"]["class_type"] == SUBGRAPH_ID
