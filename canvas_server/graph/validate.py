"""Validation of an API prompt against the node catalog: every problem, at once.

`validate_prompt` never raises for a bad graph; it returns `GraphError`s (docs/architecture.md §4). With
`targets`, only those nodes and their ancestors are checked (what would run); without, every
node is checked and the graph must contain an output node.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from nodes.sdk import (
    ANY,
    InputSpec,
    Node,
    NodeRegistry,
    NodeSpec,
    OutputSpec,
    PathSandbox,
    maturity_rank,
    sockets_compatible,
)

from .errors import GraphError
from .prompt import ApiPrompt, PromptNode, as_link
from .topology import ancestors, describe_cycle, find_cycles
from .values import check_constants, check_paths, graph_error


@dataclass
class _TypeInfo:
    """What validation needs of one node type, computed once per call."""

    spec: NodeSpec
    cls: type[Node] | None
    inputs: dict[str, InputSpec]
    outputs: list[OutputSpec]
    paths: list[str]


class _Catalog:
    def __init__(self, registry: NodeRegistry) -> None:
        self.registry = registry
        self.types: dict[str, _TypeInfo | None] = {}

    def info(self, type_id: str) -> _TypeInfo | None:
        if type_id not in self.types:
            spec = self.registry.spec(type_id)
            self.types[type_id] = (
                None
                if spec is None
                else _TypeInfo(
                    spec,
                    self.registry.get(type_id),
                    {item.name: item for item in spec.inputs},
                    spec.socket_outputs,
                    [item.name for item in spec.inputs if item.widget == "path"],
                )
            )
        return self.types[type_id]


def validate_prompt(
    prompt: ApiPrompt,
    registry: NodeRegistry,
    *,
    targets: Iterable[str] | None = None,
    caller_maturity: str | None = None,
    sandbox: PathSandbox | None = None,
) -> list[GraphError]:
    """Every problem of `prompt`; an empty list means it may run.

    `sandbox`, when given, resolves path widgets fully (roots, symlinks); without it a path
    must be relative and free of `..`, NUL bytes and encoded separators.
    """
    nodes = prompt.nodes()
    catalog = _Catalog(registry)
    errors: list[GraphError] = []
    checked = set(nodes)
    if targets is not None:
        wanted = list(targets)
        errors += _unknown_targets(wanted, nodes)
        checked = ancestors(prompt, wanted)
    elif not any(_is_output(catalog.info(node.class_type)) for node in nodes.values()):
        errors.append(
            GraphError(
                code="no_output_nodes",
                message="the graph has no output node (e.g. core.show); nothing would run",
            )
        )
    for node_id, node in nodes.items():
        if node_id in checked:
            errors += _check_node(node_id, node, prompt, catalog, caller_maturity, sandbox)
    errors += _cycles(prompt, checked)
    return errors


def _is_output(info: _TypeInfo | None) -> bool:
    return info is not None and info.spec.output_node


def _unknown_targets(targets: list[str], nodes: dict[str, PromptNode]) -> list[GraphError]:
    missing = [target for target in targets if target not in nodes]
    found = [
        GraphError(
            code="no_output_nodes",
            message=f"target {target!r} is not a node of this graph",
            node_id=target,
            details={"target": target},
        )
        for target in missing
    ]
    if not targets:
        found.append(GraphError(code="no_output_nodes", message="no targets were given"))
    return found


def _check_node(
    node_id: str,
    node: PromptNode,
    prompt: ApiPrompt,
    catalog: _Catalog,
    caller_maturity: str | None,
    sandbox: PathSandbox | None,
) -> list[GraphError]:
    info = catalog.info(node.class_type)
    if info is None:
        return [
            _unknown_type(node_id, node, catalog.registry),
            *_dangling_links(node_id, node, prompt),
        ]
    spec = info.spec
    errors = _maturity(node_id, spec, caller_maturity)
    constants: dict[str, Any] = {}
    for name, value in node.inputs.items():
        link = as_link(value)
        if link is not None:
            errors += _check_link(node_id, name, link, info, prompt, catalog)
        elif name not in info.inputs:
            errors.append(
                graph_error("value_invalid", f"{spec.type} has no input {name!r}", node_id, name)
            )
        elif _takes_links_only(info.inputs[name]) and value is not None:
            errors.append(_constant_in_socket(node_id, name, info.inputs[name]))
        else:
            constants[name] = value
    errors += _missing_inputs(node_id, node, spec)
    errors += check_constants(node_id, constants, info.inputs, info.cls)
    if info.paths:
        # An optional path left empty means "none" (e.g. a reference image not given).
        given = [name for name in info.paths if info.inputs[name].required or constants.get(name) != ""]
        errors += check_paths(node_id, constants, given, sandbox)
    return errors


def _takes_links_only(spec: InputSpec) -> bool:
    """A socket (an input without a widget) takes a link only: media, shots and ingredients
    travel as node outputs, never typed in, so no hand-made MediaRef reaches a node. `*`
    sockets (core.show) display whatever they are given and stay open to constants."""
    return spec.widget is None and spec.type != ANY


def _constant_in_socket(node_id: str, name: str, spec: InputSpec) -> GraphError:
    return graph_error(
        "invalid_link",
        f"input {name!r} of node {node_id} is a {spec.type} socket: link it to a node's "
        f"{spec.type} output; a typed-in value is not accepted",
        node_id,
        name,
        {"socket": spec.type},
    )


def _unknown_type(node_id: str, node: PromptNode, registry: NodeRegistry) -> GraphError:
    failed = [failure.pack for failure in registry.failures]
    hint = f" (packs that failed to load: {', '.join(failed)})" if failed else ""
    return graph_error(
        "unknown_node_type",
        f"node {node_id}: unknown node type {node.class_type!r}; no installed pack provides it{hint}",
        node_id,
        details={"type": node.class_type},
    )


def _dangling_links(node_id: str, node: PromptNode, prompt: ApiPrompt) -> list[GraphError]:
    nodes = prompt.nodes()
    errors: list[GraphError] = []
    for name, value in node.inputs.items():
        link = as_link(value)
        if link is not None and link[0] not in nodes:
            errors.append(_missing_source(node_id, name, link))
    return errors


def _missing_source(node_id: str, name: str, link: tuple[str, int]) -> GraphError:
    return graph_error(
        "invalid_link",
        f"input {name!r} of node {node_id} is linked to node {link[0]!r}, which does not exist",
        node_id,
        name,
        {"source": link[0], "slot": link[1]},
    )


def _check_link(
    node_id: str,
    name: str,
    link: tuple[str, int],
    info: _TypeInfo,
    prompt: ApiPrompt,
    catalog: _Catalog,
) -> list[GraphError]:
    source = prompt.nodes().get(link[0])
    if source is None:
        return [_missing_source(node_id, name, link)]
    target = info.inputs.get(name)
    if target is None:
        return [
            graph_error(
                "invalid_link", f"{info.spec.type} has no input {name!r} to link to", node_id, name
            )
        ]
    source_info = catalog.info(source.class_type)
    if source_info is None:
        return []  # reported as unknown_node_type on the source
    outputs = source_info.outputs
    if not 0 <= link[1] < len(outputs):
        return [
            graph_error(
                "invalid_link",
                f"input {name!r} of node {node_id} is linked to output {link[1]} of node "
                f"{link[0]} ({source_info.spec.type}), which has {len(outputs)} output(s)",
                node_id,
                name,
                {"source": link[0], "slot": link[1]},
            )
        ]
    output = outputs[link[1]]
    # List-ness never makes a link invalid (docs/architecture.md §2): a list into an item input fans the
    # node out, a list into a whole-list input arrives whole, and one item into a whole-list
    # input arrives as a one-item list. Only the item types must agree.
    if sockets_compatible(output.type, target.type):
        return []
    expected = f"a list of {target.type}" if target.is_list else target.type
    received = f"a list of {output.type}" if output.is_list else f"one {output.type}"
    return [
        graph_error(
            "type_mismatch",
            f"input {name!r} of node {node_id} expects {expected} but is linked to {received} "
            f"(output {output.name!r} of node {link[0]})",
            node_id,
            name,
            {"expected": target.type, "received": output.type, "source": link[0],
             "expected_list": target.is_list, "received_list": output.is_list},
        )
    ]


def _missing_inputs(node_id: str, node: PromptNode, spec: NodeSpec) -> list[GraphError]:
    return [
        graph_error(
            "required_input_missing",
            f"node {node_id} ({spec.type}) needs input {item.name!r}"
            + (" (connect a link)" if item.widget is None else " (set a value or connect a link)"),
            node_id,
            item.name,
        )
        for item in spec.inputs
        if item.required and item.name not in node.inputs
    ]


def _maturity(node_id: str, spec: NodeSpec, caller: str | None) -> list[GraphError]:
    if caller is None or maturity_rank(spec.maturity) <= _rank(caller):
        return []
    return [
        graph_error(
            "maturity_insufficient",
            f"{spec.type} requires {spec.maturity} maturity; this token is {caller}",
            node_id,
            details={"type": spec.type, "required": spec.maturity, "caller": caller},
        )
    ]


def _rank(level: str) -> int:
    try:
        return maturity_rank(level)
    except ValueError:
        return -1  # an unknown level ranks below STUDENT: it may run nothing


def _cycles(prompt: ApiPrompt, checked: set[str]) -> list[GraphError]:
    return [
        graph_error(
            "cycle_detected",
            f"the graph has a cycle: {describe_cycle(cycle)}",
            cycle[0],
            details={"nodes": cycle},
        )
        for cycle in find_cycles(prompt)
        if cycle[0] in checked
    ]
