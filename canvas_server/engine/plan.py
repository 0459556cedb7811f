"""The execution plan: which nodes run, in what order, under which Merkle cache keys.

A node's key covers everything its result depends on: its type and version, tier
parameters, constants, the run's scope (project, or principal without one), the resolved
identity and content of every file a path input names, and its parents' keys. So the same
graph in two projects, or over an edited file, never shares a result.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from function_runners.tiers import TierConfig
from nodes.sdk import AuteurError, NodeRegistry, NodeSpec

from ..graph.prompt import ApiPrompt, PromptNode, as_link
from ..graph.topology import order_of


class PlanError(AuteurError):
    """The prompt cannot be planned (validation normally reports this first)."""

    code = "graph_invalid"


@dataclass
class PlannedNode:
    node_id: str
    spec: NodeSpec
    constants: dict[str, Any]
    links: dict[str, tuple[str, int]]
    tier: str
    tier_params: dict[str, Any]
    key: str = ""
    children: list[str] = field(default_factory=list)
    # The nodes this one is linked from, each once, in input order.
    sources: list[str] = field(default_factory=list)
    # Item inputs fed by a list: the node runs once per item (DESIGN §2, lists fan out).
    fan_inputs: list[str] = field(default_factory=list)
    # Whole-list inputs fed by a single value: it arrives as a one-item list.
    wrap_inputs: list[str] = field(default_factory=list)
    # The names of the node's socket outputs, by slot.
    outputs: list[str] = field(default_factory=list)
    # Identity and content hash of the file each path input names, part of the key.
    file_digests: dict[str, str] = field(default_factory=dict)
    # Canonical text of what the key covers besides the links: type, version, tier params,
    # constants, file digests and the run's scope (a fanned-out item's key starts from it).
    identity: str = ""
    # H(parent keys of the links that do not fan out (and the nonce when uncached)):
    # what a fanned-out item's key shares with its siblings.
    shared_key: str = ""

    @property
    def fans_out(self) -> bool:
        return bool(self.fan_inputs)

    def emits_list(self, slot: int) -> bool:
        """Whether output `slot` carries a list (declared so, or collected from a fan-out)."""
        outputs = self.spec.socket_outputs
        return self.fans_out or (0 <= slot < len(outputs) and outputs[slot].is_list)

    def output_name(self, slot: int, reader: str, name: str) -> str:
        """The name of output `slot`, which input `name` of node `reader` is linked to."""
        if not 0 <= slot < len(self.outputs):
            raise PlanError(f"node {reader} input {name!r} links to missing output slot {slot} "
                            f"of node {self.node_id}", code="invalid_link")
        return self.outputs[slot]


@dataclass
class Plan:
    nodes: dict[str, PlannedNode]
    order: list[str]


# The identity and content digest of the file a path names, in the run's sandbox.
FileDigest = Callable[[str], str]
Split = tuple[dict[str, Any], dict[str, tuple[str, int]]]


def canonical(value: Any) -> str:
    """Canonical JSON: the same value always encodes to the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _split_inputs(node: PromptNode) -> Split:
    constants: dict[str, Any] = {}
    links: dict[str, tuple[str, int]] = {}
    for name, value in node.inputs.items():
        link = as_link(value)
        if link is None:
            constants[name] = value
        else:
            links[name] = link
    return constants, links


def required_nodes(prompt: ApiPrompt, registry: NodeRegistry, targets: list[str] | None) -> dict[str, Split]:
    """The targets (or every output node) and all their ancestors, found iteratively, each
    with its inputs split into constants and links."""
    nodes = prompt.nodes()
    if targets:
        missing = [target for target in targets if target not in nodes]
        if missing:
            raise PlanError(f"unknown target node(s): {', '.join(missing)}")
        roots = list(targets)
    else:
        roots = [nid for nid, pn in nodes.items() if (s := registry.spec(pn.class_type)) and s.output_node]
    needed: dict[str, Split] = {}
    stack = list(roots)
    while stack:
        node_id = stack.pop()
        if node_id in needed:
            continue
        needed[node_id] = split = _split_inputs(nodes[node_id])
        for source, _ in split[1].values():
            if source not in nodes:
                raise PlanError(f"node {node_id} links to missing node {source}")
            stack.append(source)
    return needed


def cache_key(node: PlannedNode, parent_keys: dict[str, str], nonce: str) -> str:
    """H(identity, (input, parent key, slot)…, and the nonce for a side-effect node).

    A fanned-out node's key covers its whole input; each item gets its own key from
    `engine.fanout.item_key`.
    """
    linked = ";".join(f"{name}={parent_keys[src]}:{slot}" for name, (src, slot) in sorted(node.links.items()))
    # Side-effect nodes (and so their descendants) always run: their key is the run's own.
    return digest(f"{node.identity}\n{linked}\n{'' if node.spec.cache else nonce}")


