"""Lists fan out (docs/architecture.md §2): split a node's list-fed inputs into items, key each item, and
collect the items' outputs back in order.

An item input fed by a list runs the node once per item. Several list-fed inputs advance
together (zip); a one-item list is repeated for every item. Each item's cache key is the
node's key with the list links replaced by the content hash of that item, so an unchanged
item of a changed list is still a cache hit.
"""

from __future__ import annotations

from typing import Any

from nodes.sdk import AuteurError, NodeSpec

from .plan import PlannedNode, canonical, digest


class FanOutError(AuteurError):
    """The lists feeding one node cannot be zipped item by item."""

    code = "list_length_mismatch"


def item_count(node: PlannedNode, inputs: dict[str, Any]) -> int:
    """How many times the node runs; raises FanOutError when list lengths disagree."""
    lengths = {name: len(_as_list(inputs.get(name))) for name in node.fan_inputs}
    sizes = {size for size in lengths.values() if size != 1}
    if len(sizes) > 1:
        described = ", ".join(f"{name}: {size}" for name, size in sorted(lengths.items()))
        raise FanOutError(
            f"node {node.node_id} fans out over lists of different lengths ({described}); "
            "feed it lists of one length, or a single item to repeat",
            details={"lengths": lengths},
        )
    if 0 in lengths.values():
        return 0
    return max(lengths.values(), default=1)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def item_inputs(node: PlannedNode, inputs: dict[str, Any], count: int) -> list[dict[str, Any]]:
    """The inputs of each item: list-fed inputs take item i, the rest are shared."""
    per_item: list[dict[str, Any]] = []
    for index in range(count):
        item = dict(inputs)
        for name in node.fan_inputs:
            values = _as_list(inputs.get(name))
            item[name] = values[0] if len(values) == 1 else values[index]
        per_item.append(item)
    return per_item


def item_key(node: PlannedNode, inputs: dict[str, Any]) -> str:
    """H(node key without its list links, content hash of each list-fed item)."""
    fanned = ";".join(f"{name}={digest(canonical(inputs.get(name)))}" for name in sorted(node.fan_inputs))
    return digest(f"{node.identity}\n{fanned}\n{node.shared_key}")


def collect(spec: NodeSpec, item_outputs: list[dict[str, Any]]) -> dict[str, Any]:
    """The node's outputs: each output becomes the list of its items' values, in order
    (an output that is itself a list is concatenated, so lists stay flat)."""
    collected: dict[str, Any] = {}
    for output in spec.outputs:
        values: list[Any] = []
        for outputs in item_outputs:
            value = outputs.get(output.name)
            if output.is_list and isinstance(value, list):
                values.extend(value)
            else:
                values.append(value)
        collected[output.name] = values
    return collected
