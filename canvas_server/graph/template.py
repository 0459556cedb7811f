"""Templates (a workflow plus exposed parameters) and `--set NODE_ID.INPUT=VALUE` overrides."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from nodes.sdk import InputSpec, NodeRegistry

from .errors import OverrideError
from .prompt import ApiPrompt
from .workflow import Workflow

TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off"})


class TemplateParameter(BaseModel):
    """An input a template exposes: what `auteur run --set` and the API may override."""

    node_id: str
    input: str
    label: str | None = None

    @property
    def key(self) -> str:
        return f"{self.node_id}.{self.input}"


class Requirement(BaseModel):
    """A node type (and version) the template needs; import reports missing packs up front."""

    type: str
    version: str | None = None


class Template(BaseModel):
    """`{name, description, version, parameters, requires, workflow}`."""

    model_config = ConfigDict(extra="allow")

    name: str
    description: str = ""
    version: str = "1.0.0"
    parameters: list[TemplateParameter] = Field(default_factory=list)
    requires: list[Requirement] = Field(default_factory=list)
    workflow: Workflow

    def dump(self) -> dict[str, Any]:
        data = self.model_dump(mode="json", exclude={"workflow"})
        data["workflow"] = self.workflow.dump()
        return data

    def missing_requirements(self, registry: NodeRegistry) -> list[Requirement]:
        """Required node types that no installed pack provides."""
        return [item for item in self.requires if item.type not in registry]


def requirements_of(workflow: Workflow, registry: NodeRegistry) -> list[Requirement]:
    """The `requires` list for a workflow: each node type once, with its catalog version."""
    types: dict[str, None] = {}
    for body in [workflow, *workflow.subgraphs().values()]:
        for node in body.nodes:
            types.setdefault(node.type)
    found: list[Requirement] = []
    for type_id in types:
        spec = registry.spec(type_id)
        if spec is not None:
            found.append(Requirement(type=type_id, version=spec.version))
    return found


def parse_assignment(text: str) -> tuple[str, str, str]:
    """`"12.value=3"` → `("12", "value", "3")`; node ids may hold `:` (`"12:5.value=3"`)."""
    target, sep, value = text.partition("=")
    node_id, dot, name = target.strip().rpartition(".")
    if not sep or not dot or not node_id or not name:
        raise OverrideError(
            f"cannot read override {text!r}; write NODE_ID.INPUT=VALUE, e.g. 3.value=42",
            details={"override": text},
        )
    return node_id, name, value


def coerce_value(raw: str, spec: InputSpec | None) -> Any:
    """The typed value of a command-line string for an input of the catalog."""
    kind = spec.type if spec is not None else None
    if spec is not None and spec.options:
        matching = [option for option in spec.options if str(option) == raw]
        if matching:
            return matching[0]
    if kind == "TEXT":
        return raw
    if kind == "BOOLEAN":
        return _boolean(raw)
    if kind in ("INT", "FLOAT"):
        return _number(raw, kind)
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _boolean(raw: str) -> bool:
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"{raw!r} is not a boolean; use true or false")


def _number(raw: str, kind: str) -> int | float:
    try:
        return int(raw.strip())
    except ValueError:
        if kind == "INT":
            raise ValueError(f"{raw!r} is not an integer") from None
    try:
        return float(raw.strip())
    except ValueError:
        raise ValueError(f"{raw!r} is not a number") from None


def apply_overrides(
    prompt: ApiPrompt,
    assignments: Iterable[str],
    registry: NodeRegistry,
    *,
    allowed: Sequence[TemplateParameter] | None = None,
) -> ApiPrompt:
    """A copy of `prompt` with each `NODE_ID.INPUT=VALUE` applied; OverrideError lists every
    assignment that names a missing node or input, a parameter a template does not expose,
    or a value of the wrong type."""
    result = ApiPrompt.model_validate(prompt.dump())
    problems: list[str] = []
    for text in assignments:
        try:
            _apply_one(result, text, registry, allowed)
        except (OverrideError, ValueError) as exc:
            problems.append(str(exc))
    if problems:
        raise OverrideError("; ".join(problems), details={"problems": problems})
    return result


def _apply_one(
    prompt: ApiPrompt,
    text: str,
    registry: NodeRegistry,
    allowed: Sequence[TemplateParameter] | None,
) -> None:
    node_id, name, raw = parse_assignment(text)
    if allowed is not None and f"{node_id}.{name}" not in {param.key for param in allowed}:
        exposed = ", ".join(_describe(param) for param in allowed) or "none"
        raise OverrideError(
            f"--set {node_id}.{name}: not an exposed parameter of this template (exposed: {exposed})"
        )
    node = prompt.nodes().get(node_id)
    if node is None:
        raise OverrideError(f"--set {node_id}.{name}: the graph has no node {node_id!r}")
    spec = registry.spec(node.class_type)
    item = spec.input(name) if spec is not None else None
    if spec is not None and item is None:
        names = ", ".join(entry.name for entry in spec.inputs) or "none"
        raise OverrideError(
            f"--set {node_id}.{name}: node {node_id} ({spec.type}) has no input {name!r}; "
            f"its inputs are: {names}"
        )
    if spec is None and name not in node.inputs:
        raise OverrideError(
            f"--set {node_id}.{name}: node {node_id} ({node.class_type}) has no input {name!r}"
        )
    try:
        node.inputs[name] = coerce_value(raw, item)
    except ValueError as exc:
        raise OverrideError(f"--set {node_id}.{name}: {exc}") from None


def _describe(param: TemplateParameter) -> str:
    return f"{param.key} ({param.label})" if param.label else param.key
