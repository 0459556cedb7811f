"""Read any graph a user hands us (workflow, API prompt or template) into one runnable shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nodes.sdk import NodeRegistry

from ..request_body import is_union_member, validation_message
from .convert import workflow_to_prompt
from .errors import GraphError, GraphFormatError
from .layout import prompt_to_workflow
from .prompt import ApiPrompt
from .template import Template
from .workflow import Workflow

GraphKind = Literal["workflow", "api", "template"]


class LoadedGraph(BaseModel):
    """A graph as read: its kind, the prompt that runs, the source documents, and the
    recoverable problems met while converting (validation is `validate_prompt`'s job)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    kind: GraphKind
    prompt: ApiPrompt
    workflow: Workflow | None = None
    template: Template | None = None
    errors: list[GraphError] = Field(default_factory=list)


def sniff_kind(data: Any) -> GraphKind:
    """Which of the three shapes `data` is; GraphFormatError when it is none of them."""
    if not isinstance(data, dict):
        raise GraphFormatError(
            f"a graph must be a JSON object, not {_json_type(data)}",
            details={"received": _json_type(data)},
        )
    if isinstance(data.get("workflow"), dict) and ("name" in data or "parameters" in data):
        return "template"
    if "nodes" in data and isinstance(data.get("nodes"), list):
        return "workflow"
    if all(isinstance(value, dict) and "class_type" in value for value in data.values()):
        return "api"
    if "nodes" in data or "links" in data:
        return "workflow"
    raise GraphFormatError(
        "this JSON is neither a workflow (with a 'nodes' list), an API prompt "
        "({id: {class_type, inputs}}) nor a template (with 'name' and 'workflow')",
        details={"keys": [str(key) for key in list(data)[:10]]},
    )


def load_graph(data: Any, registry: NodeRegistry) -> LoadedGraph:
    """Parse and convert `data`; GraphFormatError (`graph_invalid`) if it cannot be read."""
    if isinstance(data, dict) and set(data) == {"prompt"} and isinstance(data["prompt"], dict):
        data = data["prompt"]  # the body of ComfyUI's POST /prompt
    _refuse_deep(data)
    kind = sniff_kind(data)
    if kind == "api":
        return LoadedGraph(kind="api", prompt=_parse(ApiPrompt, data, "API prompt"))
    if kind == "template":
        template = _parse(Template, data, "template")
        conversion = workflow_to_prompt(template.workflow, registry)
        return LoadedGraph(
            kind="template",
            prompt=conversion.prompt,
            workflow=template.workflow,
            template=template,
            errors=conversion.errors,
        )
    workflow = _parse(Workflow, data, "workflow")
    conversion = workflow_to_prompt(workflow, registry)
    return LoadedGraph(
        kind="workflow", prompt=conversion.prompt, workflow=workflow, errors=conversion.errors
    )


MAX_DEPTH = 64  # far above any real graph; keeps every later recursive walk (pydantic, json) safe


def _refuse_deep(data: Any) -> None:
    """GraphFormatError when `data` nests deeper than MAX_DEPTH (measured without recursion).
    Walks containers only, a level at a time: a graph's scalars (most of it) are never pushed."""
    level: list[Any] = [data] if isinstance(data, (dict, list)) else []
    depth = 1
    while level:
        children: list[Any] = []
        for value in level:
            items = value.values() if isinstance(value, dict) else value
            if items and depth == MAX_DEPTH:  # any value inside lies deeper than allowed
                raise GraphFormatError(f"this graph nests values more than {MAX_DEPTH} levels deep",
                                       details={"max_depth": MAX_DEPTH})
            children.extend(item for item in items if isinstance(item, (dict, list)))
        level = children
        depth += 1


def load_graph_file(path: str | Path, registry: NodeRegistry) -> LoadedGraph:
    """`load_graph` on a JSON file, with clear errors for a missing file or bad JSON."""
    return load_graph(read_graph_json(path), registry)


def read_graph_json(path: str | Path) -> Any:
    """The parsed JSON of a graph file."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise GraphFormatError(
            f"graph file {str(file)!r} does not exist",
            code="graph_not_found",
            details={"path": str(file)},
        ) from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise GraphFormatError(
            f"cannot read graph file {str(file)!r}: {exc}", details={"path": str(file)}
        ) from None
    try:
        return json.loads(text)
    except RecursionError:
        raise GraphFormatError(
            f"graph file {str(file)!r} is nested too deeply to be a graph",
            details={"path": str(file)},
        ) from None
    except json.JSONDecodeError as exc:
        raise GraphFormatError(
            f"graph file {str(file)!r} is not valid JSON: {exc.msg} at line {exc.lineno}, "
            f"column {exc.colno}",
            details={"path": str(file), "line": exc.lineno, "column": exc.colno},
        ) from None


def graph_to_workflow(loaded: LoadedGraph, registry: NodeRegistry) -> Workflow:
    """The workflow form of a loaded graph: itself when it was one, else laid out."""
    if loaded.workflow is not None:
        return loaded.workflow
    return prompt_to_workflow(loaded.prompt, registry)


def missing_types(prompt: ApiPrompt, registry: NodeRegistry) -> list[GraphError]:
    """One `unknown_node_type` problem per node type the catalog lacks, with how many nodes
    use it (their widget values could not be named: what a conversion cannot do)."""
    found: dict[str, list[str]] = {}
    for node_id, node in prompt.nodes().items():
        if node.class_type not in registry:
            found.setdefault(node.class_type, []).append(node_id)
    return [
        GraphError(code="unknown_node_type", node_id=ids[0], details={"type": node_type, "nodes": len(ids)},
                   message=f"unknown node type {node_type} ({len(ids)} node{'s' if len(ids) > 1 else ''}): "
                           "not in this server's catalog, its widget values cannot be named")
        for node_type, ids in sorted(found.items())
    ]


def convert_graph(
    data: Any, to: Literal["api", "workflow"], registry: NodeRegistry
) -> tuple[dict[str, Any], list[GraphError]]:
    """`data` (any of the three shapes) as an API prompt or a workflow, with the conversion
    problems (node types the catalog lacks included). A workflow converted to a workflow comes
    back exactly as it was read."""
    loaded = load_graph(data, registry)
    problems = [*loaded.errors, *missing_types(loaded.prompt, registry)]
    if to == "api":
        return loaded.prompt.dump(), problems
    return graph_to_workflow(loaded, registry).dump(), problems


def _parse(model: Any, data: Any, what: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise GraphFormatError(_describe(exc, what), details=_problems(exc)) from None
    except (TypeError, ValueError, RecursionError) as exc:
        raise GraphFormatError(f"this {what} cannot be read: {exc}") from None


def _describe(exc: ValidationError, what: str) -> str:
    return f"this {what} is malformed: {validation_message(_located(exc))}"


def _located(exc: ValidationError) -> list[dict[str, Any]]:
    """pydantic's problems, each located without the graph models' union labels (`LinkObject`)."""
    return [{**detail, "loc": tuple(part for part in detail["loc"] if not _is_type_label(str(part)))}
            for detail in exc.errors(include_url=False)]


def _problems(exc: ValidationError) -> list[dict[str, str]]:
    seen: dict[str, str] = {}
    for detail in _located(exc):
        # Unions report one failure per member; the first names the problem well enough.
        seen.setdefault(".".join(str(part) for part in detail["loc"]) or "(top level)", detail["msg"])
    return [{"at": where, "problem": problem} for where, problem in seen.items()]


def _is_type_label(part: str) -> bool:
    """A union member's label in a location (request_body's), or the graph's link model's name."""
    return part == "LinkObject" or is_union_member(part) or "[" in part


def _json_type(data: Any) -> str:
    names = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    for kind, name in names.items():
        if isinstance(data, kind):
            return name
    return "a number" if isinstance(data, (int, float)) else type(data).__name__
