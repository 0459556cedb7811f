"""Workflow → API prompt: what the editor saved becomes what runs.

Frontend-only constructs disappear here: muted nodes (mode 2) and notes are dropped, bypassed
nodes (mode 4) and `Reroute` nodes pass their input through, a `PrimitiveNode`'s value becomes
the constant of the widgets it feeds, and subgraph instances are flattened into nodes with
path ids (`"12:5"`). Native reroutes need nothing: a link keeps its real origin and only lists
the reroute as `parentId`. Recoverable problems come back as `GraphError`s, never raised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nodes.sdk import NodeRegistry, NodeSpec, sockets_compatible

from .errors import GraphError
from .prompt import ApiPrompt, PromptNode
from .widgets import widget_inputs
from .workflow import GraphBody, Link, NodeInput, Subgraph, Workflow, WorkflowNode

MUTED = 2
BYPASSED = 4
NOTE_TYPES = frozenset({"Note", "MarkdownNote"})
REROUTE_TYPE = "Reroute"
PRIMITIVE_TYPE = "PrimitiveNode"


@dataclass
class Conversion:
    """The prompt and the problems met while building it."""

    prompt: ApiPrompt
    errors: list[GraphError] = field(default_factory=list)


@dataclass(frozen=True)
class Constant:
    """A link that resolved to a value (from a PrimitiveNode) rather than to a node output."""

    value: Any


Source = tuple[str, int] | Constant | None


@dataclass
class Scope:
    """The root graph, or one subgraph instance with its path prefix (`"12:"`)."""

    prefix: str
    body: GraphBody
    nodes: dict[str, WorkflowNode]
    links: dict[int, Link]
    instance: WorkflowNode | None = None
    parent: Scope | None = None
    chain: tuple[str, ...] = ()


def workflow_to_prompt(workflow: Workflow, registry: NodeRegistry) -> Conversion:
    """Flatten and resolve `workflow` into an API prompt."""
    return _Converter(workflow, registry).run()


class _Converter:
    def __init__(self, workflow: Workflow, registry: NodeRegistry) -> None:
        self.registry = registry
        self.subgraphs = workflow.subgraphs()
        self.errors: list[GraphError] = []
        self.root = Scope("", workflow, workflow.node_table(), workflow.link_table())
        self.children: dict[str, Scope] = {}
        self.step_limit = (
            4 * (len(workflow.nodes) + sum(len(s.nodes) for s in self.subgraphs.values())) + 16
        )

    def run(self) -> Conversion:
        prompt: dict[str, PromptNode] = {}
        pending = [self.root]
        while pending:
            scope = pending.pop(0)
            for node in scope.body.nodes:
                kind = self.kind_of(scope, node)
                if kind == "subgraph":
                    pending.append(self.child_scope(scope, node))
                elif kind == "node":
                    prompt[scope.prefix + node.key] = self.emit(scope, node)
        return Conversion(ApiPrompt(prompt), self.errors)

    def kind_of(self, scope: Scope, node: WorkflowNode) -> str:
        if node.mode_value == MUTED:
            return "muted"
        if node.type in NOTE_TYPES:
            return "note"
        if node.type == REROUTE_TYPE:
            return "reroute"
        if node.type == PRIMITIVE_TYPE:
            return "primitive"
        if node.mode_value == BYPASSED:
            return "bypass"
        if node.type in self.subgraphs:
            if node.type in scope.chain:
                self.error("cycle_detected", f"subgraph {node.type} contains itself", scope, node)
                return "node"
            return "subgraph"
        return "node"

    def child_scope(self, scope: Scope, instance: WorkflowNode) -> Scope:
        prefix = f"{scope.prefix}{instance.key}:"
        child = self.children.get(prefix)
        if child is None:
            body = self.subgraphs[instance.type]
            child = Scope(
                prefix,
                body,
                body.node_table(),
                body.link_table(),
                instance,
                scope,
                (*scope.chain, instance.type),
            )
            self.children[prefix] = child
        return child

    def emit(self, scope: Scope, node: WorkflowNode) -> PromptNode:
        spec = self.registry.spec(node.type)
        inputs = widget_inputs(node, spec)
        for index, slot in enumerate(node.input_slots()):
            if slot.link is None:
                continue
            link = self.follow(scope, node, slot)
            source = self.resolve(scope, link) if link is not None else None
            name = input_name(slot, index)
            if isinstance(source, Constant):
                inputs[name] = source.value
            elif source is not None:
                inputs[name] = [source[0], source[1]]
        title = node.title or (spec.title if spec else node.type)
        # Built from values this converter made (a str type, a dict of inputs): validating each of
        # a thousand nodes again cost ~0.1 ms apiece on every conversion (bench_editor_queue).
        prompt_node = PromptNode.model_construct(class_type=node.type, inputs=inputs, meta={"title": title})
        pinned = (node.properties or {}).get("tier") if isinstance(node.properties, dict) else None
        if pinned:
            prompt_node.tier = str(pinned)  # a node may pin its own quality tier
        return prompt_node

    def follow(self, scope: Scope, node: WorkflowNode, slot: NodeInput) -> Link | None:
        link = scope.links.get(slot.link) if slot.link is not None else None
        if link is None:
            self.error(
                "invalid_link",
                f"input {slot.name!r} of node {scope.prefix}{node.key} refers to link "
                f"{slot.link}, which is not in the workflow",
                scope,
                node,
                slot.name,
            )
        return link

    def resolve(self, scope: Scope, link: Link) -> Source:
        """Walk back through reroutes, bypasses and subgraph boundaries to a real output."""
        current: Link | None = link
        for _ in range(self.step_limit):
            if current is None:
                return None
            origin_id, slot = current.origin_id, current.origin_slot
            if isinstance(scope.body, Subgraph) and origin_id == scope.body.input_node_id:
                scope, current = self.leave_subgraph(scope, slot)
                continue
            node = scope.nodes.get(origin_id)
            if node is None:
                return scope.prefix + origin_id, slot  # validation reports the dangling link
            kind = self.kind_of(scope, node)
            if kind in ("muted", "note"):
                return None
            if kind == "primitive":
                return _primitive_value(node)
            if kind == "reroute":
                current = self.follow_input(scope, node, 0)
            elif kind == "bypass":
                current = self.follow_input(scope, node, self.bypass_input(node, slot, current))
            elif kind == "subgraph":
                scope, current = self.enter_subgraph(scope, node, slot)
            else:
                return scope.prefix + origin_id, slot
        self.error("cycle_detected", "links loop through reroutes or bypassed nodes", scope)
        return None

    def follow_input(self, scope: Scope, node: WorkflowNode, index: int | None) -> Link | None:
        slots = node.input_slots()
        if index is None or not 0 <= index < len(slots) or slots[index].link is None:
            return None
        return self.follow(scope, node, slots[index])

    def bypass_input(self, node: WorkflowNode, out_slot: int, link: Link) -> int | None:
        """The linked input a bypassed node passes to output `out_slot`: same type, same index
        first, then a compatible type."""
        outputs = node.output_slots()
        wanted = outputs[out_slot].type if 0 <= out_slot < len(outputs) else link.type
        spec = self.registry.spec(node.type)
        # Only linked inputs can pass anything through; an unlinked one would drop the value.
        linked = [
            (index, slot_type(slot, spec))
            for index, slot in enumerate(node.input_slots())
            if slot.link is not None
        ]
        # A list output passes a list input through first, an item output an item input.
        wanted_list = _output_is_list(spec, out_slot)
        same = [index for index, found in linked if found == wanted]
        exact = [index for index in same if _input_is_list(spec, node.input_slots()[index]) == wanted_list]
        loose = [index for index, found in linked if _compatible(wanted, found)]
        for candidates in (exact, same, loose):
            if out_slot in candidates:
                return out_slot
            if candidates:
                return candidates[0]
        return None

    def enter_subgraph(
        self, scope: Scope, instance: WorkflowNode, out_slot: int
    ) -> tuple[Scope, Link | None]:
        child = self.child_scope(scope, instance)
        body = child.body
        assert isinstance(body, Subgraph)
        inner = next(
            (
                link
                for link in child.links.values()
                if link.target_id == body.output_node_id and link.target_slot == out_slot
            ),
            None,
        )
        return child, inner

    def leave_subgraph(self, scope: Scope, in_slot: int) -> tuple[Scope, Link | None]:
        instance, parent = scope.instance, scope.parent
        assert instance is not None and parent is not None and isinstance(scope.body, Subgraph)
        declared = scope.body.inputs or []
        name = declared[in_slot].name if 0 <= in_slot < len(declared) else None
        slots = instance.input_slots()
        index = next((i for i, slot in enumerate(slots) if name and slot.name == name), in_slot)
        return parent, self.follow_input(parent, instance, index)

    def error(
        self,
        code: Any,
        message: str,
        scope: Scope,
        node: WorkflowNode | None = None,
        input_name: str | None = None,
    ) -> None:
        node_id = scope.prefix + node.key if node is not None else None
        self.errors.append(
            GraphError(code=code, message=message, node_id=node_id, input=input_name)
        )


def input_name(slot: NodeInput, index: int) -> str:
    """The API input name of a slot: its widget's name, its own name, else its position."""
    if slot.widget is not None and slot.widget.name:
        return slot.widget.name
    return slot.name or str(index)


def slot_type(slot: NodeInput, spec: NodeSpec | None) -> Any:
    if slot.type is not None:
        return slot.type
    found = spec.input(slot.name) if spec is not None else None
    return found.type if found is not None else None


def _output_is_list(spec: NodeSpec | None, slot: int) -> bool:
    outputs = spec.socket_outputs if spec is not None else []
    return 0 <= slot < len(outputs) and outputs[slot].is_list


def _input_is_list(spec: NodeSpec | None, slot: NodeInput) -> bool:
    found = spec.input(slot.name) if spec is not None and slot.name else None
    return found is not None and found.is_list


def _compatible(output_type: Any, input_type: Any) -> bool:
    if isinstance(output_type, str) and isinstance(input_type, str):
        return sockets_compatible(output_type, input_type)
    return False


def _primitive_value(node: WorkflowNode) -> Source:
    values = node.widgets_values
    if isinstance(values, list) and values:
        return Constant(values[0])
    if isinstance(values, dict) and "value" in values:
        return Constant(values["value"])
    return None
