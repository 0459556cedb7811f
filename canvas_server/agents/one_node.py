"""One node as a run: the graph behind `POST /api/nodes/{type}/run` and every node tool.

A node's socket inputs take links only (docs/architecture.md §8), so a media socket given as a path gets a
`media.load` in front of it (the path is sandboxed there, as for every run); with `save_take`
the node's first media output is kept as the next take of a shot (`production.save_take`).
Other socket inputs (a speaker, a transcript) cannot be typed in: such nodes need `run_graph`.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from nodes.sdk import AuteurError, NodeSpec
from nodes.sdk.takes import ShotCoords

from ..request_body import RequestBody

MEDIA_SOCKETS = frozenset({"MEDIA", "VIDEO", "AUDIO", "IMAGE"})
LOAD_NODE = "media.load"
SAVE_TAKE_NODE = "production.save_take"
NODE_ID = "node"
TAKE_ID = "take"


class NodeInputError(AuteurError):
    code = "validation_failed"


class ShotTarget(RequestBody):
    """Where a result is kept as a take: chapter, scene and shot numbers."""

    chapter: int = Field(1, ge=1)
    scene: int = Field(1, ge=1)
    shot: int = Field(1, ge=1)


def socket_type(spec: NodeSpec, name: str) -> str | None:
    """The socket type of a linked input (None for a widget)."""
    item = spec.input(name)
    return None if item is None or item.widget is not None else item.type


def callable_alone(spec: NodeSpec) -> bool:
    """Whether every required socket of the node can be given as a path."""
    return all(item.widget is not None or not item.required or item.type in MEDIA_SOCKETS
               for item in spec.inputs)


def media_output(spec: NodeSpec) -> int | None:
    """The slot of the node's first media output (what `save_take` keeps)."""
    outputs = spec.socket_outputs
    return next((index for index, item in enumerate(outputs) if item.type in MEDIA_SOCKETS), None)


def node_prompt(spec: NodeSpec, inputs: dict[str, Any], save_take: ShotTarget | None = None) -> dict[str, Any]:
    """The API prompt of one node with `inputs` (paths for its media sockets)."""
    prompt: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for name, value in inputs.items():
        if spec.input(name) is None:
            raise NodeInputError(f"{spec.type} has no input {name!r}",
                                 details=[{"input": name, "code": "unknown_input"}])
        kind = socket_type(spec, name)
        if kind is None:
            values[name] = value
        elif kind in MEDIA_SOCKETS and isinstance(value, str):
            load_id = f"load_{name}"
            prompt[load_id] = {"class_type": LOAD_NODE, "inputs": {"path": value}}
            values[name] = [load_id, 0]
        else:
            raise NodeInputError(
                f"{spec.type}'s input {name!r} takes a {kind} link: give a path for media inputs, "
                "or use run_graph to link it", details=[{"input": name, "code": "link_required"}])
    prompt[NODE_ID] = {"class_type": spec.type, "inputs": values}
    if save_take is not None:
        slot = media_output(spec)
        if slot is None:
            raise NodeInputError(f"{spec.type} has no media output to keep as a take",
                                 details=[{"input": "save_take", "code": "no_media_output"}])
        # The shot as a path: the caller named it, so it is never Save Take's unset default shot.
        target = ShotCoords(save_take.chapter, save_take.scene, save_take.shot).key
        prompt[TAKE_ID] = {"class_type": SAVE_TAKE_NODE, "inputs": {"media": [NODE_ID, slot], "shot_path": target}}
    return prompt
