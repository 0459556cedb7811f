"""The execution plan: which nodes run, in what order, under which Merkle cache keys."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from function_runners.tiers import TierConfig
from nodes.sdk import AuteurError, NodeRegistry, NodeSpec

from ..graph.prompt import ApiPrompt, as_link
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
    # Item inputs fed by a list: the node runs once per item (DESIGN §2, lists fan out).
    fan_inputs: list[str] = field(default_factory=list)
    # Whole-list inputs fed by a single value: it arrives as a one-item list.
    wrap_inputs: list[str] = field(default_factory=list)
    # Content hashes of `tracks_file` path widgets, part of the key.
    file_digests: dict[str, str] = field(default_factory=dict)
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


@dataclass
class Plan:
    nodes: dict[str, PlannedNode]
    order: list[str]


def _split_inputs(inputs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, tuple[str, int]]]:
    constants: dict[str, Any] = {}
    links: dict[str, tuple[str, int]] = {}
    for name, value in inputs.items():
        link = as_link(value)
        if link is None:
            constants[name] = value
        else:
            links[name] = link
    return constants, links


def required_nodes(prompt: ApiPrompt, registry: NodeRegistry, targets: list[str] | None) -> set[str]:
    """The targets (or every output node) and all their ancestors, found iteratively."""
    nodes = prompt.nodes()
    if targets:
        missing = [target for target in targets if target not in nodes]
        if missing:
            raise PlanError(f"unknown target node(s): {', '.join(missing)}")
        roots = list(targets)
    else:
        roots = [nid for nid, pn in nodes.items() if (s := registry.spec(pn.class_type)) and s.output_node]
    needed: set[str] = set()
    stack = list(roots)
    while stack:
        node_id = stack.pop()
        if node_id in needed:
            continue
        needed.add(node_id)
        for value in nodes[node_id].inputs.values():
            link = as_link(value)
            if link is not None:
                if link[0] not in nodes:
                    raise PlanError(f"node {node_id} links to missing node {link[0]}")
                stack.append(link[0])
    return needed


def _sources(node: PlannedNode) -> list[str]:
    """The nodes `node` is linked from, each once, in input order."""
    return list(dict.fromkeys(source for source, _ in node.links.values()))


def cache_key(node: PlannedNode, parent_keys: dict[str, str], nonce: str) -> str:
    """H(type, version, tier params, constants, (input, parent key, slot)…).

    A fanned-out node's key covers its whole input; each item gets its own key from
    `engine.fanout.item_key`.
    """
    linked = sorted((name, parent_keys[src], slot) for name, (src, slot) in node.links.items())
    payload = [node.spec.type, node.spec.version, node.tier_params, node.constants, linked]
    if node.file_digests:
        payload.append(sorted(node.file_digests.items()))
    if not node.spec.cache:
        payload.append(nonce)  # side-effect nodes (and so their descendants) always run
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


FileDigest = Callable[[str], str]


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
    return hashlib.sha256(json.dumps(payload, separators=(",", ":")).encode()).hexdigest()


def _digests(node: PlannedNode, file_digest: FileDigest | None) -> dict[str, str]:
    if file_digest is None:
        return {}
    tracked = [item.name for item in node.spec.inputs if item.tracks_file]
    return {name: file_digest(str(node.constants[name])) for name in tracked
            if isinstance(node.constants.get(name), str) and node.constants[name]}


def build_plan(
    prompt: ApiPrompt,
    registry: NodeRegistry,
    tiers: TierConfig,
    *,
    tier: str,
    targets: list[str] | None,
    nonce: str,
    file_digest: FileDigest | None = None,
) -> Plan:
    """Plan a run in O(N): ancestors of the outputs, topological order, Merkle keys."""
    nodes = prompt.nodes()
    planned: dict[str, PlannedNode] = {}
    for node_id in required_nodes(prompt, registry, targets):
        prompt_node = nodes[node_id]
        spec = registry.spec(prompt_node.class_type)
        if spec is None:
            raise PlanError(f"node {node_id}: unknown node type {prompt_node.class_type!r}",
                            code="unknown_node_type")
        node_tier = prompt_node.tier or tier
        constants, links = _split_inputs(prompt_node.inputs)
        planned[node_id] = PlannedNode(node_id, spec, constants, links, node_tier,
                                       tiers.params_for(node_tier, spec.type))
    for node_id, node in planned.items():
        for source in _sources(node):
            planned[source].children.append(node_id)
    order = order_of({node_id: _sources(node) for node_id, node in planned.items()})
    keys: dict[str, str] = {}
    for node_id in order:
        node = planned[node_id]
        _mark_lists(node, planned)
        node.file_digests = _digests(node, file_digest)
        node.key = keys[node_id] = cache_key(node, keys, nonce)
        if node.fans_out:
            node.shared_key = _shared_key(node, keys, nonce)
    return Plan(planned, order)
