"""The bundled templates list every socket their nodes declare, in the declared order.

The editor (like ComfyUI's litegraph) lays a node's saved `inputs` over the ones it builds from
the catalog *by index*; a template that listed only its linked inputs opened with the Script
breakdown's `script` socket renamed to `ingredients` and the Shot node's slots twice."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nodes.sdk import discover

GRAPHS = sorted((Path(__file__).parents[2] / "workspace_templates" / "graphs").glob("*.json"))
REGISTRY = discover()


def _link_ends(workflow: dict[str, Any]) -> dict[int, tuple[int, int, int, int]]:
    ends: dict[int, tuple[int, int, int, int]] = {}
    for link in workflow.get("links", []):
        if isinstance(link, list):
            ends[link[0]] = (link[1], link[2], link[3], link[4])
        else:
            ends[link["id"]] = (
                link["origin_id"],
                link["origin_slot"],
                link["target_id"],
                link["target_slot"],
            )
    return ends


@pytest.mark.parametrize("path", GRAPHS, ids=[path.stem for path in GRAPHS])
def test_each_template_node_lists_its_declared_sockets_in_order_and_its_links_point_at_them(
    path: Path,
) -> None:
    workflow = json.loads(path.read_text(encoding="utf-8"))["workflow"]
    ends = _link_ends(workflow)
    for node in workflow["nodes"]:
        spec = REGISTRY.spec(node["type"])
        assert spec is not None, (
            f"{path.name}: node {node['id']} has an unknown type {node['type']}"
        )
        inputs = node.get("inputs", [])
        assert [(i["name"], i["type"]) for i in inputs] == [
            (i.name, i.type) for i in spec.inputs
        ], f"{path.name}: node {node['id']} ({node['type']}) does not list its declared inputs"
        outputs = node.get("outputs", [])
        assert [o["name"] for o in outputs] == [o.name for o in spec.outputs if not o.ui], (
            f"{path.name}: node {node['id']} ({node['type']}) does not list its declared outputs"
        )
        for slot, item in enumerate(inputs):
            if item["link"] is not None:
                assert ends[item["link"]][2:] == (node["id"], slot), (
                    f"{path.name}: link {item['link']} misses its input"
                )
        for slot, item in enumerate(outputs):
            for link in item.get("links") or []:
                assert ends[link][:2] == (node["id"], slot), (
                    f"{path.name}: link {link} misses its output"
                )
