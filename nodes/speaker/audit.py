"""Audit lines for playback: who played what, where (DESIGN §8).

The server records every sensitive run at submit; what a speaker node actually played is
only known while it runs (a linked take), so the node appends its own line, in the same
shape, to the same JSON-lines file. One `write` of one short line on an O_APPEND file keeps
concurrent writers' lines whole.
"""

from __future__ import annotations

import json
import time
from typing import Any

from nodes.sdk import RunContext

from .config import state_dir

AUDIT_FILE = "audit.jsonl"
LOCAL_PRINCIPAL = "local"


def record(ctx: RunContext, action: str, **facts: Any) -> None:
    """Append `{ts, principal, run_id, project, nodes: [{node_id, type, action, …facts}]}`."""
    entry = {
        "ts": time.time(), "principal": ctx.principal or LOCAL_PRINCIPAL, "token_id": None,
        "run_id": ctx.run_id, "project": ctx.project,
        "nodes": [{"node_id": ctx.node_id, "type": ctx.type_id, "action": action, **facts}],
    }
    path = state_dir(ctx.workspace_root) / AUDIT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, default=str) + "\n")
