"""Templates and parameter overrides (`--set NODE_ID.INPUT=VALUE`, the API's `params`)."""

from __future__ import annotations

from typing import Any

import pytest

from canvas_server.graph import (
    ApiPrompt,
    OverrideError,
    Template,
    apply_params,
    load_graph,
    parse_assignments,
)
from canvas_server.graph.template import (
    TemplateParameter,
    coerce_value,
    requirements_of,
)
from nodes.sdk import InputSpec

from .graph_testkit import core_registry, integer, show, wf_node, workflow

PROMPT = ApiPrompt.model_validate(
    {
        "1": {"class_type": "core.integer", "inputs": {"value": 5}},
        "2": {"class_type": "core.join_text", "inputs": {"a": "x", "b": "y"}},
        "3": {"class_type": "core.show", "inputs": {"value": ["1", 0]}},
        "12:5": {"class_type": "core.boolean", "inputs": {"value": False}},
        "9": {"class_type": "KSampler", "inputs": {"seed": 1}},
    }
)


def overridden(*assignments: str, template: Template | None = None) -> dict[str, Any]:
    params = parse_assignments(list(assignments))
    return apply_params(PROMPT, params, core_registry(), template).dump()


def test_overrides_are_coerced_by_the_input_type_of_the_catalog() -> None:
    result = overridden("1.value=42", "2.separator= - ", "12:5.value=yes", "9.seed=[1, 2, 3]")
    assert result["1"]["inputs"]["value"] == 42
    assert result["2"]["inputs"]["separator"] == " - "
    assert result["12:5"]["inputs"]["value"] is True
    assert result["9"]["inputs"]["seed"] == [1, 2, 3]
    assert PROMPT.dump()["1"]["inputs"]["value"] == 5  # the original is left alone


def test_an_override_never_replaces_or_creates_a_link() -> None:
    with pytest.raises(OverrideError) as raised:
        overridden("3.value=hello")
    assert "3.value is a link; only values can be overridden" in raised.value.message
    with pytest.raises(OverrideError) as raised:
        overridden('9.seed=["1", 0]')
    assert "cannot create a link" in raised.value.message


@pytest.mark.parametrize(
    ("assignment", "fragment"),
    [
        ("7.value=1", "the graph has no node '7'"),
        ("1.valu=1", "node 1 (core.integer) has no input 'valu'; its inputs are: value"),
        ("1.value=lots", "'lots' is not an integer"),
        ("12:5.value=maybe", "'maybe' is not a boolean"),
        ("9.steps=20", "node 9 (KSampler) has no input 'steps'"),
        ("value=3", "write NODE_ID.INPUT"),
        ("1.value", "write NODE_ID.INPUT=VALUE"),
    ],
)
def test_a_bad_override_names_the_node_and_input(assignment: str, fragment: str) -> None:
    with pytest.raises(OverrideError) as raised:
        overridden(assignment)
    assert raised.value.code == "param_invalid"
    assert fragment in raised.value.message


def test_every_bad_override_is_reported_together() -> None:
    with pytest.raises(OverrideError) as raised:
        overridden("7.value=1", "1.value=x", "2.a=b")
    assert [item["param"] for item in raised.value.details] == ["7.value", "1.value"]


def test_a_template_allows_only_its_exposed_parameters_by_key_or_label() -> None:
    template = Template.model_validate({
        "name": "Count", "workflow": workflow([], []),
        "parameters": [TemplateParameter(node_id="1", input="value", label="Count").model_dump()],
    })
    assert overridden("1.value=8", template=template)["1"]["inputs"]["value"] == 8
    assert overridden("Count=9", template=template)["1"]["inputs"]["value"] == 9
    with pytest.raises(OverrideError) as raised:
        overridden("2.a=z", template=template)
    assert "not an exposed parameter" in raised.value.message
    assert "1.value, Count" in raised.value.message


def test_values_are_coerced_for_each_socket_type() -> None:
    assert coerce_value("2.5", InputSpec(name="x", type="FLOAT")) == 2.5
    assert coerce_value("3", InputSpec(name="x", type="FLOAT")) == 3
    assert coerce_value("off", InputSpec(name="x", type="BOOLEAN")) is False
    assert coerce_value("007", InputSpec(name="x", type="TEXT")) == "007"
    assert coerce_value("2", InputSpec(name="x", type="INT", options=[1, 2])) == 2
    assert coerce_value('{"a": 1}', InputSpec(name="x", type="SHOT")) == {"a": 1}
    assert coerce_value("plain words", None) == "plain words"
    assert parse_assignments(["12:5.value=a=b"]) == {"12:5.value": "a=b"}


def test_a_template_round_trips_and_reports_missing_requirements() -> None:
    doc = workflow(
        [integer(1, 5, [1]), show(2, 1), wf_node(3, "media.trim")], [[1, 1, 0, 2, 0, "INT"]]
    )
    data = {
        "name": "Count",
        "description": "",
        "version": "1.0.0",
        "parameters": [{"node_id": "1", "input": "value", "label": None}],
        "requires": [
            {"type": "core.integer", "version": "1.0.0"},
            {"type": "media.trim", "version": None},
        ],
        "workflow": doc,
        "author": "kept",
    }
    template = Template.model_validate(data)
    assert template.dump() == data
    assert [item.type for item in template.missing_requirements(core_registry())] == ["media.trim"]
    assert [item.type for item in requirements_of(template.workflow, core_registry())] == [
        "core.integer",
        "core.show",
    ]


def test_template_parameters_apply_to_the_loaded_prompt() -> None:
    data = {
        "name": "Count",
        "parameters": [{"node_id": "1", "input": "value"}],
        "workflow": workflow([integer(1, 5, [1]), show(2, 1)], [[1, 1, 0, 2, 0, "INT"]]),
    }
    loaded = load_graph(data, core_registry())
    assert loaded.template is not None
    result = apply_params(loaded.prompt, {"1.value": "9"}, core_registry(), loaded.template)
    assert result.dump()["1"]["inputs"]["value"] == 9
