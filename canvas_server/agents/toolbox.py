"""The tools an agent sees: one per catalog node it may run, plus the run tools.

What a principal's maturity may not use is not listed, and calling it anyway is refused with
the node's rule in words (`refusal`), exactly as `authorize()` and the submission check decide
for HTTP (a tool is never a second way around them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nodes.sdk import NodeRegistry, NodeSpec, layout, maturity_rank

from ..governance import Principal
from .one_node import MEDIA_SOCKETS, callable_alone, media_output, socket_type

# The node's rule in words, by pack and category (the sentences).
_RULE_NAMES = {("media", "Media/Video"): "FFmpeg editing", ("media", "Media/Audio"): "FFmpeg editing",
               ("audio", "Media/Audio"): "FFmpeg editing", ("speaker", "Speaker/Sonos"): "Speaker control",
               ("speaker", "Speaker/Spotify"): "Spotify control"}
RUN_TOOLS = ("run_graph", "get_run", "cancel_run", "review_run", "list_projects", "list_takes", "upload_asset")


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    input_schema: dict[str, Any]
    node_type: str | None = None  # None: one of RUN_TOOLS


def tool_name(node_type: str) -> str:
    """`media.trim` -> `media_trim` (LangChain and most model APIs refuse dots in names)."""
    return node_type.replace(".", "_")


def refusal(spec: NodeSpec, principal: Principal) -> str | None:
    """None when the principal's maturity may run the node, else the rule in words."""
    if maturity_rank(principal.maturity) >= maturity_rank(spec.maturity):
        return None
    what = _RULE_NAMES.get((spec.pack, spec.category), spec.title)
    return f"{what} requires {spec.maturity} maturity level. Your agent is at {principal.maturity} maturity."


UPLOAD_SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": False, "required": ["project", "category", "filename"],
    "properties": {
        "project": {"type": "string"},
        "category": {"type": "string", "enum": list(layout.ASSET_CATEGORIES)},
        "filename": {"type": "string"},
        "content_base64": {"type": "string", "description": "The file's bytes, base64 (upload size limit)"},
        "path": {"type": "string", "description": "Or a file the server may read (project or allowed folders)"},
    },
}


_RUN_OPTIONS: dict[str, Any] = {
    "project": {"type": "string", "description": "Project name or id; paths resolve inside it"},
    "tier": {"type": "string", "description": "Quality tier (low, standard, high); default the project's"},
    "wait": {"type": "boolean", "default": True,
             "description": "Return when the run ends (with progress notifications); false: return its id at once"},
}


def _node_schema(spec: NodeSpec) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, schema in spec.input_schema.get("properties", {}).items():
        kind = socket_type(spec, name)
        if kind is None:
            properties[name] = {key: value for key, value in schema.items() if key != "auteur"}
        elif kind in MEDIA_SOCKETS:
            properties[name] = {"type": "string",
                                "description": f"{schema.get('description', name)}: a file path in the project"}
        else:
            continue
        if name in spec.input_schema.get("required", []):
            required.append(name)
    properties.update(_RUN_OPTIONS)
    if media_output(spec) is not None:
        properties["save_take"] = {
            "type": "object", "description": "Keep the result as the next take of this shot",
            "properties": {key: {"type": "integer", "minimum": 1, "default": 1} for key in ("chapter", "scene", "shot")},
            "additionalProperties": False,
        }
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


def _describe(spec: NodeSpec) -> str:
    outputs = ", ".join(f"{item.name} ({item.type})" for item in spec.socket_outputs) or "none"
    return f"{spec.title}: {spec.description.strip()} Outputs: {outputs}. Needs {spec.maturity} maturity."


def node_tool(spec: NodeSpec) -> Tool:
    return Tool(tool_name(spec.type), _describe(spec), _node_schema(spec), spec.type)


def _run_tools() -> list[Tool]:
    run_id = {"run_id": {"type": "string"}}
    return [
        Tool("run_graph", "Run a graph (ComfyUI workflow, API prompt or template) and return its outputs.",
             {"type": "object", "properties": {"graph": {"type": "object"}, "params": {"type": "object"},
                                               "targets": {"type": "array", "items": {"type": "string"}},
                                               **_RUN_OPTIONS},
              "required": ["graph"], "additionalProperties": False}),
        Tool("get_run", "A run's status, progress, outputs and errors.",
             {"type": "object", "properties": run_id, "required": ["run_id"], "additionalProperties": False}),
        Tool("cancel_run", "Stop a queued or running run; its processes are killed.",
             {"type": "object", "properties": run_id, "required": ["run_id"], "additionalProperties": False}),
        Tool("review_run", "Decide about a run waiting for review: approve, reject (note), edit (content) or "
             "request_changes (note: the agent runs again with it); the run is queued again.",
             {"type": "object", "properties": {
                 **run_id, "action": {"type": "string", "enum": ["approve", "reject", "edit", "request_changes"]},
                 "node_id": {"type": "string"}, "content": {"type": "string"}, "note": {"type": "string"}},
              "required": ["run_id", "action"], "additionalProperties": False}),
        Tool("list_projects", "The projects this agent may read.",
             {"type": "object", "properties": {}, "additionalProperties": False}),
        Tool("upload_asset", "Add a file to a project's assets: base64, or a path the server may read.",
             UPLOAD_SCHEMA),
        Tool("list_takes", "Every shot of a project with its takes (provenance, active take).",
             {"type": "object", "properties": {"project": {"type": "string"}}, "required": ["project"],
              "additionalProperties": False}),
    ]


def visible_tools(registry: NodeRegistry, principal: Principal) -> list[Tool]:
    """The tools this principal may use: the nodes at or below its maturity that can run alone,
    then the run tools."""
    nodes = [node_tool(spec) for spec in registry.specs()
             if callable_alone(spec) and refusal(spec, principal) is None]
    return nodes + _run_tools()


def with_templates(tools: list[Tool], templates: list[Any]) -> list[Tool]:
    """The node and run tools, then one per template (`agents.templates.TemplateTool`)."""
    return tools + [Tool(item.name, item.description, item.input_schema) for item in templates]


def find_node(registry: NodeRegistry, name: str) -> NodeSpec | None:
    """The node behind a tool name (listed or not: a hidden one is refused, not unknown)."""
    return next((spec for spec in registry.specs() if tool_name(spec.type) == name), None)
