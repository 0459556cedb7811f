"""`POST /prompt` refusals in ComfyUI's shape, mapped from our stable validation codes.

`{error: {type, message, details, extra_info}, node_errors: {id: {errors: [{type, message,
details, extra_info: {input_name, …}}], dependent_outputs, class_type}}}`. Graph-wide problems
(`prompt_no_outputs`, `missing_node_type`, `invalid_prompt`) are the top-level error; node
problems are listed per node under `prompt_outputs_failed_validation`.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from nodes.sdk import AuteurError, NodeRegistry

from ..graph.errors import GraphError

# our code → (ComfyUI type, ComfyUI's message for it)
NODE_ERROR_TYPES: dict[str, tuple[str, str]] = {
    "required_input_missing": ("required_input_missing", "Required input is missing"),
    "invalid_link": ("bad_linked_input", "Bad linked input, must be a length-2 list of [node_id, slot_index]"),
    "type_mismatch": ("return_type_mismatch", "Return type mismatch between linked nodes"),
    "value_not_in_options": ("value_not_in_list", "Value not in list"),
    "value_invalid": ("invalid_input_type", "Failed to convert an input value"),
    "path_forbidden": ("custom_validation_failed", "Custom validation failed for node"),
    "cycle_detected": ("dependency_cycle", "Dependency cycle detected"),
    "maturity_insufficient": ("maturity_insufficient", "Node above the caller's maturity level"),
}
_BELOW_MIN = frozenset({"greater_than", "greater_than_equal"})


def comfy_error(type_: str, message: str, details: str = "", extra_info: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": type_, "message": message, "details": details, "extra_info": extra_info or {}}


def refusal(error: dict[str, Any], node_errors: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": error, "node_errors": node_errors or {}}


def node_error_type(error: GraphError) -> tuple[str, str]:
    if error.code == "value_out_of_range":
        below = (error.details or {}).get("type") in _BELOW_MIN
        return ("value_smaller_than_min", "Value smaller than min") if below else (
            "value_bigger_than_max", "Value bigger than max")
    return NODE_ERROR_TYPES.get(error.code, (error.code, error.message))


def _item(error: GraphError, prompt: dict[str, Any]) -> dict[str, Any]:
    type_, message = node_error_type(error)
    extra: dict[str, Any] = {"auteur_code": error.code}
    if error.input is not None:
        extra["input_name"] = error.input
        node = prompt.get(error.node_id or "")
        inputs = node.get("inputs") if isinstance(node, dict) else None
        if isinstance(inputs, dict) and error.input in inputs:
            extra["received_value"] = inputs[error.input]
    if error.details:
        extra["auteur_details"] = error.details
    return comfy_error(type_, message, error.message, extra)


def dependent_outputs(prompt: dict[str, Any], node_id: str, registry: NodeRegistry) -> list[str]:
    """Output nodes downstream of `node_id` (itself included), as ComfyUI lists them."""
    children: dict[str, list[str]] = {}
    for child, node in prompt.items():
        inputs = node.get("inputs", {}) if isinstance(node, dict) else {}
        for value in inputs.values() if isinstance(inputs, dict) else ():
            if isinstance(value, list) and len(value) == 2 and isinstance(value[1], int):
                children.setdefault(str(value[0]), []).append(str(child))
    seen, todo, found = {node_id}, deque([node_id]), []
    while todo:
        current = todo.popleft()
        node = prompt.get(current)
        spec = registry.spec(str(node.get("class_type", ""))) if isinstance(node, dict) else None
        if spec is not None and spec.output_node:
            found.append(current)
        for child in children.get(current, []):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return found


def _graph_wide(errors: list[GraphError], prompt: dict[str, Any]) -> dict[str, Any] | None:
    for error in errors:
        if error.code == "unknown_node_type":
            class_type = (error.details or {}).get("type")
            return comfy_error("missing_node_type", f"Node '{class_type}' not found. The node pack may not be installed.",
                               error.message, {"node_id": error.node_id, "class_type": class_type,
                                               "auteur_code": error.code})
    for error in errors:
        if error.code == "no_output_nodes":
            return comfy_error("prompt_no_outputs", "Prompt has no outputs", error.message,
                               {"auteur_code": error.code})
    return None


def validation_refusal(errors: list[GraphError], prompt: dict[str, Any], registry: NodeRegistry) -> dict[str, Any]:
    """Every problem of a prompt, grouped per node as ComfyUI does."""
    node_errors: dict[str, Any] = {}
    for error in errors:
        if error.node_id is None or error.code in {"unknown_node_type", "no_output_nodes"}:
            continue
        node = prompt.get(error.node_id)
        entry = node_errors.setdefault(error.node_id, {
            "errors": [], "dependent_outputs": dependent_outputs(prompt, error.node_id, registry),
            "class_type": node.get("class_type") if isinstance(node, dict) else None,
        })
        entry["errors"].append(_item(error, prompt))
    top = _graph_wide(errors, prompt) or comfy_error(
        "prompt_outputs_failed_validation", "Prompt outputs failed validation",
        "; ".join(error.message for error in errors[:3]))
    return refusal(top, node_errors)


def invalid_prompt(message: str, details: Any = None) -> dict[str, Any]:
    """A body that is not a prompt at all."""
    return refusal(comfy_error("invalid_prompt", "Cannot execute because the prompt is invalid.",
                               message, {"auteur_details": details} if details is not None else {}))


def auteur_error(exc: AuteurError) -> dict[str, Any]:
    """One of our errors (`forbidden`, `project_not_found`, …) as ComfyUI's error object; `code`
    is kept beside `type` so that clients of our own shape read it too."""
    extra: dict[str, Any] = {"auteur_code": exc.code}
    if exc.details:
        extra["auteur_details"] = exc.details
    return {**comfy_error(exc.code, exc.message, exc.message, extra), "code": exc.code}


def auteur_refusal(exc: AuteurError) -> dict[str, Any]:
    return refusal(auteur_error(exc))
