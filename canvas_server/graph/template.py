"""Templates: a workflow plus the parameters it exposes, and how a typed value is read from text."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from nodes.sdk import InputSpec, NodeRegistry

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
