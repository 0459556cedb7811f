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

import pydantic_core

from function_runners.tiers import TierConfig
from nodes.sdk import AuteurError, NodeRegistry, NodeSpec

from ..graph.prompt import ApiPrompt, PromptNode, as_link
from ..graph.topology import order_of


class PlanError(AuteurError):
    """The prompt cannot be planned (validation normally reports this first)."""

    code = "graph_invalid"


@dataclass(frozen=True)
class TypeFacts:
    """What the plan needs to know of a node type, read from its spec once per plan."""

    outputs: tuple[str, ...]  # socket output names, by slot
    list_outputs: tuple[bool, ...]  # whether each socket output carries a list
    list_inputs: frozenset[str]  # inputs that take a list whole
    path_inputs: tuple[str, ...]  # inputs whose value names a file

    @classmethod
    def of(cls, spec: NodeSpec) -> TypeFacts:
        sockets = spec.socket_outputs
        return cls(tuple(output.name for output in sockets), tuple(output.is_list for output in sockets),
                   frozenset(item.name for item in spec.inputs if item.is_list),
                   tuple(item.name for item in spec.inputs if item.widget == "path" or item.tracks_file))


@dataclass(slots=True)
class PlannedNode:
    node_id: str
    spec: NodeSpec
    constants: dict[str, Any]
    links: dict[str, tuple[str, int]]
    tier: str
    tier_params: dict[str, Any]
    # What every node of its type shares (output names, list-ness, path inputs).
    facts: TypeFacts
    # The nodes this one is linked from, each once, in input order.
    sources: list[str]
    # Its links as (input, source, slot), by input name: the order its key hashes them in.
    sorted_links: tuple[tuple[str, str, int], ...]
    key: str = ""
    children: list[str] = field(default_factory=list)
    # Item inputs fed by a list: the node runs once per item (docs/architecture.md §2, lists fan out).
    fan_inputs: list[str] = field(default_factory=list)
    # Whether it runs once per item (some input is fed by a list).
    fans_out: bool = False
    # Whole-list inputs fed by a single value: it arrives as a one-item list.
    wrap_inputs: list[str] = field(default_factory=list)
    # Identity and content hash of the file each path input names, part of the key.
    file_digests: dict[str, str] = field(default_factory=dict)
    # Canonical text of what the key covers besides the links: type, version, tier params,
    # constants, file digests and the run's scope (a fanned-out item's key starts from it).
    identity: str = ""
    # H(parent keys of the links that do not fan out (and the nonce when uncached)):
    # what a fanned-out item's key shares with its siblings.
    shared_key: str = ""


    def emits_list(self, slot: int) -> bool:
        """Whether output `slot` carries a list (declared so, or collected from a fan-out)."""
        lists = self.facts.list_outputs
        return self.fans_out or (0 <= slot < len(lists) and lists[slot])

    def output_name(self, slot: int, reader: str, name: str) -> str:
        """The name of output `slot`, which input `name` of node `reader` is linked to."""
        outputs = self.facts.outputs
        if not 0 <= slot < len(outputs):
            raise PlanError(f"node {reader} input {name!r} links to missing output slot {slot} "
                            f"of node {self.node_id}", code="invalid_link")
        return outputs[slot]


@dataclass
class Plan:
    nodes: dict[str, PlannedNode]
    order: list[str]


# The identity and content digest of the file a path names, in the run's sandbox.
FileDigest = Callable[[str], str]
# The digest of the run's project's shot list (nodes.sdk.shot_list), for nodes that read it.
ShotListDigest = Callable[[], str]


@dataclass(frozen=True, slots=True)
class Split:
    """A prompt node's inputs split into constants (with their canonical text) and links."""

    constants: dict[str, Any]
    links: dict[str, tuple[str, int]]
    constants_text: str
    sources: list[str]  # the nodes linked from, each once, in input order (never mutated)
    sorted_links: tuple[tuple[str, str, int], ...]  # (input, source, slot) by input name


