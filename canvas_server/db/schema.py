"""The PostgreSQL schema, as SQLAlchemy Core tables (queries are built from these; the
migrations in `migrations/versions` create them and must match: a test compares them)."""

from __future__ import annotations

from sqlalchemy import (
                        BigInteger,
    CheckConstraint,
                        Column,
                        Double,
    Identity,
                        Index,
                        Integer,
                        MetaData,
                        Sequence,
                        Table,
                        Text,
                        UniqueConstraint,
)

metadata = MetaData()

# A global order for runs created in the same instant (SQLite's rowid plays this part).
runs_order = Sequence("runs_order_seq", metadata=metadata)
# Round-robin turns handed out by any replica (SQLite used MAX(served) + 1 in one writer).
turns = Sequence("principal_turns_seq", metadata=metadata)
# The events' global numbers, taken by whichever replica publishes (`last_seq` replay).
event_numbers = Sequence("events_seq", metadata=metadata)

runs = Table(
    "runs", metadata,
    Column("run_id", Text, primary_key=True),
    Column("status", Text, nullable=False),
    Column("tier", Text, nullable=False),
    Column("project", Text),
    Column("client_id", Text),
    Column("principal", Text, nullable=False),
    Column("request", Text, nullable=False),
    Column("record", Text),
    Column("summary", Text),
    Column("reason", Text),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("created_at", Double, nullable=False),
    Column("started_at", Double),
    Column("finished_at", Double),
    Column("priority", Integer, nullable=False, server_default="0"),
    Column("queue_pos", Double),
    Column("batch_id", Text),
    Column("retry_of", Text),
    Column("ord", BigInteger, runs_order, server_default=runs_order.next_value(), nullable=False),
    # The replica executing the run and until when its lease holds (renewed by its heartbeat);
    # a run whose lease ran out belongs to a dead replica and is queued again by another.
    Column("lease_owner", Text),
    Column("lease_expires", Double),
    # A cancellation asked of a replica that does not execute the run (its executor sees it).
    Column("cancel_reason", Text),
    # Bytes of request + record, summed per principal for its storage quota.
    Column("stored_bytes", BigInteger, nullable=False, server_default="0"),
    # Human review (0002): the agent node types the run holds (`,a,b,`) and its review state.
    Column("agents", Text),
    Column("review_state", Text),
    Index("runs_status", "status", "created_at"),
    Index("runs_created", "created_at"),
    Index("runs_batch", "batch_id"),
)
# Every decision a person made about a run's waiting nodes (its review thread).
review_decisions = Table(
    "review_decisions", metadata,
    Column("run_id", Text, nullable=False), Column("node_id", Text, nullable=False),
    Column("action", Text, nullable=False), Column("note", Text), Column("content", Text),
    Column("principal", Text, nullable=False), Column("decided_at", Double, nullable=False),
    Column("ord", BigInteger, primary_key=True, autoincrement=True),
    Index("review_decisions_run", "run_id"),
)
retired_runs = Table(
    "retired_runs", metadata,
    Column("run_id", Text, primary_key=True), Column("principal", Text), Column("retired_at", Double),
)
run_outputs = Table(
    "run_outputs", metadata,
    Column("output_key", Text, primary_key=True), Column("run_id", Text, primary_key=True),
)
queue_state = Table(
    "queue_state", metadata,
    Column("key", Text, primary_key=True), Column("value", Text, nullable=False),
)
principal_turns = Table(
    "principal_turns", metadata,
    Column("principal", Text, primary_key=True), Column("served", BigInteger, nullable=False),
)
events = Table(
    "events", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("type", Text, nullable=False),
    Column("ts", Double, nullable=False),
    Column("run_id", Text),
    # The run's own sequence (1, 2, …): one numbering whichever replica published the event.
    Column("run_seq", Integer),
    Column("project", Text),
    Column("data", Text, nullable=False),
    Column("owner", Text),
    Index("events_run", "run_id"),
    UniqueConstraint("run_id", "run_seq", name="events_run_seq"),
)
run_event_counters = Table(
    "run_event_counters", metadata,
    Column("run_id", Text, primary_key=True), Column("last", Integer, nullable=False),
)
audit = Table(
    "audit", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("ts", Double, nullable=False),
    Column("principal", Text, nullable=False),
    Column("run_id", Text),
    Column("entry", Text, nullable=False),  # the whole AuditEntry as JSON
    Index("audit_run", "run_id"),
)
# The API tokens: tokens.json's document, one row, versioned (optimistic writes).
token_document = Table(
    "token_document", metadata,
    Column("id", Integer, primary_key=True),
    Column("doc", Text, nullable=False),
    Column("version", BigInteger, nullable=False),
    CheckConstraint("id = 1", name="token_document_one_row"),
)
# The result cache's index (function_runners.database.PgCacheIndex): outputs by cache key.
results = Table(
    "results", metadata,
    Column("key", Text, primary_key=True),
    Column("outputs", Text, nullable=False),
)
replicas = Table(
    "replicas", metadata,
    Column("replica_id", Text, primary_key=True),
    Column("address", Text, nullable=False),
    Column("started_at", Double, nullable=False),
    Column("heartbeat_at", Double, nullable=False),
)
# The workspace's templates (server.template_store.TemplateRecords): the document as JSON and
# the principal who first saved it.
templates = Table(
    "templates", metadata,
    Column("id", Text, primary_key=True),
    Column("doc", Text, nullable=False),
    Column("author", Text),
    Column("saved_at", Double, nullable=False),
)
# Each principal's ComfyUI settings (comfy.userdata.UserSettings), one JSON object.
user_settings = Table(
    "user_settings", metadata,
    Column("principal", Text, primary_key=True),
    Column("doc", Text, nullable=False),
)
