"""Loading any graph: kind sniffing, actionable format errors, and a property test that
throws random data at load_graph + validate_prompt."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canvas_server.graph import GraphFormatError, load_graph, load_graph_file, validate_prompt
from canvas_server.graph.errors import GraphError
from nodes.sdk import AuteurError

from .graph_testkit import core_registry, integer, show, workflow

CORE_WORKFLOW = workflow([integer(1, 5, [1]), show(2, 1)], [[1, 1, 0, 2, 0, "INT"]])
CORE_PROMPT = {
    "1": {"class_type": "core.integer", "inputs": {"value": 5}},
    "2": {"class_type": "core.show", "inputs": {"value": ["1", 0]}},
}


def test_a_workflow_is_sniffed_converted_and_kept() -> None:
    loaded = load_graph(CORE_WORKFLOW, core_registry())
    assert loaded.kind == "workflow" and loaded.template is None
    assert loaded.workflow is not None and loaded.workflow.dump() == CORE_WORKFLOW
    assert loaded.prompt.dump()["2"]["inputs"] == {"value": ["1", 0]}
    assert loaded.errors == []


def test_an_api_prompt_and_a_comfyui_prompt_body_are_sniffed() -> None:
    for data in (CORE_PROMPT, {"prompt": CORE_PROMPT}):
        loaded = load_graph(data, core_registry())
        assert loaded.kind == "api" and loaded.workflow is None
        assert loaded.prompt.dump() == CORE_PROMPT


def test_a_template_is_sniffed_and_its_workflow_converted() -> None:
    data = {
        "name": "Count",
        "description": "Shows a number",
        "version": "1.0.0",
        "parameters": [{"node_id": "1", "input": "value", "label": "Number"}],
        "requires": [{"type": "core.integer", "version": "1.0.0"}],
        "workflow": CORE_WORKFLOW,
    }
    loaded = load_graph(data, core_registry())
    assert loaded.kind == "template" and loaded.template is not None
    assert loaded.template.parameters[0].label == "Number"
    assert loaded.template.dump() == data
    assert loaded.prompt.dump()["1"]["inputs"] == {"value": 5}


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ([1, 2], "must be a JSON object, not an array"),
        ("nodes", "not a string"),
        ({"hello": "world"}, "neither a workflow"),
        ({"nodes": [{"id": 1}]}, "nodes.0.type: Field required"),
        ({"nodes": "many"}, "nodes"),
        ({"1": {"class_type": 5, "inputs": {}}}, "1.class_type"),
        ({"name": "T", "workflow": {"nodes": [{"type": "x"}]}}, "workflow.nodes.0.id"),
    ],
)
def test_malformed_input_gives_an_actionable_graph_invalid_error(data: Any, fragment: str) -> None:
    with pytest.raises(GraphFormatError) as raised:
        load_graph(data, core_registry())
    assert raised.value.code == "graph_invalid"
    assert fragment in raised.value.message
    assert "pydantic" not in raised.value.message and "https://" not in raised.value.message


def test_graph_files_report_missing_files_and_bad_json_clearly(tmp_path: Path) -> None:
    with pytest.raises(GraphFormatError) as missing:
        load_graph_file(tmp_path / "nope.json", core_registry())
    assert missing.value.code == "graph_not_found" and "nope.json" in missing.value.message
    broken = tmp_path / "broken.json"
    broken.write_text('{"nodes": [\n  {"id": 1,,}\n]}')
    with pytest.raises(GraphFormatError) as bad:
        load_graph_file(broken, core_registry())
    assert bad.value.code == "graph_invalid" and "line 2" in bad.value.message
    good = tmp_path / "good.json"
    good.write_text(json.dumps(CORE_PROMPT))
    assert load_graph_file(good, core_registry()).kind == "api"


json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=False),
    st.sampled_from(
        [
            "",
            "1",
            "2",
            "x",
            "core.show",
            "core.add",
            "Reroute",
            "PrimitiveNode",
            "value",
            "a",
            "*",
            "INT",
        ]
    ),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=6)
        | st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "type",
                    "nodes",
                    "links",
                    "inputs",
                    "outputs",
                    "link",
                    "links",
                    "mode",
                    "class_type",
                    "value",
                    "a",
                    "b",
                    "widgets_values",
                    "name",
                    "origin_id",
                    "target_id",
                    "definitions",
                    "subgraphs",
                    "workflow",
                ]
            ),
            inner,
            max_size=6,
        )
    ),
    max_leaves=40,
)
node_ids = st.sampled_from(["1", "2", "3", "4"])
api_node = st.fixed_dictionaries(
    {
        "class_type": st.sampled_from(
            ["core.integer", "core.add", "core.show", "core.text", "core.join_text", "Unknown"]
        ),
        "inputs": st.dictionaries(
            st.sampled_from(["value", "a", "b", "separator", "zzz"]),
            st.one_of(json_leaf, st.tuples(node_ids, st.integers(-1, 3)).map(list)),
            max_size=4,
        ),
    }
)
api_prompts = st.dictionaries(node_ids, api_node, max_size=4)
link_arrays = st.lists(st.integers(-2, 6), min_size=6, max_size=6)
wf_nodes = st.fixed_dictionaries(
    {
        "id": st.integers(1, 5),
        "type": st.sampled_from(
            ["core.integer", "core.add", "core.show", "Reroute", "PrimitiveNode", "Note", "X"]
        ),
        "mode": st.sampled_from([0, 2, 4]),
        "inputs": st.lists(
            st.fixed_dictionaries(
                {
                    "name": st.sampled_from(["value", "a", "b", ""]),
                    "type": st.sampled_from(["INT", "FLOAT", "*"]),
                    "link": st.one_of(st.none(), st.integers(-1, 8)),
                }
            ),
            max_size=3,
        ),
        "outputs": st.lists(
            st.fixed_dictionaries(
                {
                    "name": st.just("value"),
                    "type": st.sampled_from(["INT", "FLOAT"]),
                    "links": st.one_of(st.none(), st.lists(st.integers(0, 8), max_size=3)),
                }
            ),
            max_size=2,
        ),
        "widgets_values": st.one_of(
            st.lists(json_leaf, max_size=4),
            st.dictionaries(st.sampled_from(["value", "a"]), json_leaf),
        ),
    }
)
workflows = st.fixed_dictionaries(
    {"nodes": st.lists(wf_nodes, max_size=6), "links": st.lists(link_arrays, max_size=8)}
)


@settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.one_of(json_value, api_prompts, workflows))
def test_random_data_gives_only_graph_errors_or_a_format_error(data: Any) -> None:
    registry = core_registry()
    try:
        loaded = load_graph(data, registry)
    except GraphFormatError as exc:
        assert isinstance(exc, AuteurError) and exc.message
        return
    errors = validate_prompt(loaded.prompt, registry)
    assert all(isinstance(error, GraphError) for error in [*loaded.errors, *errors])


def test_a_malformed_graph_is_worded_as_every_refused_request_is() -> None:
    with pytest.raises(GraphFormatError) as raised:
        load_graph({"nodes": [{"id": 1}, {"id": 2}, {"id": 3}, {"id": 4}]}, core_registry())
    assert raised.value.message == ("this workflow is malformed: nodes.0.type: Field required; nodes.1.type: Field "
                                    "required; nodes.2.type: Field required (and 1 more in details)")
    assert len(raised.value.details) == 4
