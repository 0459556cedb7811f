"""Map a workflow node's `widgets_values` onto named inputs, using the node catalog."""

from __future__ import annotations

from typing import Any

from nodes.sdk import InputSpec, NodeSpec

from .workflow import WorkflowNode

# The frontend stores a "control after generate" choice right after seed-like number widgets;
# it is an editor setting, not an input of the node.
CONTROL_VALUES = frozenset({"fixed", "increment", "decrement", "randomize"})


def widget_inputs(node: WorkflowNode, spec: NodeSpec | None) -> dict[str, Any]:
    """Constant inputs of `node`: positional values in catalog widget order, or a dict by name.

    A node type missing from the catalog keeps dict values by name; positional values of an
    unknown type cannot be named and are left out (validation reports the unknown type).
    """
    values = node.widgets_values
    if isinstance(values, dict):
        if spec is None:
            return dict(values)
        names = {item.name for item in spec.inputs}
        return {name: value for name, value in values.items() if name in names}
    if isinstance(values, list) and spec is not None:
        return positional(values, spec.widget_inputs)
    return {}


def positional(values: list[Any], widgets: list[InputSpec]) -> dict[str, Any]:
    """Pair values with widgets in order, skipping control-after-generate entries."""
    mapped: dict[str, Any] = {}
    position = 0
    for index, widget in enumerate(widgets):
        if position >= len(values):
            break
        mapped[widget.name] = values[position]
        position += 1
        following = widgets[index + 1 :]
        if position < len(values) and _is_control_value(values, position, widget, following):
            position += 1
    return mapped


def _is_control_value(
    values: list[Any], position: int, widget: InputSpec, following: list[InputSpec]
) -> bool:
    value = values[position]
    if widget.type not in ("INT", "FLOAT") or not isinstance(value, str):
        return False
    if value not in CONTROL_VALUES:
        return False
    surplus = len(values) - position > len(following)
    return surplus or not following or not _can_hold(following[0], value)


def _can_hold(widget: InputSpec, value: str) -> bool:
    if widget.options is not None:
        return value in widget.options
    return widget.type == "TEXT"
