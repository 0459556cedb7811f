"""A node's audit report: `ctx.audit` emits a typed `node_audit` event, and the audit log
writes it as one whole line with the run's principal (the node never touches the log)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from canvas_server.events import NodeAudit, build_event
from canvas_server.governance import AuditLog
from nodes.sdk import EventType, ModelCache, PathSandbox, RunContext


def _context(tmp_path: Path, emitted: list[tuple[str, dict[str, Any]]]) -> RunContext:
    return RunContext(
        run_id="r1", node_id="3", type_id="speaker.sonos_play", tier="standard", tier_params={},
        workspace_root=tmp_path, sandbox=PathSandbox([tmp_path]), scratch_dir=tmp_path / "scratch",
        models=ModelCache(), emit=lambda event_type, data: emitted.append((event_type, data)),
    )


def test_ctx_audit_emits_a_node_audit_event_with_the_node_type_action_and_facts(tmp_path: Path) -> None:
    emitted: list[tuple[str, dict[str, Any]]] = []
    _context(tmp_path, emitted).audit("play", media="takes/a.wav", speaker="Studio")
    assert emitted == [(EventType.NODE_AUDIT, {"type": "speaker.sonos_play", "action": "play",
                                               "facts": {"media": "takes/a.wav", "speaker": "Studio"}})]


def test_the_event_is_typed_not_wrapped_as_a_node_event() -> None:
    event = build_event(EventType.NODE_AUDIT, {"node_id": "3", "type": "speaker.sonos_play", "action": "play",
                                                "facts": {"speaker": "Studio"}}, seq=1, ts=0.0, run_id="r1")
    assert isinstance(event, NodeAudit)
    assert event.data.action == "play" and event.data.facts == {"speaker": "Studio"}


def test_record_action_writes_one_line_and_a_fact_never_passes_for_the_node(tmp_path: Path) -> None:
    log = AuditLog.in_state_dir(tmp_path / ".auteur")
    log.record_action("alice", "r1", "Film", {"node_id": "3", "item": 2, "type": "speaker.sonos_play",
                                              "action": "play", "facts": {"node_id": "forged", "media": "a.wav"}})
    lines = (tmp_path / ".auteur" / "audit.jsonl").read_text().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert (entry["principal"], entry["run_id"], entry["project"]) == ("alice", "r1", "Film")
    assert entry["nodes"] == [{"node_id": "3", "item": 2, "type": "speaker.sonos_play", "action": "play",
                               "media": "a.wav"}]
    assert [e.run_id for e in log.entries()] == ["r1"]