def _mark_lists(node: PlannedNode, planned: dict[str, PlannedNode]) -> None:
    """Decide, once its sources are known, which inputs fan out and which are wrapped."""
    for name, (source, slot) in node.links.items():
        spec = node.spec.input(name)
        takes_list = spec is not None and spec.is_list
        from_list = planned[source].emits_list(slot)
        if from_list and not takes_list:
            node.fan_inputs.append(name)
        elif takes_list and not from_list:
            node.wrap_inputs.append(name)


def _shared_key(node: PlannedNode, parent_keys: dict[str, str], nonce: str) -> str:
    shared = sorted((name, parent_keys[src], slot) for name, (src, slot) in node.links.items()
                    if name not in node.fan_inputs)
    payload: list[Any] = [shared] if node.spec.cache else [shared, nonce]
    return digest(json.dumps(payload, separators=(",", ":")))


def path_inputs(spec: NodeSpec) -> list[str]:
    """The inputs whose value names a file: path widgets (and `tracks_file` inputs)."""
    return [item.name for item in spec.inputs if item.widget == "path" or item.tracks_file]


class _Planner:
    """Per-plan memo of what is the same for every node of a type: its outputs, its path
    inputs and its tier parameters as canonical text."""

    def __init__(self, tiers: TierConfig, scope: str, file_digest: FileDigest | None) -> None:
        self.tiers, self.scope, self.file_digest = tiers, scope, file_digest
        self._paths: dict[str, list[str]] = {}
        self._outputs: dict[str, list[str]] = {}
        self._params: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}

    def outputs(self, spec: NodeSpec) -> list[str]:
        if spec.type not in self._outputs:
            self._outputs[spec.type] = [output.name for output in spec.socket_outputs]
        return self._outputs[spec.type]

    def params(self, tier: str, spec: NodeSpec) -> tuple[dict[str, Any], str]:
        memo = (tier, spec.type)
        if memo not in self._params:
            params = self.tiers.params_for(tier, spec.type)
            self._params[memo] = params, canonical(params)
        return self._params[memo]

    def digests(self, node: PlannedNode) -> dict[str, str]:
        if node.spec.type not in self._paths:
            self._paths[node.spec.type] = path_inputs(node.spec)
        names = self._paths[node.spec.type]
        if not names or self.file_digest is None:
            return {}
        return {name: self.file_digest(value) for name in names
                if isinstance(value := node.constants.get(name), str) and value}

    def identity(self, node: PlannedNode, params_text: str) -> str:
        files = canonical(sorted(node.file_digests.items())) if node.file_digests else "[]"
        return "\n".join((node.spec.type, node.spec.version, params_text, canonical(node.constants),
                          files, self.scope))


def build_plan(
    prompt: ApiPrompt,
    registry: NodeRegistry,
    tiers: TierConfig,
    *,
    tier: str,
    targets: list[str] | None,
    nonce: str,
    scope: str = "",
    file_digest: FileDigest | None = None,
) -> Plan:
    """Plan a run in O(N): ancestors of the outputs, topological order, Merkle keys.

    `scope` names whose files the run sees (its project, or its principal); `file_digest`
    gives the identity and content hash of the file a path names."""
    nodes = prompt.nodes()
    planner = _Planner(tiers, scope, file_digest)
    planned: dict[str, PlannedNode] = {}
    params_text: dict[str, str] = {}
    for node_id, (constants, links) in required_nodes(prompt, registry, targets).items():
        prompt_node = nodes[node_id]
        spec = registry.spec(prompt_node.class_type)
        if spec is None:
            raise PlanError(f"node {node_id}: unknown node type {prompt_node.class_type!r}",
                            code="unknown_node_type")
        node_tier = prompt_node.tier or tier
        params, params_text[node_id] = planner.params(node_tier, spec)
        planned[node_id] = node = PlannedNode(node_id, spec, constants, links, node_tier, params)
        node.sources = list(dict.fromkeys(source for source, _ in links.values()))
        node.outputs = planner.outputs(spec)
    for node_id, node in planned.items():
        for source in node.sources:
            planned[source].children.append(node_id)
    order = order_of({node_id: node.sources for node_id, node in planned.items()})
    keys: dict[str, str] = {}
    for node_id in order:
        node = planned[node_id]
        if node.links:
            _mark_lists(node, planned)
        node.file_digests = planner.digests(node)
        node.identity = planner.identity(node, params_text[node_id])
        node.key = keys[node_id] = cache_key(node, keys, nonce)
        if node.fans_out:
            node.shared_key = _shared_key(node, keys, nonce)
    return Plan(planned, order)