class SplitMemo:
    """The splits of the nodes of earlier plans, by type and inputs as submitted (exact JSON
    bytes, so 1, 1.0 and true stay apart): a rerun, or a graph with one change, splits and
    encodes only its new nodes. Shared values are never mutated (the run copies its inputs)."""

    LIMIT = 50_000

    def __init__(self) -> None:
        self._splits: dict[tuple[str, bytes], Split] = {}

    def split(self, node: PromptNode) -> Split:
        try:
            memo = (node.class_type, pydantic_core.to_json(node.inputs))
        except pydantic_core.PydanticSerializationError:  # a value JSON cannot carry: no memo
            return _split_inputs(node)
        found = self._splits.get(memo)
        if found is None:
            if len(self._splits) >= self.LIMIT:
                self._splits.clear()
            found = self._splits[memo] = _split_inputs(node)
        return found


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)


def canonical(value: Any) -> str:
    """Canonical JSON: the same value always encodes to the same text."""
    return _CANONICAL.encode(value)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def prompt_hash(prompt: ApiPrompt) -> str:
    """sha256 of the prompt's JSON as submitted (node and input order included): which graph
    made a take. pydantic's own serializer: five times faster than canonical JSON."""
    return digest(prompt.model_dump_json(by_alias=True, exclude_none=True))


def _split_inputs(node: PromptNode) -> Split:
    constants: dict[str, Any] = {}
    links: dict[str, tuple[str, int]] = {}
    for name, value in node.inputs.items():
        link = as_link(value) if isinstance(value, (list, tuple)) else None  # most are scalars
        if link is None:
            constants[name] = value
        else:
            links[name] = link
    ordered = tuple((name, source, slot) for name, (source, slot) in sorted(links.items()))
    return Split(constants, links, canonical(constants), _sources(links), ordered)


def _sources(links: dict[str, tuple[str, int]]) -> list[str]:
    """The nodes linked from, each once, in input order."""
    if len(links) < 2:
        return [source for source, _ in links.values()]
    return list(dict.fromkeys(source for source, _ in links.values()))


def required_nodes(prompt: ApiPrompt, registry: NodeRegistry, targets: list[str] | None,
                   memo: SplitMemo | None = None) -> dict[str, Split]:
    """The targets (or every output node) and all their ancestors, found iteratively, each
    with its inputs split into constants and links."""
    split_of = memo.split if memo is not None else _split_inputs
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
        needed[node_id] = split = split_of(nodes[node_id])
        for source, _ in split.links.values():
            if source not in nodes:
                raise PlanError(f"node {node_id} links to missing node {source}")
            stack.append(source)
    return needed


def cache_key(node: PlannedNode, parent_keys: dict[str, str], nonce: str) -> str:
    """H(identity, (input, parent key, slot)…, and the nonce for a side-effect node).

    A fanned-out node's key covers its whole input; each item gets its own key from
    `engine.fanout.item_key`.
    """
    linked = ";".join(f"{name}={parent_keys[src]}:{slot}" for name, src, slot in node.sorted_links)
    # Side-effect nodes (and so their descendants) always run: their key is the run's own.
    return digest(f"{node.identity}\n{linked}\n{'' if node.spec.cache else nonce}")


def _mark_lists(node: PlannedNode, planned: dict[str, PlannedNode]) -> None:
    """Decide, once its sources are known, which inputs fan out and which are wrapped."""
    list_inputs = node.facts.list_inputs
    for name, (source, slot) in node.links.items():
        takes_list = name in list_inputs
        from_list = planned[source].emits_list(slot)
        if from_list and not takes_list:
            node.fan_inputs.append(name)
            node.fans_out = True
        elif takes_list and not from_list:
            node.wrap_inputs.append(name)


def _shared_key(node: PlannedNode, parent_keys: dict[str, str], nonce: str) -> str:
    shared = sorted((name, parent_keys[src], slot) for name, (src, slot) in node.links.items()
                    if name not in node.fan_inputs)
    payload: list[Any] = [shared] if node.spec.cache else [shared, nonce]
    return digest(json.dumps(payload, separators=(",", ":")))


