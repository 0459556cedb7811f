"""Validation: each error code from a minimal graph, every problem at once, big graphs fast."""

from __future__ import annotations

from typing import Any, Literal

import pytest

from canvas_server.graph import ApiPrompt, CycleError, ancestors, topological_order, validate_prompt
from canvas_server.graph.errors import GraphError
from nodes.sdk import (
    Input,
    MediaRef,
    Node,
    NodeRegistry,
    Output,
    Outputs,
    PathSandbox,
    RunContext,
    discover,
    node,
)

from .graph_testkit import chain_prompt


class ClipOut(Outputs):
    video: MediaRef = Output(socket="VIDEO")


@node("graphtest.source", title="Source", category="Test", maturity="STUDENT")
class Source(Node):
    """Produce a video reference."""

    path: str = Input("clip.mp4", widget="path")

    def run(self, ctx: RunContext) -> ClipOut:
        raise NotImplementedError


@node("graphtest.clip", title="Clip", category="Test", maturity="AUTONOMOUS", output_node=True)
class Clip(Node):
    """Cut a clip (only validated here, never run)."""

    video: MediaRef = Input(socket="VIDEO")
    speed: float = Input(1.0, ge=0.25, le=4.0)
    codec: str = Input("h264", options=["h264", "vp9"])
    quality: Literal["draft", "final"] = Input("draft")
    label: str = Input("", pattern=r"^[a-z]*$")

    def run(self, ctx: RunContext) -> ClipOut:
        raise NotImplementedError


@pytest.fixture(scope="module")
def registry() -> NodeRegistry:
    found = discover(only=["core"])
    found.add(Source, pack="graph-tests")
    found.add(Clip, pack="graph-tests")
    return found


def check(raw: dict[str, Any], registry: NodeRegistry, **kw: Any) -> list[GraphError]:
    return validate_prompt(ApiPrompt.model_validate(raw), registry, **kw)


def codes(errors: list[GraphError]) -> list[tuple[str, str | None, str | None]]:
    return sorted((error.code, error.node_id, error.input) for error in errors)


def show(source: str, slot: int = 0) -> dict[str, Any]:
    return {"class_type": "core.show", "inputs": {"value": [source, slot]}}


def clip(**inputs: Any) -> dict[str, Any]:
    return {"class_type": "graphtest.clip", "inputs": {"video": ["s", 0], **inputs}}


SOURCE = {"class_type": "graphtest.source", "inputs": {"path": "media/a.mp4"}}


def test_a_well_formed_graph_has_no_errors(registry: NodeRegistry) -> None:
    graph = {"s": SOURCE, "c": clip(speed=2, codec="vp9", quality="final", label="ok")}
    assert check(graph, registry) == []
    assert (
        check(
            {"1": {"class_type": "core.integer", "inputs": {"value": 3}}, "2": show("1")}, registry
        )
        == []
    )


def test_unknown_node_type(registry: NodeRegistry) -> None:
    errors = check(
        {"1": {"class_type": "KSampler", "inputs": {"model": ["9", 0]}}, "2": show("1")}, registry
    )
    assert codes(errors) == [("invalid_link", "1", "model"), ("unknown_node_type", "1", None)]
    assert "KSampler" in errors[0].message + errors[1].message


def test_required_input_missing(registry: NodeRegistry) -> None:
    errors = check({"1": {"class_type": "core.show", "inputs": {}}}, registry)
    assert codes(errors) == [("required_input_missing", "1", "value")]


def test_invalid_link_to_a_missing_node_and_to_a_missing_output(registry: NodeRegistry) -> None:
    graph = {
        "1": {"class_type": "core.integer", "inputs": {"value": 1}},
        "2": show("1", slot=3),
        "3": show("nowhere"),
    }
    errors = check(graph, registry)
    assert codes(errors) == [("invalid_link", "2", "value"), ("invalid_link", "3", "value")]
    assert "has 1 output(s)" in errors[0].message + errors[1].message


