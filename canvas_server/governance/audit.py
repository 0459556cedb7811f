"""The audit log (docs/architecture.md §8): who ran which sensitive node, on which paths (one line
per run, at submit), and what a node reported doing while it ran (`node_audit` events: who
played which take on which speaker), each line written whole by one append. Kept as JSON lines
in the workspace (`JsonLinesAudit`), or in PostgreSQL for replicas (`canvas_server.db.PgAudit`)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel

from canvas_server.graph.prompt import ApiPrompt
from nodes.sdk import AuteurError, NodeRegistry, NodeSpec, maturity_rank

from .principal import Principal

# Nodes at or above this maturity edit files or reach devices: their use is audited.
SENSITIVE_FROM = "SUPERVISED"
AUDIT_FILE = "audit.jsonl"


class AuditUnavailableError(AuteurError):
    """The audit log cannot take a line: a sensitive action is refused rather than unrecorded."""

    code = "audit_unavailable"


class AuditEntry(BaseModel):
    ts: float
    principal: str
    token_id: str | None
    run_id: str | None
    project: str | None
    nodes: list[dict[str, Any]]
    # An agent's tool call (MCP, LangChain, one-node REST): the tool and the inputs it was given.
    tool: str | None = None
    inputs: dict[str, Any] | None = None


def _paths_in(inputs: dict[str, Any], spec: NodeSpec) -> list[str]:
    """The constants of the node's path inputs (widget kind `path`); linked media arrive
    as MediaRefs produced inside the workspace, so they are not user-chosen paths."""
    path_inputs = {item.name for item in spec.inputs if item.widget == "path"}
    return [value for name, value in inputs.items() if name in path_inputs and isinstance(value, str)]


def sensitive_nodes(prompt: ApiPrompt, registry: NodeRegistry) -> list[dict[str, Any]]:
    found = []
    for node_id, node in prompt.nodes().items():
        spec = registry.spec(node.class_type)
        if spec is not None and maturity_rank(spec.maturity) >= maturity_rank(SENSITIVE_FROM):
            found.append({
                "node_id": node_id, "type": spec.type, "maturity": spec.maturity,
                "paths": _paths_in(node.inputs, spec),
            })
    return found


class AuditStore(Protocol):
    """Where audit lines are kept: appended whole, read back oldest first. An append that
    cannot be kept raises AuditUnavailableError (what is not audited does not run)."""

    def append(self, entry: AuditEntry) -> None: ...
    def entries(self) -> list[AuditEntry]: ...


class JsonLinesAudit:
    """The workspace's audit log file (`.auteur/audit.jsonl`)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, entry: AuditEntry) -> None:
        # One write of one line on an O_APPEND file: concurrent writers' lines stay whole.
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(entry.model_dump_json() + "\n")
        except OSError as exc:  # read-only or full state folder: what is not audited does not run
            raise AuditUnavailableError(
                f"the audit log cannot be written ({exc.strerror or type(exc).__name__}); nothing was done",
            ) from exc

    def entries(self) -> list[AuditEntry]:
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return [AuditEntry.model_validate(json.loads(line)) for line in lines if line.strip()]


class AuditLog:
    """Appends one line per run that contains a sensitive node, and one per node action, to
    its store (a path: that JSON-lines file)."""

    def __init__(self, store: AuditStore | Path) -> None:
        self.store: AuditStore = JsonLinesAudit(store) if isinstance(store, Path) else store

    @classmethod
    def in_state_dir(cls, state_dir: Path) -> AuditLog:
        """The workspace's audit log (`.auteur/audit.jsonl`), for the server and the CLI alike."""
        return cls(state_dir / AUDIT_FILE)

    def record_run(
        self,
        principal: Principal,
        run_id: str,
        prompt: ApiPrompt,
        registry: NodeRegistry,
        project: str | None = None,
    ) -> AuditEntry | None:
        nodes = sensitive_nodes(prompt, registry)
        if not nodes:
            return None
        entry = AuditEntry(
            ts=time.time(), principal=principal.name, token_id=principal.token_id,
            run_id=run_id, project=project, nodes=nodes,
        )
        self._append(entry)
        return entry

    def record_action(self, principal: str, run_id: str, project: str | None,
                      event_data: dict[str, Any]) -> AuditEntry:
        """One `node_audit` event's line: `nodes` holds the node, its type, the action and
        the facts it reported (`{node_id, type, action, media, speaker, …}`)."""
        facts = event_data.get("facts") or {}
        node = {**facts, "node_id": event_data.get("node_id"), "type": event_data.get("type"),
                "action": event_data.get("action")}  # a fact never passes for the node
        if event_data.get("item") is not None:
            node["item"] = event_data["item"]
        entry = AuditEntry(ts=time.time(), principal=principal, token_id=None, run_id=run_id,
                           project=project, nodes=[node])
        self._append(entry)
        return entry

    def record_tool_call(self, principal: Principal, tool: str, inputs: dict[str, Any], run_id: str | None,
                         project: str | None) -> AuditEntry:
        """One line per agent tool call, whether it ran, was refused or failed."""
        entry = AuditEntry(ts=time.time(), principal=principal.name, token_id=principal.token_id, run_id=run_id,
                           project=project, nodes=[], tool=tool, inputs=inputs)
        self._append(entry)
        return entry

    def _append(self, entry: AuditEntry) -> None:
        self.store.append(entry)

    def entries(self) -> list[AuditEntry]:
        return self.store.entries()