class _Planner:
    """Per-plan memo of what is the same for every node of a type: its facts, and its tier
    parameters as canonical text."""

    def __init__(self, tiers: TierConfig, scope: str, file_digest: FileDigest | None,
                 shot_list_digest: ShotListDigest | None) -> None:
        self.tiers, self.scope, self.file_digest = tiers, scope, file_digest
        self._shot_list_digest = shot_list_digest
        self._shot_list: str | None = None
        self._facts: dict[str, TypeFacts] = {}
        self._params: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}

    def facts(self, spec: NodeSpec) -> TypeFacts:
        if spec.type not in self._facts:
            self._facts[spec.type] = TypeFacts.of(spec)
        return self._facts[spec.type]

    def params(self, tier: str, spec: NodeSpec) -> tuple[dict[str, Any], str]:
        memo = (tier, spec.type)
        if memo not in self._params:
            params = self.tiers.params_for(tier, spec.type)
            self._params[memo] = params, canonical(params)
        return self._params[memo]

    def digests(self, node: PlannedNode) -> dict[str, str]:
        names = node.facts.path_inputs
        if not names or self.file_digest is None:
            return {}
        return {name: self.file_digest(value) for name in names
                if isinstance(value := node.constants.get(name), str) and value}

    def shot_list(self) -> str:
        """The shot list's digest, read once per plan."""
        if self._shot_list is None:
            self._shot_list = self._shot_list_digest() if self._shot_list_digest is not None else ""
        return self._shot_list

    def identity(self, node: PlannedNode, params_text: str, constants_text: str) -> str:
        files = canonical(sorted(node.file_digests.items())) if node.file_digests else "[]"
        parts = [node.spec.type, node.spec.version, params_text, constants_text, files, self.scope]
        if node.spec.reads_shot_list:
            parts.append(f"shot list {self.shot_list()}")
        return "\n".join(parts)


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
    shot_list_digest: ShotListDigest | None = None,
    memo: SplitMemo | None = None,
) -> Plan:
    """Plan a run in O(N): ancestors of the outputs, topological order, Merkle keys.

    `scope` names whose files the run sees (its project, or its principal); `file_digest`
    gives the identity and content hash of the file a path names; `shot_list_digest` that of the
    project's shot list, for the nodes that read it."""
    nodes = prompt.nodes()
    planner = _Planner(tiers, scope, file_digest, shot_list_digest)
    planned: dict[str, PlannedNode] = {}
    params_text: dict[str, str] = {}
    splits = required_nodes(prompt, registry, targets, memo)
    for node_id, split in splits.items():
        constants, links = split.constants, split.links
        prompt_node = nodes[node_id]
        spec = registry.spec(prompt_node.class_type)
        if spec is None:
            raise PlanError(f"node {node_id}: unknown node type {prompt_node.class_type!r}",
                            code="unknown_node_type")
        node_tier = prompt_node.tier or tier
        params, params_text[node_id] = planner.params(node_tier, spec)
        planned[node_id] = PlannedNode(node_id, spec, constants, links, node_tier, params,
                                       planner.facts(spec), split.sources, split.sorted_links)
    for node_id, node in planned.items():
        for source in node.sources:
            planned[source].children.append(node_id)
    order = order_of({node_id: node.sources for node_id, node in planned.items()})
    keys: dict[str, str] = {}
    for node_id in order:
        node = planned[node_id]
        if node.links:
            _mark_lists(node, planned)
        if node.facts.path_inputs:
            node.file_digests = planner.digests(node)
        node.identity = planner.identity(node, params_text[node_id], splits[node_id].constants_text)
        node.key = keys[node_id] = cache_key(node, keys, nonce)
        if node.fans_out:
            node.shared_key = _shared_key(node, keys, nonce)
    return Plan(planned, order)