def test_type_mismatch(registry: NodeRegistry) -> None:
    graph = {
        "t": {"class_type": "core.text", "inputs": {"value": "x"}},
        "c": {"class_type": "graphtest.clip", "inputs": {"video": ["t", 0]}},
    }
    errors = check(graph, registry)
    assert codes(errors) == [("type_mismatch", "c", "video")]
    assert errors[0].details == {"expected": "VIDEO", "received": "TEXT", "source": "t",
                                 "expected_list": False, "received_list": False}


def test_value_invalid(registry: NodeRegistry) -> None:
    graph = {
        "1": {"class_type": "core.integer", "inputs": {"value": "many", "extra": 1}},
        "2": show("1"),
        "s": SOURCE,
        "c": clip(label="Not Lower"),
    }
    assert codes(check(graph, registry)) == [
        ("value_invalid", "1", "extra"),
        ("value_invalid", "1", "value"),
        ("value_invalid", "c", "label"),
    ]


def test_value_out_of_range(registry: NodeRegistry) -> None:
    errors = check({"s": SOURCE, "c": clip(speed=10)}, registry)
    assert codes(errors) == [("value_out_of_range", "c", "speed")]
    assert "4" in errors[0].message


def test_value_not_in_options_for_option_lists_and_literals(registry: NodeRegistry) -> None:
    errors = check({"s": SOURCE, "c": clip(codec="av1", quality="rough")}, registry)
    assert codes(errors) == [
        ("value_not_in_options", "c", "codec"),
        ("value_not_in_options", "c", "quality"),
    ]
    assert "'h264'" in next(error.message for error in errors if error.input == "codec")


def test_cycle_detected_names_the_nodes_on_the_cycle(registry: NodeRegistry) -> None:
    graph = {
        "1": {"class_type": "core.add", "inputs": {"a": ["2", 0], "b": 1}},
        "2": {"class_type": "core.add", "inputs": {"a": ["1", 0], "b": 1}},
        "3": show("2"),
    }
    errors = check(graph, registry)
    assert [error.code for error in errors] == ["cycle_detected"]
    assert errors[0].details == {"nodes": ["1", "2"]}
    assert "1 → 2 → 1" in errors[0].message


def test_no_output_nodes(registry: NodeRegistry) -> None:
    errors = check({"1": {"class_type": "core.integer", "inputs": {"value": 1}}}, registry)
    assert codes(errors) == [("no_output_nodes", None, None)]


def test_unknown_target_ids_are_reported(registry: NodeRegistry) -> None:
    graph = {"1": {"class_type": "core.integer", "inputs": {"value": 1}}}
    assert check(graph, registry, targets=["1"]) == []
    assert codes(check(graph, registry, targets=["7"])) == [("no_output_nodes", "7", None)]


def test_targets_limit_validation_to_what_would_run(registry: NodeRegistry) -> None:
    graph = {
        "1": {"class_type": "core.integer", "inputs": {"value": 1}},
        "2": show("1"),
        "3": {"class_type": "core.show", "inputs": {}},
    }
    assert check(graph, registry, targets=["2"]) == []
    assert codes(check(graph, registry)) == [("required_input_missing", "3", "value")]


def test_maturity_insufficient_names_the_node_and_level(registry: NodeRegistry) -> None:
    graph = {"s": SOURCE, "c": clip()}
    errors = check(graph, registry, caller_maturity="SUPERVISED")
    assert codes(errors) == [("maturity_insufficient", "c", None)]
    assert errors[0].message == (
        "graphtest.clip requires AUTONOMOUS maturity; this token is SUPERVISED"
    )
    assert check(graph, registry, caller_maturity="AUTONOMOUS") == []


@pytest.mark.parametrize(
    "path", ["../secret.mp4", "/etc/passwd", "a\x00b", "media/%2e%2e/x", "media\\x.mp4"]
)
def test_path_forbidden(registry: NodeRegistry, path: str) -> None:
    errors = check(
        {"s": {"class_type": "graphtest.source", "inputs": {"path": path}}, "c": clip()}, registry
    )
    assert codes(errors) == [("path_forbidden", "s", "path")]


