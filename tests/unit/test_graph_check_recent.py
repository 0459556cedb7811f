"""The editor validates a graph and then submits the same graph: the submission reuses the
validation's check instead of converting every node again; anything that could change the
outcome (the graph, the registry growing, the caller's maturity, overrides) checks afresh."""

from __future__ import annotations

from canvas_server.graph.check import Caller, inspect_graph
from nodes.core.values import Integer, Show, Text
from nodes.sdk import NodeRegistry

from .graph_testkit import core_registry, integer, show, workflow


def _graph(value: int) -> dict[str, object]:
    return workflow([integer(1, value, [1]), show(2, 1)], [[1, 1, 0, 2, 0, "INT"]])


def test_the_same_graph_checked_twice_is_checked_once() -> None:
    registry = core_registry()
    first = inspect_graph(_graph(5), registry, Caller("web", "STUDENT"))
    assert first.ok
    assert inspect_graph(_graph(5), registry, Caller("other", "STUDENT")) is first


def test_a_change_that_could_change_the_outcome_is_checked_afresh() -> None:
    registry = core_registry()
    first = inspect_graph(_graph(6), registry, Caller("web", "STUDENT"))
    assert inspect_graph(_graph(7), registry, Caller("web", "STUDENT")) is not first
    assert inspect_graph(_graph(6), registry, Caller("web", "AUTONOMOUS")) is not first
    assert inspect_graph(_graph(6), registry, Caller("web", "STUDENT"), targets=["2"]) is not first
    assert inspect_graph(_graph(6), registry, Caller("web", "STUDENT"), params={"1.value": 6}) is not first


def test_a_registry_that_gained_a_node_checks_afresh() -> None:
    registry = NodeRegistry()
    registry.add(Integer, pack="core")
    registry.add(Show, pack="core")
    first = inspect_graph(_graph(8), registry, None)
    registry.add(Text, pack="core")
    assert inspect_graph(_graph(8), registry, None) is not first
    assert inspect_graph(_graph(8), NodeRegistry(), None) is not first
