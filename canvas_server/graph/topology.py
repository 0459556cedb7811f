"""Graph shape of an API prompt: edges, topological order, ancestors and cycles.

Everything here is iterative, so graphs of any depth stay clear of Python's recursion limit.
Links to nodes that are not in the prompt are ignored here (validation reports them).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from nodes.sdk import AuteurError

from .prompt import ApiPrompt, as_link


class CycleError(AuteurError):
    """The prompt has a cycle; `details["nodes"]` lists the nodes on it."""

    code = "cycle_detected"


def parents(prompt: ApiPrompt) -> dict[str, list[str]]:
    """For each node, the nodes its inputs are linked from (deduplicated, input order)."""
    nodes = prompt.nodes()
    found: dict[str, list[str]] = {}
    for node_id, node in nodes.items():
        sources: list[str] = []
        for value in node.inputs.values():
            link = as_link(value)
            if link is not None and link[0] in nodes and link[0] not in sources:
                sources.append(link[0])
        found[node_id] = sources
    return found


def children(prompt: ApiPrompt) -> dict[str, list[str]]:
    """For each node, the nodes that consume one of its outputs."""
    return _invert(parents(prompt))


def _invert(graph: dict[str, list[str]]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {node_id: [] for node_id in graph}
    for node_id, sources in graph.items():
        for source in sources:
            found[source].append(node_id)
    return found


def topological_order(prompt: ApiPrompt) -> list[str]:
    """Node ids, every node after its parents (ties in prompt order); CycleError if cyclic."""
    return order_of(parents(prompt))


def order_of(graph: dict[str, list[str]]) -> list[str]:
    """The one topological sort: `graph` maps each node to its parents (all of them keys);
    every node comes after its parents, ties in key order; CycleError names a cycle."""
    order = _kahn(graph)
    if len(order) < len(graph):
        cycle = _cycles_among(graph, set(graph) - set(order))[0]
        raise CycleError(
            f"the graph has a cycle: {describe_cycle(cycle)}", details={"nodes": cycle}
        )
    return order


def _kahn(graph: dict[str, list[str]]) -> list[str]:
    incoming = {node_id: len(sources) for node_id, sources in graph.items()}
    consumers = _invert(graph)
    ready = deque(node_id for node_id, count in incoming.items() if count == 0)
    order: list[str] = []
    while ready:
        node_id = ready.popleft()
        order.append(node_id)
        for child in consumers[node_id]:
            incoming[child] -= 1
            if incoming[child] == 0:
                ready.append(child)
    return order


def ancestors(prompt: ApiPrompt, targets: Iterable[str]) -> set[str]:
    """`targets` (those in the prompt) and every node they depend on."""
    graph = parents(prompt)
    seen = {target for target in targets if target in graph}
    pending = list(seen)
    while pending:
        for source in graph[pending.pop()]:
            if source not in seen:
                seen.add(source)
                pending.append(source)
    return seen


def find_cycles(prompt: ApiPrompt) -> list[list[str]]:
    """Each cycle as the node ids on it, in link order (one per strongly connected part)."""
    graph = parents(prompt)
    unordered = set(graph) - set(_kahn(graph))
    return _cycles_among(graph, unordered) if unordered else []


def _cycles_among(graph: dict[str, list[str]], members: set[str]) -> list[list[str]]:
    """Cycles among `members` (the nodes Kahn's algorithm could not order)."""
    forward = {
        node_id: [child for child in consumers if child in members]
        for node_id, consumers in _invert(graph).items()
        if node_id in members
    }
    cycles: list[list[str]] = []
    for component in _strong_components(forward):
        if len(component) > 1 or component[0] in forward[component[0]]:
            cycles.append(_walk_cycle(component, forward))
    return cycles


def describe_cycle(cycle: list[str], limit: int = 8) -> str:
    """`1 → 2 → 3 → 1`, shortened for long cycles."""
    shown = cycle if len(cycle) <= limit else [*cycle[:limit], "…"]
    return " → ".join([*shown, cycle[0]]) + (f" ({len(cycle)} nodes)" if len(cycle) > limit else "")


def _walk_cycle(component: list[str], graph: dict[str, list[str]]) -> list[str]:
    """One simple cycle inside a strongly connected component, starting at its first node."""
    members = set(component)
    path: list[str] = []
    position: dict[str, int] = {}
    current = component[0]
    while current not in position:
        position[current] = len(path)
        path.append(current)
        current = next(child for child in graph[current] if child in members)
    return path[position[current] :]


def _strong_components(graph: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm with an explicit stack."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, edge = work.pop()
            if edge == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            edges = graph[node]
            if edge < len(edges):
                work.append((node, edge + 1))
                child = edges[edge]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component[::-1])
    return components
