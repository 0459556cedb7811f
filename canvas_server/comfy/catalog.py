"""`/object_info`: our catalog in ComfyUI's shape (`INPUT_TYPES` as JSON).

ComfyUI's frontend lets a link be drawn only when the output's and the input's type strings
share a comma-separated member. Our rule (`sockets_compatible`: INT widens to FLOAT, MEDIA
meets VIDEO/AUDIO/IMAGE/FILE…) is declared on the output side: each output type lists every
input type string it may feed, so every link our server accepts can be drawn and none it
refuses. Inputs keep one type each, because the frontend picks an input's widget by it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from nodes.sdk import ANY, InputSpec, NodeRegistry, NodeSpec, sockets_compatible

_TYPE_BY_WIDGET = {"int": "INT", "float": "FLOAT", "boolean": "BOOLEAN", "text": "STRING",
                   "textarea": "STRING", "path": "STRING"}


def input_type(spec: InputSpec) -> str | list[Any]:
    """ComfyUI's first element: a type name, or the list of options of a combo."""
    if spec.options is not None:
        return list(spec.options)
    if spec.widget is not None:
        return _TYPE_BY_WIDGET.get(spec.widget, spec.type)
    return spec.type


def socket_type(spec: InputSpec) -> str:
    """The type string the frontend gives an input's socket (a combo's is `COMBO`)."""
    shown = input_type(spec)
    return shown if isinstance(shown, str) else "COMBO"


def link_types(specs: Iterable[NodeSpec]) -> dict[str, str]:
    """Each output type → the comma-separated input type strings it may feed (itself first)."""
    inputs = [item for spec in specs for item in spec.inputs]
    outputs = {output.type for spec in specs for output in spec.socket_outputs}
    declared: dict[str, str] = {}
    for output in sorted(outputs):
        fed = [socket_type(item) for item in inputs if socket_type(item) != ANY and sockets_compatible(output, item.type)]
        declared[output] = ",".join(dict.fromkeys([output, *sorted(fed)]))
    return declared


def input_options(spec: InputSpec) -> dict[str, Any]:
    """ComfyUI's second element: `{default, min, max, step, multiline, tooltip, …}`."""
    options: dict[str, Any] = {}
    if spec.has_default:
        options["default"] = spec.default
    for key in ("min", "max", "step"):
        value = getattr(spec, key)
        if value is not None:
            options[key] = int(value) if spec.widget == "int" and float(value).is_integer() else value
    if spec.multiline or spec.widget == "textarea":
        options["multiline"] = True
    if spec.description:
        options["tooltip"] = spec.description
    if spec.label:
        options["display_name"] = spec.label
    if spec.widget is None:
        options["forceInput"] = True
    if spec.widget == "path":
        options["auteur_widget"] = "path"
    return options


def _required(item: InputSpec) -> bool:
    """Widgets are required with their default, as in ComfyUI; a socket only when it must
    be linked."""
    if item.widget is not None:
        return item.required or item.has_default
    return item.required and not item.has_default


def node_info(spec: NodeSpec, links: Mapping[str, str]) -> dict[str, Any]:
    """One node type as ComfyUI's `/object_info/{class}` describes it; `links` from `link_types`."""
    groups: dict[str, dict[str, Any]] = {"required": {}, "optional": {}}
    order: dict[str, list[str]] = {"required": [], "optional": []}
    for item in spec.inputs:
        group = "required" if _required(item) else "optional"
        groups[group][item.name] = [input_type(item), input_options(item)]
        order[group].append(item.name)
    outputs = spec.socket_outputs
    return {
        "input": {key: value for key, value in groups.items() if value or key == "required"},
        "input_order": {key: value for key, value in order.items() if value or key == "required"},
        "output": [links.get(output.type, output.type) for output in outputs],
        "output_is_list": [output.is_list for output in outputs],
        "output_name": [output.name for output in outputs],
        "output_tooltips": [output.description for output in outputs],
        "name": spec.type,
        "display_name": spec.title,
        "description": spec.description,
        "python_module": spec.module or spec.pack,
        "category": spec.category,
        "output_node": spec.output_node,
        "deprecated": False,
        "experimental": False,
    }


def object_info(registry: NodeRegistry) -> dict[str, Any]:
    specs = registry.specs()
    links = link_types(specs)
    return {spec.type: node_info(spec, links) for spec in specs}
