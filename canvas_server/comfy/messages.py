"""Our typed events → ComfyUI's WebSocket messages, for one client connection.

run_started → `execution_start`; the nodes cached before any node starts (the executor
settles them first, one `node_cached` each) → one `execution_cached` listing them all, as
ComfyUI sends right after `execution_start`, followed by their `progress_state` / `executed`
(ComfyUI replays cached UI outputs); a node cached later (after one ran) → its own
`execution_cached`; node_started → `executing`; node_progress →
`progress`; node_completed → `executed` (output nodes and nodes that made media); every node
change → `progress_state`; run end → `execution_success` / `execution_error` /
`execution_interrupted`, then `executing` with `node: null`.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from nodes.sdk import RUN_ENDED, EventType, NodeRegistry

from ..events import Event
from ..runs.manager import RunManager
from ..runs.store import StoredRun
from .history import error_payload, interrupted_payload
from .outputs import has_media, ui_output

Message = dict[str, Any]


def message(type_: str, **data: Any) -> Message:
    return {"type": type_, "data": data}


def _now() -> int:
    return int(time.time() * 1000)


class Translator:
    """Keeps, per run, the node types and ComfyUI's `progress_state` of each node."""

    def __init__(self, runs: RunManager, registry: NodeRegistry, workspace: Path) -> None:
        self.runs, self.registry, self.workspace = runs, registry, workspace
        self._types: dict[str, dict[str, str]] = {}
        self._states: dict[str, dict[str, dict[str, Any]]] = {}
        # run → (cached node ids, their held messages) until the first other event of the run
        self._cached: dict[str, tuple[list[str], list[Message]]] = {}
        self._ending: dict[str, StoredRun] = {}  # a run that did not complete, read for its last messages

    async def translate(self, event: Event) -> list[Message]:
        """ComfyUI's messages for one event; what they need of the stored run is read first
        (off the event loop for a shared store: `RunManager.read`)."""
        run_id = event.run_id
        if run_id is None:
            return []
        if event.type in (EventType.NODE_CACHED, EventType.NODE_COMPLETED) and run_id not in self._types:
            prompt = (await self.runs.read(run_id)).request.prompt
            self._types[run_id] = {key: str(node.get("class_type", "")) for key, node in prompt.items()
                                   if isinstance(node, dict)}
        if event.type in RUN_ENDED and event.data.model_dump().get("status") != "completed":
            self._ending[run_id] = await self.runs.read(run_id)
        return self._translate(run_id, event)

    def _translate(self, run_id: str, event: Event) -> list[Message]:
        data = event.data.model_dump()
        node_id = str(data.get("node_id", ""))
        batch = self._cached.get(run_id)
        if batch is not None and event.type == EventType.NODE_CACHED:
            batch[0].append(node_id)
            batch[1].extend(self._node_done(run_id, node_id, data))
            return []
        handler = _HANDLERS.get(event.type)
        if handler is None:
            return []
        return self._flush(run_id) + handler(self, run_id, node_id, data)

    def _flush(self, run_id: str) -> list[Message]:
        """The run's batch of cached nodes as one `execution_cached`, then their messages."""
        batch = self._cached.pop(run_id, None)
        if batch is None:
            return []
        nodes, held = batch
        return [message("execution_cached", nodes=nodes, prompt_id=run_id, timestamp=_now()), *held]

    # ---- per event type -------------------------------------------------------------

    def _started(self, run_id: str, node_id: str, data: dict[str, Any]) -> list[Message]:
        self._states[run_id] = {}
        self._cached[run_id] = ([], [])
        return [message("execution_start", prompt_id=run_id, timestamp=_now())]

    def _node_started(self, run_id: str, node_id: str, data: dict[str, Any]) -> list[Message]:
        return [message("executing", node=node_id, display_node=node_id, prompt_id=run_id),
                self._progress_state(run_id, node_id, "running", 0, 1)]

    def _node_progress(self, run_id: str, node_id: str, data: dict[str, Any]) -> list[Message]:
        value = round(float(data.get("progress", 0.0)) * 100)
        return [message("progress", value=value, max=100, prompt_id=run_id, node=node_id),
                self._progress_state(run_id, node_id, "running", value, 100)]

    def _node_cached(self, run_id: str, node_id: str, data: dict[str, Any]) -> list[Message]:
        messages = [message("execution_cached", nodes=[node_id], prompt_id=run_id, timestamp=_now())]
        return messages + self._node_done(run_id, node_id, data)

    def _node_done(self, run_id: str, node_id: str, data: dict[str, Any]) -> list[Message]:
        messages = [self._progress_state(run_id, node_id, "finished", 1, 1)]
        outputs = data.get("outputs") or {}
        spec = self.registry.spec(self._type(run_id, node_id))
        if (spec is not None and spec.output_node) or has_media(outputs):
            messages.append(message("executed", node=node_id, display_node=node_id,
                                    output=ui_output(self.workspace, outputs), prompt_id=run_id))
        return messages

    def _ended(self, run_id: str, node_id: str, data: dict[str, Any]) -> list[Message]:
        self._types.pop(run_id, None)
        self._states.pop(run_id, None)
        self._cached.pop(run_id, None)
        status = data.get("status")
        if status == "completed":
            first = message("execution_success", prompt_id=run_id, timestamp=_now())
        else:
            run = self._ending.pop(run_id)
            first = (message("execution_error", **error_payload(run, self.workspace)) if run.status == "failed"
                     else message("execution_interrupted", **interrupted_payload(run)))
        return [first, message("executing", node=None, display_node=None, prompt_id=run_id)]

    # ---- helpers --------------------------------------------------------------------

    def _type(self, run_id: str, node_id: str) -> str:
        return self._types.get(run_id, {}).get(node_id, "")

    def _progress_state(self, run_id: str, node_id: str, state: str, value: float, maximum: float) -> Message:
        nodes = self._states.setdefault(run_id, {})
        nodes[node_id] = {"value": value, "max": maximum, "state": state, "node_id": node_id,
                          "prompt_id": run_id, "display_node_id": node_id, "parent_node_id": None,
                          "real_node_id": node_id}
        return message("progress_state", prompt_id=run_id, nodes=dict(nodes))


_HANDLERS = {
    EventType.RUN_STARTED: Translator._started,
    EventType.NODE_STARTED: Translator._node_started,
    EventType.NODE_PROGRESS: Translator._node_progress,
    EventType.NODE_CACHED: Translator._node_cached,
    EventType.NODE_COMPLETED: Translator._node_done,
    **{end: Translator._ended for end in RUN_ENDED},
}
