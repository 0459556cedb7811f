"""The event log contract, held by both logs: SQLite (one server numbers its events) and
PostgreSQL (the database numbers them, for every replica, with a sequence per run)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

from canvas_server.db import connect
from canvas_server.db.event_log import PgEventLog
from canvas_server.events import build_event
from canvas_server.server.bus import EventBus
from canvas_server.server.event_log import EventLog
from canvas_server.server.event_store import EventStore

OpenLog = Callable[[], EventStore]


@pytest.fixture(params=["sqlite", "postgresql"])
def open_log(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OpenLog]:
    opened: list[EventStore] = []
    if request.param == "sqlite":
        def make() -> EventStore:
            opened.append(EventLog(tmp_path / "events.sqlite3"))
            return opened[-1]
    else:
        url = request.getfixturevalue("migrated_url")

        def make() -> EventStore:
            opened.append(PgEventLog(connect(url)))
            return opened[-1]
    yield make
    for log in opened:
        log.close()


def test_published_events_are_numbered_in_order_and_replayed_after_reopening(open_log: OpenLog) -> None:
    bus = EventBus(log=open_log())
    sent = [bus.publish("run_queued", {"status": "queued", "tier": "low"}, run_id=f"r{i % 2}", owner="ana")
            for i in range(5)]
    assert [e.seq for e in sent] == sorted(e.seq for e in sent) and len({e.seq for e in sent}) == 5
    bus.close()
    log = open_log()
    assert log.last_seq() == sent[-1].seq
    replayed = log.after(sent[1].seq)
    assert [(e.seq, e.run_id, e.owner) for e in replayed] == [(e.seq, e.run_id, "ana") for e in sent[2:]]
    assert [e.seq for e in log.recent(2)] == [e.seq for e in sent[-2:]]
    assert log.has_run("r1") and not log.has_run("r9")
    assert EventBus(log=open_log()).publish("run_queued", {"status": "queued", "tier": "low"}).seq > sent[-1].seq


def test_two_replicas_number_events_once_and_each_run_has_its_own_sequence(migrated_url: str) -> None:
    logs = [PgEventLog(connect(migrated_url)) for _ in range(2)]

    def publish(log: PgEventLog, count: int = 50) -> list[int]:
        seqs = []
        for _ in range(count):
            seq = log.next_seq()
            log.append(build_event("run_queued", {"status": "queued", "tier": "low"}, seq=seq, ts=0.0,
                                   run_id="shared-run", project=None, owner="ana"))
            log.flush()
            seqs.append(seq)
        return seqs

    with ThreadPoolExecutor(2) as pool:
        numbered = [seq for seqs in pool.map(publish, logs) for seq in seqs]
    assert len(set(numbered)) == 100
    events = logs[0].of_run("shared-run")
    assert len(events) == 100
    assert logs[1].of_run("shared-run", after_run_seq=98) == events[-2:]
    for log in logs:
        log.close()


def test_events_published_on_a_running_loop_and_from_threads_are_delivered_and_stored_in_number_order(
        migrated_url: str) -> None:
    """Under the loop guard: the loop never asks the database; the log's writer numbers every
    event in the order published and hands it back to be delivered in that order, and stores a
    batch before it numbers the next."""
    log = PgEventLog(connect(migrated_url))
    bus = EventBus(log=log)

    async def scenario() -> tuple[list[int], list[tuple[int, list[int]]]]:
        bus.attach(asyncio.get_running_loop())
        queue = bus.connect("c")
        bus.subscribe("c", runs=["r"])
        stored_when_delivered: list[tuple[int, list[int]]] = []  # (delivered, stored) as each is delivered
        watcher = psycopg.connect(migrated_url, autocommit=True)  # the test's own look, not the log's

        def delivered(_type: str, _project: str | None) -> None:
            rows = watcher.execute("SELECT seq FROM events ORDER BY seq").fetchall()
            stored_when_delivered.append((bus.last_seq, [int(row[0]) for row in rows]))

        bus.listen(delivered)

        def from_a_thread() -> None:
            for _ in range(20):
                bus.publish("node_progress", {"node_id": "1", "progress": 0.5}, run_id="r", owner="ana")

        worker = asyncio.create_task(asyncio.to_thread(from_a_thread))
        for _ in range(20):  # the loop publishes while a thread does
            bus.publish("node_started", {"node_id": "1"}, run_id="r", owner="ana")
            await asyncio.sleep(0)
        await worker
        received = [(await asyncio.wait_for(queue.get(), 10)).seq for _ in range(40)]
        watcher.close()
        return received, stored_when_delivered

    delivered, stored = asyncio.run(scenario())
    assert delivered == sorted(delivered) and len(set(delivered)) == 40
    assert [seq for seq, _ in stored] == delivered
    # Whenever an event is delivered, what is stored is the start of the delivered order (whole
    # batches, committed in that order), and it only grows.
    assert all(seen == delivered[:len(seen)] for _, seen in stored)
    assert [len(seen) for _, seen in stored] == sorted(len(seen) for _, seen in stored)
    assert [event.seq for event in log.after(0)] == delivered
    bus.close()
