"""The audit log's contract, held by both stores (the workspace's JSON lines, PostgreSQL):
each line kept whole, read back oldest first; a line that cannot be kept refuses the action."""

from __future__ import annotations

from pathlib import Path

import pytest

from canvas_server.db import connect
from canvas_server.db.audit import PgAudit
from canvas_server.db.scratch import free_port
from canvas_server.governance import Principal
from canvas_server.governance.audit import (
    AuditLog,
    AuditStore,
    AuditUnavailableError,
    JsonLinesAudit,
)


@pytest.fixture(params=["jsonl", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> AuditStore:
    if request.param == "jsonl":
        return JsonLinesAudit(tmp_path / "audit.jsonl")
    return PgAudit(connect(request.getfixturevalue("migrated_url")))


def test_audit_lines_read_back_whole_and_in_order(store: AuditStore) -> None:
    log = AuditLog(store)
    log.record_action("ana", "r1", "Film", {"node_id": "3", "type": "speaker.sonos_play", "action": "play",
                                             "facts": {"speaker": "Kitchen", "media": "take01.mp3"}})
    log.record_tool_call(Principal(name="agent", maturity="SUPERVISED", token_id="t1"), "media_trim",
                         {"path": "clip.mp4"}, "r2", None)
    first, second = AuditLog(store).entries()
    assert (first.principal, first.run_id, first.project) == ("ana", "r1", "Film")
    assert first.nodes == [{"speaker": "Kitchen", "media": "take01.mp3", "node_id": "3",
                            "type": "speaker.sonos_play", "action": "play"}]
    assert (second.tool, second.inputs, second.token_id) == ("media_trim", {"path": "clip.mp4"}, "t1")


def test_an_audit_line_the_database_cannot_take_refuses_the_action() -> None:
    nowhere = f"postgresql://nobody@127.0.0.1:{free_port()}/none?connect_timeout=2"  # nothing listens
    with pytest.raises(AuditUnavailableError, match="nothing was done"):
        AuditLog(PgAudit(connect(nowhere))).record_action(
            "ana", "r1", None, {"node_id": "1", "type": "speaker.sonos_play", "action": "play", "facts": {}})
