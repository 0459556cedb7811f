"""Workflow models: every real file round-trips exactly; odd shapes are tolerated."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from canvas_server.graph.workflow import Workflow, normalise_link, xy

from .graph_testkit import LITEGRAPH_FILES, wf_node, workflow


def read(testdata_dir: Path, name: str) -> Any:
    return json.loads((testdata_dir / "litegraph" / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", LITEGRAPH_FILES)
def test_every_real_file_round_trips_exactly(testdata_dir: Path, name: str) -> None:
    original = read(testdata_dir, name)
    dumped = Workflow.model_validate(original).dump()
    assert dumped == original
    # Same JSON text too: ints stay ints, nulls stay null, absent keys stay absent.
    assert json.dumps(dumped, sort_keys=True) == json.dumps(original, sort_keys=True)


@pytest.mark.parametrize("name", LITEGRAPH_FILES)
def test_every_link_of_every_real_file_is_readable(testdata_dir: Path, name: str) -> None:
    original = read(testdata_dir, name)
    parsed = Workflow.model_validate(original)
    assert len(parsed.link_table()) == len([link for link in original["links"] if link is not None])


def test_plain_litegraph_file_without_version_keeps_dict_sizes_and_null_links(
    testdata_dir: Path,
) -> None:
    parsed = Workflow.model_validate(read(testdata_dir, "litegraph_features.json"))
    sizes = {node.key: node.size for node in parsed.nodes}
    assert sizes["12"] == {"0": 175, "1": 74}
    assert sizes["9"] == [100, 40]
    assert parsed.version is None and "version" not in parsed.dump()
    assert parsed.node_table()["9"].output_slots()[0].links is None
    assert parsed.link_table()[12].type == -1  # an EVENT link keeps its numeric type


def test_subgraph_definition_links_are_objects_while_root_links_are_arrays(
    testdata_dir: Path,
) -> None:
    parsed = Workflow.model_validate(read(testdata_dir, "comfy_subgraph_definitions.json"))
    subgraph = parsed.subgraphs()["61915fab-cab7-41be-9727-d69a7e41f24a"]
    assert parsed.version == 0.4 and subgraph.version == 1
    assert subgraph.input_node_id == "-10" and subgraph.output_node_id == "-20"
    link = subgraph.link_table()[13879]
    assert (link.origin_id, link.origin_slot, link.target_id) == ("-10", 0, "5151")
    assert parsed.link_table()[13958].origin_id == "5232"


def test_link_shape_is_sniffed_per_entry_not_trusted_from_version() -> None:
    object_link = {
        "id": 1,
        "origin_id": 1,
        "origin_slot": 0,
        "target_id": 2,
        "target_slot": 0,
        "type": "INT",
    }
    doc = workflow([wf_node(1, "core.integer"), wf_node(2, "core.show")], [])
    doc["links"] = [object_link, [2, 1, 0, 2, 0, "INT"], None]
    doc["version"] = 0.4
    parsed = Workflow.model_validate(doc)
    assert sorted(parsed.link_table()) == [1, 2]
    assert parsed.dump() == doc


def test_missing_optional_keys_stay_absent_and_string_ids_are_kept() -> None:
    doc = {
        "nodes": [
            {"id": "a", "type": "core.integer"},
            {"id": 7, "type": "core.show", "pos": {"0": 1.5, "1": 2}},
        ]
    }
    parsed = Workflow.model_validate(doc)
    assert parsed.dump() == doc
    assert [node.key for node in parsed.nodes] == ["a", "7"]
    assert xy(parsed.nodes[1].pos) == (1.5, 2.0)
    assert parsed.nodes[0].input_slots() == [] and parsed.nodes[0].mode_value == 0


def test_widgets_values_as_dict_and_unknown_keys_survive_a_round_trip() -> None:
    node = wf_node(1, "core.text", widgets={"value": "hi", "videopreview": {"hidden": False}})
    node["color"] = "#223"
    node["inputs"] = [{"name": "x", "type": ["A", "B"], "link": None, "shape": 7}]
    doc = workflow([node], [], extra={"ds": {"scale": 1.1}, "reroutes": []})
    assert Workflow.model_validate(doc).dump() == doc


def test_a_malformed_link_array_is_left_out_of_the_table() -> None:
    assert normalise_link([1, 2, "x", 3, 0, "INT"]) is None
    assert normalise_link([1, 2, 0]) is None
    link = normalise_link([5, "n1", 1, 3, 2])
    assert link is not None and (link.origin_id, link.type) == ("n1", None)
