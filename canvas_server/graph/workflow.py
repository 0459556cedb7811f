"""Litegraph workflows (what the editor saves), versions 0.4 and 1, parsed losslessly.

Every model keeps unknown keys (`extra="allow"`) and `dump()` writes only the keys that were
read, so `Workflow.model_validate(obj).dump() == obj` for files written by other projects.
Links are stored as they were written (arrays in 0.4, objects in 1); `link_table()` gives one
normalised view whatever the shape, sniffed per entry rather than trusted from `version`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

Number = int | float
Vec2 = list[Number] | dict[str, Number]
NodeId = int | str
SlotType = str | int | list[Any] | None

SUBGRAPH_INPUT_ID = -10
SUBGRAPH_OUTPUT_ID = -20


class Lossless(BaseModel):
    """Base of every workflow model: unknown keys kept, absent keys stay absent on dump."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


class WidgetRef(Lossless):
    name: str = ""


class NodeInput(Lossless):
    """An input slot; `widget` is set when a widget was converted into a socket."""

    name: str = ""
    type: SlotType = None
    link: int | None = None
    widget: WidgetRef | None = None
    label: str | None = None


class NodeOutput(Lossless):
    """An output slot; `links` may be null in files written by plain litegraph."""

    name: str = ""
    type: SlotType = None
    links: list[int] | None = None
    slot_index: int | None = None
    widget: WidgetRef | None = None
    label: str | None = None


class WorkflowNode(Lossless):
    """One node. `mode`: 0 always, 2 muted (never runs), 4 bypassed (inputs pass through)."""

    id: NodeId
    type: str
    pos: Vec2 | None = None
    size: Vec2 | None = None
    flags: dict[str, Any] | None = None
    order: int | None = None
    mode: int | None = None
    title: str | None = None
    inputs: list[NodeInput] | None = None
    outputs: list[NodeOutput] | None = None
    properties: dict[str, Any] | None = None
    widgets_values: list[Any] | dict[str, Any] | None = None

    @property
    def key(self) -> str:
        return str(self.id)

    @property
    def mode_value(self) -> int:
        return self.mode or 0

    def input_slots(self) -> list[NodeInput]:
        return self.inputs or []

    def output_slots(self) -> list[NodeOutput]:
        return self.outputs or []


class LinkObject(Lossless):
    """A version-1 link; `parentId` is the native reroute it passes through (visual only)."""

    id: int
    origin_id: NodeId
    origin_slot: int
    target_id: NodeId
    target_slot: int
    type: SlotType = None
    parentId: int | None = None


class Link(BaseModel):
    """The normalised view of a link, whatever shape it was saved in."""

    id: int
    origin_id: str
    origin_slot: int
    target_id: str
    target_slot: int
    type: SlotType = None


class Group(Lossless):
    title: str = ""
    bounding: list[Number] | None = None
    color: str | None = None


class Reroute(Lossless):
    """A native (version-1) reroute point: purely visual, links keep their real origin."""

    id: int
    parentId: int | None = None
    linkIds: list[int] | None = None


class GraphBody(Lossless):
    """What the root graph and a subgraph definition share."""

    nodes: list[WorkflowNode] = Field(default_factory=list)
    links: list[LinkObject | list[Any] | None] | None = None
    groups: list[Group] | None = None
    reroutes: list[Reroute] | None = None
    floatingLinks: list[LinkObject] | None = None
    config: dict[str, Any] | None = None
    extra: dict[str, Any] | None = None
    version: Number | None = None
    state: dict[str, Any] | None = None

    def link_table(self) -> dict[int, Link]:
        """Links by id; malformed array entries are left out (conversion reports them)."""
        table: dict[int, Link] = {}
        for entry in self.links or []:
            link = normalise_link(entry)
            if link is not None:
                table[link.id] = link
        return table

    def node_table(self) -> dict[str, WorkflowNode]:
        return {node.key: node for node in self.nodes}


class SubgraphIO(Lossless):
    """An input or output of a subgraph definition; `linkIds` are links inside it."""

    name: str = ""
    type: SlotType = None
    linkIds: list[int] | None = None
    label: str | None = None


class SubgraphBoundary(Lossless):
    id: int


class Subgraph(GraphBody):
    """A reusable subgraph; nodes whose `type` is this `id` are its instances."""

    id: str
    name: str | None = None
    inputNode: SubgraphBoundary | None = None
    outputNode: SubgraphBoundary | None = None
    inputs: list[SubgraphIO] | None = None
    outputs: list[SubgraphIO] | None = None
    definitions: Definitions | None = None

    @property
    def input_node_id(self) -> str:
        return str(self.inputNode.id if self.inputNode else SUBGRAPH_INPUT_ID)

    @property
    def output_node_id(self) -> str:
        return str(self.outputNode.id if self.outputNode else SUBGRAPH_OUTPUT_ID)


class Definitions(Lossless):
    subgraphs: list[Subgraph] | None = None


class Workflow(GraphBody):
    """A whole saved workflow (litegraph `LGraph.serialize()`)."""

    id: str | None = None
    last_node_id: NodeId | None = None
    last_link_id: int | None = None
    definitions: Definitions | None = None

    def subgraphs(self) -> dict[str, Subgraph]:
        """Every subgraph definition, nested ones included, by id."""
        found: dict[str, Subgraph] = {}
        pending = [self.definitions]
        while pending:
            definitions = pending.pop()
            for subgraph in (definitions.subgraphs or []) if definitions else []:
                if subgraph.id not in found:
                    found[subgraph.id] = subgraph
                    pending.append(subgraph.definitions)
        return found


def normalise_link(entry: Any) -> Link | None:
    """A `Link` from an array `[id, origin, slot, target, slot, type]` or a link object."""
    if isinstance(entry, LinkObject):
        return Link(
            id=entry.id,
            origin_id=str(entry.origin_id),
            origin_slot=entry.origin_slot,
            target_id=str(entry.target_id),
            target_slot=entry.target_slot,
            type=entry.type,
        )
    if isinstance(entry, list) and len(entry) >= 5:
        ident, origin, origin_slot, target, target_slot = entry[:5]
        if not all(_is_int(value) for value in (ident, origin_slot, target_slot)):
            return None
        if not all(_is_id(value) for value in (origin, target)):
            return None
        link_type = entry[5] if len(entry) > 5 else None
        return Link(
            id=ident,
            origin_id=str(origin),
            origin_slot=origin_slot,
            target_id=str(target),
            target_slot=target_slot,
            type=link_type if _is_slot_type(link_type) else None,
        )
    return None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_id(value: Any) -> bool:
    return _is_int(value) or isinstance(value, str)


def _is_slot_type(value: Any) -> bool:
    return value is None or isinstance(value, (str, list)) or _is_int(value)


def xy(value: Vec2 | None) -> tuple[float, float]:
    """`(x, y)` from `[x, y]` or `{"0": x, "1": y}`; missing parts are 0."""
    if isinstance(value, dict):
        return float(value.get("0", 0)), float(value.get("1", 0))
    if isinstance(value, list) and len(value) >= 2:
        return float(value[0]), float(value[1])
    return 0.0, 0.0


Subgraph.model_rebuild()
