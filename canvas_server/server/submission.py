"""Turning a submitted graph into a checked, runnable prompt: read it (workflow, API prompt
or template), apply parameter overrides, enforce maturity, validate."""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from nodes.sdk import AuteurError, NodeRegistry

from ..governance import Principal
from ..governance.maturity import MaturityError, maturity_refusals
from ..graph.prompt import ApiPrompt, as_link

TierName = Literal["low", "standard", "high"]


def finite_json(value: Any) -> Any:
    """Refuse NaN and ±Infinity anywhere in a value: Python's JSON parser accepts them, but
    they are not JSON and could never be sent back to a client."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            raise ValueError("NaN and Infinity are not valid JSON numbers")
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return value


class RunSubmission(BaseModel):
    """`POST /api/runs` body."""

    graph: dict[str, Any] = Field(description="A litegraph workflow, an API prompt or a template")
    tier: TierName | None = Field(None, description="Quality tier; else the project's, else standard")
    targets: list[str] | None = Field(None, description="Run only these nodes and their ancestors")
    project: str | None = Field(None, description="Project name; node paths resolve inside it")
    params: dict[str, Any] = Field(default_factory=dict, description="Overrides: {'NODE_ID.INPUT': value} or template parameter labels")
    client_id: str | None = Field(None, max_length=200, description="WebSocket client to subscribe to this run")

    _finite = field_validator("graph", "params")(finite_json)


class ValidationFailedError(AuteurError):
    code = "validation_failed"


class ParamInvalidError(AuteurError):
    code = "param_invalid"


class CheckedGraph(BaseModel):
    kind: str
    prompt: ApiPrompt


def _template_parameters(loaded: Any) -> dict[str, tuple[str, str]]:
    """Template parameter labels (and `node.input` keys) → (node_id, input)."""
    template = getattr(loaded, "template", None)
    found: dict[str, tuple[str, str]] = {}
    for parameter in getattr(template, "parameters", None) or []:
        node_id, name = str(parameter.node_id), str(parameter.input)
        found[f"{node_id}.{name}"] = (node_id, name)
        label = getattr(parameter, "label", None)
        if label:
            found[str(label)] = (node_id, name)
    return found


def _typed(value: Any, class_type: str, name: str, registry: NodeRegistry) -> Any:
    """`auteur run --set` sends every value as a string: numbers and booleans are converted
    by the catalog; other strings stay strings (never decoded into links)."""
    from ..graph.template import coerce_value

    spec = registry.spec(class_type)
    input_spec = spec.input(name) if spec is not None else None
    if isinstance(value, str) and input_spec is not None and (
        input_spec.type in ("INT", "FLOAT", "BOOLEAN") or input_spec.options
    ):
        return coerce_value(value, input_spec)
    return value


def apply_params(
    prompt: ApiPrompt, params: dict[str, Any], labels: dict[str, tuple[str, str]], registry: NodeRegistry
) -> ApiPrompt:
    """A copy of `prompt` with each override applied. A template only accepts its declared
    parameters (`labels`); an override may never replace a link."""
    data = prompt.dump()
    problems = []
    for key, value in params.items():
        node_id, _, name = key.rpartition(".")
        if key in labels:
            node_id, name = labels[key]
        elif labels:
            problems.append({"param": key, "message": f"{key!r} is not a parameter of this template; "
                             f"use one of {', '.join(sorted(labels))}"})
            continue
        node = data.get(node_id)
        if node is None or not name:
            problems.append({"param": key, "message": f"no node {node_id!r} for parameter {key!r}"})
        elif as_link(node.get("inputs", {}).get(name)) is not None:
            problems.append({"param": key, "message": f"{key} is a link; only values can be overridden"})
        else:
            node.setdefault("inputs", {})[name] = _typed(value, str(node.get("class_type")), name, registry)
    if problems:
        raise ParamInvalidError(
            "; ".join(problem["message"] for problem in problems), details=problems
        )
    return ApiPrompt.model_validate(data)


def check_graph(
    graph: dict[str, Any],
    registry: NodeRegistry,
    principal: Principal,
    *,
    params: dict[str, Any] | None = None,
    targets: list[str] | None = None,
) -> CheckedGraph:
    """Raise `graph_invalid` (422), `param_invalid` (422), `maturity_insufficient` (403)
    or `validation_failed` (422, every problem in `details`); else the prompt to run."""
    from ..graph.load import load_graph
    from ..graph.validate import validate_prompt

    loaded = load_graph(graph, registry)
    prompt = apply_params(loaded.prompt, params or {}, _template_parameters(loaded), registry) if params else loaded.prompt
    refusals = maturity_refusals(prompt, registry, principal)
    if refusals:
        raise MaturityError(refusals, principal)
    errors = [*loaded.errors, *validate_prompt(prompt, registry, targets=targets)]
    if errors:
        details = [error.model_dump(mode="json") for error in errors]
        summary = "; ".join(error.message for error in errors[:3])
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        raise ValidationFailedError(f"the graph has {len(errors)} problem(s): {summary}{more}", details=details)
    return CheckedGraph(kind=loaded.kind, prompt=prompt)
