"""The initial schema: the run queue and history (SQLite run store v5), the event log with
per-run sequences (SQLite event log v3), and the replicas' leases."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def _text(name: str, *, primary_key: bool = False, nullable: bool = True) -> sa.Column[str]:
    return sa.Column(name, sa.Text, primary_key=primary_key, nullable=nullable)


def upgrade() -> None:
    for name in ("runs_order_seq", "principal_turns_seq", "events_seq"):
        op.execute(sa.schema.CreateSequence(sa.Sequence(name)))
    op.create_table(
        "runs",
        _text("run_id", primary_key=True), _text("status", nullable=False), _text("tier", nullable=False),
        _text("project"), _text("client_id"), _text("principal", nullable=False),
        _text("request", nullable=False), _text("record"), _text("summary"), _text("reason"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.Double, nullable=False),
        sa.Column("started_at", sa.Double), sa.Column("finished_at", sa.Double),
        sa.Column("priority", sa.Integer, nullable=False, server_default="0"),
        sa.Column("queue_pos", sa.Double), _text("batch_id"), _text("retry_of"),
        sa.Column("ord", sa.BigInteger, nullable=False, server_default=sa.text("nextval('runs_order_seq')")),
        _text("lease_owner"), sa.Column("lease_expires", sa.Double), _text("cancel_reason"),
        sa.Column("stored_bytes", sa.BigInteger, nullable=False, server_default="0"),
    )
    op.create_index("runs_status", "runs", ["status", "created_at"])
    op.create_index("runs_created", "runs", ["created_at"])
    op.create_index("runs_batch", "runs", ["batch_id"])
    op.create_table("retired_runs", _text("run_id", primary_key=True), _text("principal"),
                    sa.Column("retired_at", sa.Double))
    op.create_table("run_outputs", _text("output_key", primary_key=True), _text("run_id", primary_key=True))
    op.create_table("queue_state", _text("key", primary_key=True), _text("value", nullable=False))
    op.create_table("principal_turns", _text("principal", primary_key=True),
                    sa.Column("served", sa.BigInteger, nullable=False))
    op.create_table(
        "events",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        _text("type", nullable=False), sa.Column("ts", sa.Double, nullable=False), _text("run_id"),
        sa.Column("run_seq", sa.Integer), _text("project"), _text("data", nullable=False), _text("owner"),
        sa.UniqueConstraint("run_id", "run_seq", name="events_run_seq"),
    )
    op.create_index("events_run", "events", ["run_id"])
    op.create_table("run_event_counters", _text("run_id", primary_key=True),
                    sa.Column("last", sa.Integer, nullable=False))
    op.create_table(
        "replicas",
        _text("replica_id", primary_key=True), _text("address", nullable=False),
        sa.Column("started_at", sa.Double, nullable=False), sa.Column("heartbeat_at", sa.Double, nullable=False),
    )
