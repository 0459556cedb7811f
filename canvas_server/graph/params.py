"""Parameter overrides: `auteur run --set NODE_ID.INPUT=VALUE` and the API's `params` alike.

One function applies both, so the CLI and the server accept and refuse the same overrides
with the same code (`param_invalid`). A key is `NODE_ID.INPUT` (node ids may hold `:`) or,
for a template, one of its parameter labels; a template accepts only what it exposes.
Text values (everything the CLI sends) are typed by the catalog; an override never replaces
or creates a link.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nodes.sdk import InputSpec, NodeRegistry

from .errors import OverrideError
from .prompt import ApiPrompt, as_link
from .template import Template, coerce_value


def parse_assignments(assignments: list[str]) -> dict[str, str]:
    """`["3.value=42"]` → `{"3.value": "42"}`; a text without `=` is a `param_invalid`."""
    params: dict[str, str] = {}
    for text in assignments:
        key, sep, value = text.partition("=")
        if not sep or not key.strip():
            raise OverrideError(
                f"cannot read override {text!r}; write NODE_ID.INPUT=VALUE, e.g. 3.value=42",
                details=[{"param": text, "message": "expected NODE_ID.INPUT=VALUE"}],
            )
        params[key.strip()] = value
    return params


def template_keys(template: Template | None) -> dict[str, tuple[str, str]]:
    """A template's parameters by `NODE_ID.INPUT` and by label → (node id, input)."""
    found: dict[str, tuple[str, str]] = {}
    for parameter in template.parameters if template is not None else []:
        found[parameter.key] = (parameter.node_id, parameter.input)
        if parameter.label:
            found[parameter.label] = (parameter.node_id, parameter.input)
    return found


def apply_params(
    prompt: ApiPrompt,
    params: Mapping[str, Any],
    registry: NodeRegistry,
    template: Template | None = None,
) -> ApiPrompt:
    """A copy of `prompt` with every override applied; OverrideError lists each one that
    cannot apply (the original prompt is left alone)."""
    data = prompt.dump()
    exposed = template_keys(template)
    problems: list[dict[str, str]] = []
    for key, value in params.items():
        try:
            node_id, name = _target(key, exposed, template is not None)
            _apply_one(data, node_id, name, value, registry)
        except OverrideError as exc:
            problems.append({"param": key, "message": exc.message})
    if problems:
        raise OverrideError("; ".join(item["message"] for item in problems), details=problems)
    return ApiPrompt.model_validate(data)


def _target(key: str, exposed: dict[str, tuple[str, str]], is_template: bool) -> tuple[str, str]:
    if key in exposed:
        return exposed[key]
    if is_template:
        names = ", ".join(sorted(exposed)) or "none"
        raise OverrideError(f"{key!r} is not an exposed parameter of this template (exposed: {names})")
    node_id, dot, name = key.rpartition(".")
    if not dot or not node_id or not name:
        raise OverrideError(f"cannot read parameter {key!r}; write NODE_ID.INPUT, e.g. 3.value")
    return node_id, name


def _apply_one(data: dict[str, Any], node_id: str, name: str, value: Any, registry: NodeRegistry) -> None:
    where = f"{node_id}.{name}"
    node = data.get(node_id)
    if not isinstance(node, dict):
        raise OverrideError(f"{where}: the graph has no node {node_id!r}")
    class_type = str(node.get("class_type"))
    inputs = node.setdefault("inputs", {})
    spec = registry.spec(class_type)
    item = spec.input(name) if spec is not None else None
    if spec is not None and item is None:
        names = ", ".join(entry.name for entry in spec.inputs) or "none"
        raise OverrideError(
            f"{where}: node {node_id} ({class_type}) has no input {name!r}; its inputs are: {names}"
        )
    if spec is None and name not in inputs:
        raise OverrideError(f"{where}: node {node_id} ({class_type}) has no input {name!r}")
    if as_link(inputs.get(name)) is not None:
        raise OverrideError(f"{where} is a link; only values can be overridden")
    typed = _typed(where, value, item)
    if as_link(typed) is not None:
        raise OverrideError(f"{where}: an override cannot create a link")
    inputs[name] = typed


def _typed(where: str, value: Any, item: InputSpec | None) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return coerce_value(value, item)
    except ValueError as exc:
        raise OverrideError(f"{where}: {exc}") from None
