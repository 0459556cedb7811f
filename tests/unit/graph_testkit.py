"""Builders for small litegraph workflows made of core nodes, shared by the graph tests."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from nodes.sdk import NodeRegistry, discover

LITEGRAPH_FILES = [
    "litegraph_features.json",
    "litegraph_midi_generation.json",
    "comfy_txt2img_sd15.json",
    "comfy_reroute_nodes.json",
    "comfy_bypass_widgets_dict.json",
    "comfy_primitive_note.json",
    "comfy_subgraph_definitions.json",
]


@lru_cache(maxsize=1)
def core_registry() -> NodeRegistry:
    registry = discover(only=["core"])
    assert "core.add" in registry, registry.failures
    return registry


def slot_in(name: str, type_: str, link: int | None = None, widget: bool = False) -> dict[str, Any]:
    slot: dict[str, Any] = {"name": name, "type": type_, "link": link}
    if widget:
        slot["widget"] = {"name": name}
    return slot


def slot_out(name: str, type_: str, links: list[int] | None = None) -> dict[str, Any]:
    return {"name": name, "type": type_, "links": links or []}


def wf_node(
    node_id: int,
    type_: str,
    *,
    widgets: list[Any] | dict[str, Any] | None = None,
    inputs: list[dict[str, Any]] | None = None,
    outputs: list[dict[str, Any]] | None = None,
    mode: int = 0,
    title: str | None = None,
) -> dict[str, Any]:
    node: dict[str, Any] = {
        "id": node_id,
        "type": type_,
        "pos": [100 * node_id, 100],
        "size": [200, 80],
        "flags": {},
        "mode": mode,
        "inputs": inputs or [],
        "outputs": outputs or [],
        "properties": {},
    }
    if widgets is not None:
        node["widgets_values"] = widgets
    if title is not None:
        node["title"] = title
    return node


def workflow(nodes: list[dict[str, Any]], links: list[list[Any]], **more: Any) -> dict[str, Any]:
    return {
        "last_node_id": max(
            (node["id"] for node in nodes if isinstance(node["id"], int)), default=0
        ),
        "last_link_id": max((link[0] for link in links), default=0),
        "nodes": nodes,
        "links": links,
        "groups": [],
        "config": {},
        "extra": {},
        "version": 0.4,
        **more,
    }


def integer(node_id: int, value: int, links: list[int], **kw: Any) -> dict[str, Any]:
    return wf_node(
        node_id, "core.integer", widgets=[value], outputs=[slot_out("value", "INT", links)], **kw
    )


def show(node_id: int, link: int | None, **kw: Any) -> dict[str, Any]:
    return wf_node(node_id, "core.show", inputs=[slot_in("value", "*", link)], **kw)


def add(
    node_id: int,
    a: int | None,
    b: int | None,
    links: list[int],
    widgets: list[Any] | None = None,
    **kw: Any,
) -> dict[str, Any]:
    return wf_node(
        node_id,
        "core.add",
        widgets=widgets if widgets is not None else [0, 0],
        inputs=[slot_in("a", "FLOAT", a, widget=True), slot_in("b", "FLOAT", b, widget=True)],
        outputs=[slot_out("value", "FLOAT", links)],
        **kw,
    )


def chain_prompt(length: int, *, cyclic: bool = False) -> dict[str, Any]:
    """core.integer → core.add × (length - 2) → core.show; `cyclic` closes the adds in a loop."""
    prompt: dict[str, Any] = {"0": {"class_type": "core.integer", "inputs": {"value": 1}}}
    for index in range(1, length - 1):
        prompt[str(index)] = {
            "class_type": "core.add",
            "inputs": {"a": [str(index - 1), 0], "b": 1},
        }
    prompt[str(length - 1)] = {"class_type": "core.show", "inputs": {"value": [str(length - 2), 0]}}
    if cyclic:
        prompt["1"]["inputs"]["a"] = [str(length - 2), 0]
    return prompt
