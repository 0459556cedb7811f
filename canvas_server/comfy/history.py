"""Runs as ComfyUI reports them: queue items, `/history` entries and the payloads of
`execution_error` / `execution_interrupted` (tracebacks without server paths)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nodes.sdk import NodeRegistry

from ..engine.record import ErrorInfo, RunRecord
from ..runs.store import StoredRun
from ..scrub import scrub_text
from .outputs import has_media, ui_output

CLIENT_PREFIX = "comfy:"


def bus_client(client_id: str) -> str:
    """ComfyUI clients have their own client-id namespace on the bus."""
    return f"{CLIENT_PREFIX}{client_id}"


def comfy_client(stored: str | None) -> str | None:
    if stored is None:
        return None
    return stored[len(CLIENT_PREFIX):] if stored.startswith(CLIENT_PREFIX) else stored


def number(run: StoredRun) -> int:
    """ComfyUI's queue number: the submission time in milliseconds (monotonic, survives restarts)."""
    return int(run.created_at * 1000)


def outputs_to_execute(run: StoredRun, registry: NodeRegistry) -> list[str]:
    if run.request.targets:
        return list(run.request.targets)
    return [node_id for node_id, node in run.request.prompt.items()
            if isinstance(node, dict) and (spec := registry.spec(str(node.get("class_type")))) is not None
            and spec.output_node]


def queue_item(run: StoredRun, registry: NodeRegistry) -> list[Any]:
    """`[number, prompt_id, prompt, extra_data, outputs_to_execute]`."""
    extra = {"client_id": comfy_client(run.client_id)} if run.client_id else {}
    return [number(run), run.run_id, run.request.prompt, extra, outputs_to_execute(run, registry)]


def scrub_traceback(text: str, workspace: Path) -> list[str]:
    """Traceback lines with no absolute server path: files keep their name only."""
    return [line + "\n" for line in scrub_text(text, workspace).splitlines()]


def _executed(record: RunRecord) -> list[str]:
    return [node_id for node_id, node in record.nodes.items() if node.status in {"completed", "cached"}]


def _first_failure(record: RunRecord) -> ErrorInfo | None:
    failed = [error for error in record.errors if error.node_id is not None]
    return failed[0] if failed else (record.errors[0] if record.errors else None)


def error_payload(run: StoredRun, workspace: Path) -> dict[str, Any]:
    """`execution_error` data for a failed run."""
    record = run.record
    error = _first_failure(record) if record is not None else None
    node_id = error.node_id if error is not None else None
    details = error.details if error is not None and isinstance(error.details, dict) else {}
    node = record.nodes.get(node_id) if record is not None and node_id else None
    return {
        "prompt_id": run.run_id, "node_id": node_id, "node_type": node.type if node else None,
        "executed": _executed(record) if record is not None else [],
        "exception_message": error.message if error is not None else (run.reason or "the run failed"),
        "exception_type": str(details.get("error_type") or (error.code if error else "RuntimeError")),
        # Run records keep no traceback (the server logs it): the exception line stands for it.
        "traceback": scrub_traceback(str(details.get("traceback") or _exception_line(error, details)), workspace),
        "current_inputs": {}, "current_outputs": {},
        "timestamp": int((run.finished_at or run.created_at) * 1000),
    }


def _exception_line(error: ErrorInfo | None, details: dict[str, Any]) -> str:
    if error is None:
        return ""
    return f"{details.get('error_type') or error.code}: {error.message}\n"


def interrupted_payload(run: StoredRun) -> dict[str, Any]:
    record = run.record
    stopped = [node_id for node_id, node in (record.nodes.items() if record else ()) if node.status == "cancelled"]
    node_id = stopped[0] if stopped else None
    return {
        "prompt_id": run.run_id, "node_id": node_id,
        "node_type": record.nodes[node_id].type if record is not None and node_id else None,
        "executed": _executed(record) if record is not None else [],
        "timestamp": int((run.finished_at or run.created_at) * 1000),
    }


def _shown(record: RunRecord, registry: NodeRegistry) -> dict[str, dict[str, Any]]:
    """Nodes ComfyUI would report in `outputs`: output nodes, and nodes that made media."""
    shown = {}
    for node_id, node in record.nodes.items():
        spec = registry.spec(node.type)
        if node.outputs is not None and ((spec is not None and spec.output_node) or has_media(node.outputs)):
            shown[node_id] = node.outputs
    return shown


def _messages(run: StoredRun, workspace: Path) -> list[list[Any]]:
    record, start = run.record, int((run.started_at or run.created_at) * 1000)
    cached = [node_id for node_id, node in (record.nodes.items() if record else ()) if node.status == "cached"]
    messages: list[list[Any]] = [["execution_start", {"prompt_id": run.run_id, "timestamp": start}],
                                 ["execution_cached", {"nodes": cached, "prompt_id": run.run_id, "timestamp": start}]]
    end = int((run.finished_at or run.created_at) * 1000)
    if run.status == "completed":
        messages.append(["execution_success", {"prompt_id": run.run_id, "timestamp": end}])
    elif run.status == "failed":
        messages.append(["execution_error", error_payload(run, workspace)])
    else:
        messages.append(["execution_interrupted", interrupted_payload(run)])
    return messages


def history_entry(run: StoredRun, registry: NodeRegistry, workspace: Path) -> dict[str, Any]:
    """`/history/{id}`'s value: `{prompt, outputs, status, meta}`."""
    record = run.record
    shown = _shown(record, registry) if record is not None else {}
    return {
        "prompt": queue_item(run, registry),
        "outputs": {node_id: ui_output(workspace, outputs) for node_id, outputs in shown.items()},
        "status": {"status_str": "success" if run.status == "completed" else "error",
                   "completed": run.status == "completed", "messages": _messages(run, workspace)},
        "meta": {node_id: {"node_id": node_id, "display_node": node_id, "parent_node": None,
                           "real_node_id": node_id} for node_id in shown},
    }
