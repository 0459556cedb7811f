"""Cache keys (engine.plan): what a key covers, and the split memo that lets a rerun plan
only the nodes it changed without ever mixing up values JSON tells apart."""

from __future__ import annotations

from typing import Any

from canvas_server.engine.plan import SplitMemo, build_plan
from canvas_server.graph.prompt import ApiPrompt
from function_runners.tiers import load_tiers
from nodes.sdk import discover

REGISTRY = discover(only=["core"])
TIERS = load_tiers()


def keys(b: Any, *, memo: SplitMemo | None = None, scope: str = "") -> dict[str, str]:
    prompt = ApiPrompt.model_validate({
        "1": {"class_type": "core.integer", "inputs": {"value": 1}},
        "2": {"class_type": "core.add", "inputs": {"a": ["1", 0], "b": b}},
        "3": {"class_type": "core.show", "inputs": {"value": ["2", 0]}},
    })
    plan = build_plan(prompt, REGISTRY, TIERS, tier="standard", targets=None, nonce="run", scope=scope, memo=memo)
    return {node_id: node.key for node_id, node in plan.nodes.items()}


def test_a_rerun_through_the_memo_has_the_keys_of_a_plan_without_it() -> None:
    memo = SplitMemo()
    assert keys(2, memo=memo) == keys(2, memo=memo) == keys(2)


def test_one_one_point_oh_and_true_are_three_keys_even_through_the_memo() -> None:
    memo = SplitMemo()
    planned = [keys(value, memo=memo)["2"] for value in (1, 1.0, True, 1)]
    assert len(set(planned[:3])) == 3
    assert planned[3] == planned[0]


def test_a_changed_constant_changes_its_node_and_descendants_only() -> None:
    memo = SplitMemo()
    before, after = keys(2, memo=memo), keys(3, memo=memo)
    assert before["1"] == after["1"]
    assert before["2"] != after["2"] and before["3"] != after["3"]


def test_every_key_covers_the_runs_scope() -> None:
    alice, bob = keys(2, scope='["AliceFilm","AliceFilm",null]'), keys(2, scope='["BobFilm","BobFilm",null]')
    assert all(alice[node_id] != bob[node_id] for node_id in alice)
