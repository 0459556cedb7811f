"""Templates as tools: one per template, its exposed parameters as the input schema.

A parameter's property is its label made a name (`Screen recording` -> `screen_recording`),
else its `NODE_ID.INPUT` key; its schema is the node input's own. A template whose nodes are
above the principal's maturity is not listed; run anyway (by another name, `run_graph`), the
submission check refuses it as for HTTP.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from nodes.sdk import NodeRegistry, maturity_rank

from ..governance import Principal
from ..server.template_store import TemplateStore, TemplateSummary

PREFIX = "template_"


@dataclass(frozen=True)
class TemplateTool:
    name: str
    template_id: str
    description: str
    input_schema: dict[str, Any]
    keys: dict[str, str]  # property -> NODE_ID.INPUT


def _property(label: str | None, key: str, taken: set[str]) -> str:
    name = re.sub(r"[^a-z0-9]+", "_", (label or "").lower()).strip("_")[:60]
    return name if name and name not in taken and name not in ("project", "tier", "wait") else key


def _node_types(data: dict[str, Any]) -> dict[str, str]:
    nodes = (data.get("workflow") or {}).get("nodes") or []
    return {str(node.get("id")): str(node.get("type")) for node in nodes if isinstance(node, dict)}


def template_tool(summary: TemplateSummary, data: dict[str, Any], registry: NodeRegistry) -> TemplateTool:
    types = _node_types(data)
    properties: dict[str, Any] = {}
    keys: dict[str, str] = {}
    for parameter in summary.parameters:
        node_id, field = str(parameter.get("node_id")), str(parameter.get("input"))
        key = f"{node_id}.{field}"
        name = _property(parameter.get("label"), key, set(properties))
        spec = registry.spec(types.get(node_id, ""))
        schema = (spec.input_schema.get("properties", {}).get(field, {}) if spec else {})
        properties[name] = {**{k: v for k, v in schema.items() if k != "auteur"},
                            "description": parameter.get("label") or key}
        keys[name] = key
    properties.update({"project": {"type": "string"}, "tier": {"type": "string"},
                       "wait": {"type": "boolean", "default": True}})
    return TemplateTool(
        name=PREFIX + re.sub(r"[^A-Za-z0-9_]", "_", summary.id), template_id=summary.id,
        description=f"Template {summary.name}: {summary.description}".strip(),
        input_schema={"type": "object", "properties": properties, "additionalProperties": False},
        keys=keys)


def _allowed(summary: TemplateSummary, registry: NodeRegistry, principal: Principal) -> bool:
    for requirement in summary.requires:
        spec = registry.spec(str(requirement.get("type", "")) if isinstance(requirement, dict) else "")
        if spec is None or maturity_rank(spec.maturity) > maturity_rank(principal.maturity):
            return False
    return True


def template_tools(store: TemplateStore, registry: NodeRegistry, principal: Principal) -> list[TemplateTool]:
    tools = []
    for summary in store.list():
        if _allowed(summary, registry, principal):
            tools.append(template_tool(summary, store.get(summary.id)[1], registry))
    return tools


def find_template(store: TemplateStore, registry: NodeRegistry, name: str) -> TemplateTool | None:
    """The template behind a tool name, listed to this caller or not."""
    for summary in store.list():
        tool = template_tool(summary, store.get(summary.id)[1], registry)
        if tool.name == name:
            return tool
    return None
