"""Human review (docs/architecture.md §12): how a person's decision changes a waiting run.

A decision never edits a record: it changes the run's prompt and queues the run again. Approve,
edit and reject set the Review node's `decision` input (naming the digest of the content decided
on); a request for changes sets the `feedback` input of the node that produced the content — the
agent re-runs with every note of the thread so far — and the Review node looks at its new answer.
Unchanged upstream nodes come from the cache, so only what the decision touches runs again.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from nodes.sdk import (
    AuteurError,
    NodeRegistry,
    ReviewAction,
    ReviewDecision,
    ReviewWait,
    atomic_write_text,
    layout,
)

from ..engine.record import RunRecord
from .store import ReviewDecisionRow

FEEDBACK_INPUT = "feedback"  # the input of an agent node that takes a reviewer's notes
AGENT_CATEGORY = "Agents"  # a node whose category has this segment is an agent (the jobs list)
REVIEW_NODE = "production.review"


class ReviewNotWaitingError(AuteurError):
    code = "conflict"


class ReviewDecisionError(AuteurError):
    code = "review_decision_invalid"


def agent_types(prompt: dict[str, Any], registry: NodeRegistry) -> list[str]:
    """The agent node types (and Review nodes) of a prompt: what makes a run an agent job."""
    found: set[str] = set()
    for node in prompt.values():
        kind = node.get("class_type") if isinstance(node, dict) else None
        spec = registry.spec(kind) if isinstance(kind, str) else None
        if spec is not None and (kind == REVIEW_NODE or AGENT_CATEGORY in spec.category.split("/")):
            found.add(spec.type)
    return sorted(found)


def waiting_node(record: RunRecord | None, node_id: str | None) -> tuple[str, ReviewWait]:
    """The node a decision is about: the one named, or the only one waiting."""
    waits = record.reviews if record is not None else {}
    if node_id is None and len(waits) == 1:
        node_id = next(iter(waits))
    if node_id is None or node_id not in waits:
        raise ReviewNotWaitingError(
            "name the waiting node (node_id)" if node_id is None and waits else f"node {node_id} is not waiting for review",
            details={"waiting": sorted(waits)})
    return node_id, waits[node_id]


def decided_prompt(prompt: dict[str, Any], registry: NodeRegistry, node_id: str, wait: ReviewWait,
                   action: ReviewAction, *, content: str | None, note: str | None,
                   thread: list[ReviewDecisionRow]) -> dict[str, Any]:
    """The run's prompt with the decision applied (see the module's docstring)."""
    changed = copy.deepcopy(prompt)
    review_inputs = changed[node_id].setdefault("inputs", {})
    if action == "edit" and content is None:
        raise ReviewDecisionError("an edit needs the edited content", details={"field": "content"})
    if action != "request_changes":
        decision = ReviewDecision(action=action, digest=wait.digest, content=content, note=note)
        review_inputs["decision"] = decision.model_dump_json(exclude_none=True)
        return changed
    if not (note or "").strip():
        raise ReviewDecisionError("a request for changes needs a note saying what to change",
                                  details={"field": "note"})
    producer = wait.feedback_node
    kind = changed.get(producer, {}).get("class_type") if producer else None
    spec = registry.spec(kind) if isinstance(kind, str) else None
    if spec is None or FEEDBACK_INPUT not in {item.name for item in spec.inputs}:
        raise ReviewNotWaitingError(
            f"the content comes from {kind or 'no node'}, which takes no feedback; edit it instead",
            details={"node_id": producer, "type": kind})
    notes = [row.note for row in thread if row.node_id == node_id and row.action == "request_changes" and row.note]
    changed[str(producer)].setdefault("inputs", {})[FEEDBACK_INPUT] = "\n".join([*notes, str(note)])
    review_inputs.pop("decision", None)
    return changed


def write_thread(project_root: Path, run_id: str, thread: list[ReviewDecisionRow]) -> Path:
    """Keep a run's review thread in its project (versioned with it), replaced whole."""
    path = project_root / layout.REVIEW_THREADS_DIR / f"{run_id}{layout.REVIEW_THREAD_SUFFIX}"
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"run_id": run_id, "decisions": [row.model_dump() for row in thread]}
    atomic_write_text(path, json.dumps(body, indent=2, ensure_ascii=False) + "\n")
    return path
