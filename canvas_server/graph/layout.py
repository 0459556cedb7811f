"""API prompt → workflow: give a headless prompt a canvas, one column per depth."""

from __future__ import annotations

from typing import Any

from nodes.sdk import NodeRegistry, NodeSpec

from .prompt import ApiPrompt, PromptNode, as_link
from .topology import parents
from .workflow import Workflow

COLUMN_WIDTH = 320
ROW_GAP = 40
SLOT_HEIGHT = 24
NODE_WIDTH = 260


def prompt_to_workflow(prompt: ApiPrompt, registry: NodeRegistry) -> Workflow:
    """A version-0.4 workflow laid out left to right by depth.

    Numeric prompt ids are kept; when some are not (e.g. flattened `"12:5"`), every node is
    renumbered and keeps its prompt id in `properties["api_id"]`.
    """
    nodes = prompt.nodes()
    ids = _node_ids(list(nodes))
    builder = _Builder(prompt, registry, ids)
    for prompt_id, node in nodes.items():
        builder.add_node(prompt_id, node)
    builder.add_links()
    builder.place(_depths(prompt))
    return Workflow.model_validate(builder.document())


def _node_ids(prompt_ids: list[str]) -> dict[str, int]:
    if all(ident.isdigit() for ident in prompt_ids):
        return {ident: int(ident) for ident in prompt_ids}
    return {ident: index for index, ident in enumerate(prompt_ids, start=1)}


def _depths(prompt: ApiPrompt) -> dict[str, int]:
    """Longest distance from a source node (nodes on cycles settle after a bounded relaxation)."""
    graph = parents(prompt)
    depth = {node_id: 0 for node_id in graph}
    changed = True
    rounds = 0
    while changed and rounds < 64:
        changed = False
        rounds += 1
        for node_id, sources in graph.items():
            best = max((depth[source] + 1 for source in sources), default=0)
            if best > depth[node_id] and best <= len(graph):
                depth[node_id] = best
                changed = True
    return depth


class _Builder:
    def __init__(self, prompt: ApiPrompt, registry: NodeRegistry, ids: dict[str, int]) -> None:
        self.prompt = prompt
        self.registry = registry
        self.ids = ids
        self.renumbered = any(str(number) != ident for ident, number in ids.items())
        self.nodes: dict[str, dict[str, Any]] = {}
        self.pending_links: list[tuple[str, int, str, int, Any]] = []

    def add_node(self, prompt_id: str, node: PromptNode) -> None:
        spec = self.registry.spec(node.class_type)
        data: dict[str, Any] = {"id": self.ids[prompt_id], "type": node.class_type}
        title = (node.meta or {}).get("title")
        if isinstance(title, str) and title:
            data["title"] = title
        data["mode"] = 0
        if spec is not None:
            self._known_slots(prompt_id, node, spec, data)
        else:
            self._unknown_slots(prompt_id, node, data)
        properties: dict[str, Any] = {}
        if self.renumbered:
            properties["api_id"] = prompt_id
        data["properties"] = properties
        self.nodes[prompt_id] = data

    def _known_slots(
        self, prompt_id: str, node: PromptNode, spec: NodeSpec, data: dict[str, Any]
    ) -> None:
        inputs: list[dict[str, Any]] = []
        widgets: list[Any] = []
        for item in spec.inputs:
            value = node.inputs.get(item.name)
            link = as_link(value)
            if item.widget is not None:
                widgets.append(
                    item.default if link is not None or item.name not in node.inputs else value
                )
            if item.widget is None or link is not None:
                slot: dict[str, Any] = {"name": item.name, "type": item.type, "link": None}
                if item.widget is not None:
                    slot["widget"] = {"name": item.name}
                if link is not None:
                    self.pending_links.append((link[0], link[1], prompt_id, len(inputs), item.type))
                inputs.append(slot)
        data["inputs"] = inputs
        data["outputs"] = [
            {"name": out.name, "type": out.type, "links": [], "slot_index": index}
            for index, out in enumerate(spec.socket_outputs)
        ]
        data["widgets_values"] = widgets

    def _unknown_slots(self, prompt_id: str, node: PromptNode, data: dict[str, Any]) -> None:
        inputs: list[dict[str, Any]] = []
        constants: dict[str, Any] = {}
        for name, value in node.inputs.items():
            link = as_link(value)
            if link is None:
                constants[name] = value
                continue
            self.pending_links.append((link[0], link[1], prompt_id, len(inputs), "*"))
            inputs.append({"name": name, "type": "*", "link": None})
        data["inputs"] = inputs
        data["outputs"] = []
        data["widgets_values"] = constants

    def add_links(self) -> None:
        links: list[list[Any]] = []
        for source, slot, target, target_slot, link_type in self.pending_links:
            origin = self.nodes.get(source)
            if origin is None or slot < 0:
                continue  # a dangling link has no place on a canvas; validation reports it
            outputs: list[dict[str, Any]] = origin["outputs"]
            while len(outputs) <= slot:
                outputs.append(
                    {
                        "name": f"out{len(outputs)}",
                        "type": "*",
                        "links": [],
                        "slot_index": len(outputs),
                    }
                )
            link_id = len(links) + 1
            outputs[slot]["links"].append(link_id)
            self.nodes[target]["inputs"][target_slot]["link"] = link_id
            links.append(
                [link_id, self.ids[source], slot, self.ids[target], target_slot, link_type]
            )
        self.links = links

    def place(self, depths: dict[str, int]) -> None:
        next_y: dict[int, float] = {}
        for order, (prompt_id, data) in enumerate(self.nodes.items()):
            column = depths.get(prompt_id, 0)
            slots = max(len(data["inputs"]) + len(data["widgets_values"]), len(data["outputs"]), 1)
            height = 30 + SLOT_HEIGHT * slots
            y = next_y.get(column, 50.0)
            data["pos"] = [50 + column * COLUMN_WIDTH, y]
            data["size"] = [NODE_WIDTH, height]
            data["order"] = order
            next_y[column] = y + height + ROW_GAP

    def document(self) -> dict[str, Any]:
        return {
            "last_node_id": max(self.ids.values(), default=0),
            "last_link_id": len(self.links),
            "nodes": list(self.nodes.values()),
            "links": self.links,
            "groups": [],
            "config": {},
            "extra": {},
            "version": 0.4,
        }
