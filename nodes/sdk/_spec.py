"""Catalog models: what the editor, validation and the runners know about a node type."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

MaturityLevel = Literal["STUDENT", "INTERN", "SUPERVISED", "AUTONOMOUS"]
MATURITY_LEVELS: tuple[MaturityLevel, ...] = ("STUDENT", "INTERN", "SUPERVISED", "AUTONOMOUS")
RunsOn = Literal["inline", "runner"]
# What a path widget picks: a screenplay (02_Source_Creative/Scripts), any document, an image
# asset, any media asset.
PathKind = Literal["script", "document", "image", "media"]


def maturity_rank(level: str) -> int:
    """Position of a maturity level (STUDENT=0 … AUTONOMOUS=3); ValueError if unknown."""
    levels: list[str] = list(MATURITY_LEVELS)
    return levels.index(level)


class InputSpec(BaseModel):
    """One input, in declaration order: a widget (edited in place) or a socket (linked)."""

    name: str
    type: str
    widget: str | None = None
    default: Any = None
    has_default: bool = False
    min: float | None = None
    max: float | None = None
    exclusive_min: bool = False
    exclusive_max: bool = False
    step: float | None = None
    options: list[Any] | None = None
    pattern: str | None = None
    multiline: bool = False
    required: bool = True
    description: str = ""
    label: str | None = None
    # Takes a linked list whole; without it a list-fed input fans the node out per item.
    is_list: bool = False
    # A path widget whose file's content hash is part of the node's cache key.
    tracks_file: bool = False
    # What a path widget picks from the project (the editor lists those files to choose from).
    picks: PathKind | None = None


class OutputSpec(BaseModel):
    """One output slot (or, with `ui`, a recorded value that is not a slot)."""

    name: str
    type: str
    description: str = ""
    ui: bool = False
    # A list of items of `type`; an item-typed input it feeds runs once per item.
    is_list: bool = False


class NodeSpec(BaseModel):
    """Everything known about a node type; `GET /api/nodes` serves a list of these."""

    type: str
    title: str
    category: str
    description: str = ""
    version: str
    maturity: MaturityLevel
    runs_on: RunsOn
    output_node: bool = False
    cache: bool = True
    # Reads the project's shot list (nodes.sdk.shot_list): its digest is part of the cache key.
    reads_shot_list: bool = False
    # Declares what it charges (`price()`, nodes.sdk.providers): the editor asks for a cost
    # estimate only of a graph that holds such a node.
    priced: bool = False
    tier_params: list[str] = Field(default_factory=list)
    pack: str = ""
    module: str = ""
    class_name: str = ""
    inputs: list[InputSpec] = Field(default_factory=list)
    outputs: list[OutputSpec] = Field(default_factory=list)
    input_schema: dict[str, Any] = Field(default_factory=dict)

    def input(self, name: str) -> InputSpec | None:
        return next((spec for spec in self.inputs if spec.name == name), None)

    @property
    def widget_inputs(self) -> list[InputSpec]:
        return [spec for spec in self.inputs if spec.widget is not None]

    @property
    def socket_outputs(self) -> list[OutputSpec]:
        return [spec for spec in self.outputs if not spec.ui]


def declares_price(cls: type) -> bool:
    """Whether a node class declares a price model (`price()`, see nodes.sdk.providers.price_of)."""
    return callable(getattr(cls, "price", None))