def test_path_widgets_resolve_in_a_given_sandbox(registry: NodeRegistry, tmp_path: Any) -> None:
    (tmp_path / "outside").mkdir()
    project = tmp_path / "project"
    project.mkdir()
    (project / "escape").symlink_to(tmp_path / "outside")
    sandbox = PathSandbox([project])
    ok = {"s": {"class_type": "graphtest.source", "inputs": {"path": "clip.mp4"}}, "c": clip()}
    escape = {
        "s": {"class_type": "graphtest.source", "inputs": {"path": "escape/x.mp4"}},
        "c": clip(),
    }
    assert check(ok, registry, sandbox=sandbox) == []
    assert codes(check(escape, registry, sandbox=sandbox)) == [("path_forbidden", "s", "path")]


def test_every_problem_is_reported_at_once(registry: NodeRegistry) -> None:
    graph = {
        "u": {"class_type": "nope.node", "inputs": {}},
        "m": {"class_type": "core.show", "inputs": {}},
        "l": show("ghost"),
        "t": {"class_type": "core.text", "inputs": {"value": "x"}},
        "c": {
            "class_type": "graphtest.clip",
            "inputs": {"video": ["t", 0], "speed": 0, "codec": "av1", "label": 5},
        },
        "s": {"class_type": "graphtest.source", "inputs": {"path": "../x"}},
        "i": {"class_type": "core.integer", "inputs": {"value": "x"}},
        "a": {"class_type": "core.add", "inputs": {"a": ["b", 0]}},
        "b": {"class_type": "core.add", "inputs": {"a": ["a", 0]}},
    }
    found = {error.code for error in check(graph, registry, caller_maturity="INTERN")}
    assert found == {
        "unknown_node_type",
        "required_input_missing",
        "invalid_link",
        "type_mismatch",
        "value_out_of_range",
        "value_not_in_options",
        "value_invalid",
        "path_forbidden",
        "maturity_insufficient",
        "cycle_detected",
    }


def test_a_10000_node_chain_validates_without_recursion(registry: NodeRegistry) -> None:
    # Its speed is measured in bench/bench_executor.py, not asserted here.
    prompt = ApiPrompt.model_validate(chain_prompt(10_000))
    errors = validate_prompt(prompt, registry)
    assert errors == []
    order = topological_order(prompt)
    assert order[0] == "0" and order[-1] == "9999" and len(order) == 10_000
    assert len(ancestors(prompt, ["5000"])) == 5001


def test_a_10000_node_cycle_is_reported_with_every_node_on_it(registry: NodeRegistry) -> None:
    prompt = ApiPrompt.model_validate(chain_prompt(10_000, cyclic=True))
    errors = validate_prompt(prompt, registry)
    assert [error.code for error in errors] == ["cycle_detected"]
    assert errors[0].details is not None and len(errors[0].details["nodes"]) == 9_998
    with pytest.raises(CycleError) as raised:
        topological_order(prompt)
    assert raised.value.code == "cycle_detected"


def test_topological_order_puts_parents_first_and_ancestors_stop_at_sources() -> None:
    prompt = ApiPrompt.model_validate(
        {
            "show": show("sum"),
            "sum": {"class_type": "core.add", "inputs": {"a": ["x", 0], "b": ["y", 0]}},
            "x": {"class_type": "core.integer", "inputs": {"value": 1}},
            "y": {"class_type": "core.integer", "inputs": {"value": 2}},
            "lonely": {"class_type": "core.integer", "inputs": {"value": 3}},
        }
    )
    order = topological_order(prompt)
    assert order.index("x") < order.index("sum") < order.index("show")
    assert order.index("y") < order.index("sum")
    assert ancestors(prompt, ["sum"]) == {"sum", "x", "y"}
    assert ancestors(prompt, ["missing"]) == set()
