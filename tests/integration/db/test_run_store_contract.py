"""The run store contract, held by both stores: SQLite (one server) and PostgreSQL (shared by
replicas). Each test opens stores through `open_store`, as a server starting would."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from canvas_server.db import connect
from canvas_server.db.run_store import PgRunStore
from canvas_server.engine.record import NodeRecord, RunRecord
from canvas_server.runs.storage import LEASE_LOST, RunStorage
from canvas_server.runs.store import RunRequest, RunStore, StoredRun

OpenStore = Callable[[], RunStorage]
LEASE_S = 0.3
_clock = itertools.count(1)


@pytest.fixture(params=["sqlite", "postgresql"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OpenStore]:
    opened: list[RunStorage] = []
    if request.param == "sqlite":
        def make() -> RunStorage:
            opened.append(RunStore(tmp_path / "runs.sqlite3"))
            return opened[-1]
    else:
        url = request.getfixturevalue("migrated_url")
        replicas = itertools.count(1)

        def make() -> RunStorage:
            opened.append(PgRunStore(connect(url), replica=f"replica-{next(replicas)}", lease_s=LEASE_S))
            return opened[-1]
    yield make
    for store in opened:
        store.close()


def queue(store: RunStorage, principal: str, count: int = 1, priority: int = 0, **fields: str) -> list[str]:
    ids = []
    for _ in range(count):
        run_id = f"{principal}-{next(_clock)}"
        store.add(StoredRun(run_id=run_id, status="queued", tier="low", principal=principal, priority=priority,
                            request=RunRequest(prompt={"1": {"class_type": "core.integer", "inputs": {}}}),
                            created_at=float(next(_clock)), **fields))
        ids.append(run_id)
    return ids


def claimed(store: RunStorage, count: int) -> list[str]:
    runs = [store.claim_next() for _ in range(count)]
    return [run.run_id for run in runs if run is not None]


def finished(run_id: str, cache_key: str) -> RunRecord:
    return RunRecord(run_id=run_id, status="completed", created_at=1.0, started_at=2.0, finished_at=3.0,
                     nodes={"1": NodeRecord(type="core.integer", status="completed", outputs={"value": 5},
                                            cache_key=cache_key)})


def test_a_run_added_reads_back_whole_and_lists_newest_first_with_filters(open_store: OpenStore) -> None:
    store = open_store()
    first, second = queue(store, "ana", 2, client_id="tab-1")
    [other] = queue(store, "cy", batch_id="b1")
    run = store.get(first)
    assert run is not None and run.principal == "ana" and run.client_id == "tab-1"
    assert run.request.prompt["1"]["class_type"] == "core.integer" and run.record is None
    assert [s.run_id for s in store.summaries().items] == [other, second, first]
    assert [s.run_id for s in store.summaries(principal="ana", limit=1, offset=1).items] == [first]
    assert store.summaries(principal="ana").total == 2
    assert [s.run_id for s in store.summaries(batch_id="b1").items] == [other]
    assert [r.run_id for r in store.page(status="queued", limit=2).items] == [other, second]
    assert store.get("nobody") is None
    assert store.client_runs()[-1] == ("tab-1", first, "ana")
    assert store.queued_count() == 3 and store.counts() == {"queued": 3}


def test_one_run_queued_behind_fifty_of_another_principal_starts_within_two_claims(open_store: OpenStore) -> None:
    store = open_store()
    many = queue(store, "olga", 50)
    assert claimed(store, 3) == many[:3]
    [lone] = queue(store, "cy")
    assert claimed(store, 2) == [lone, many[3]]
    more = queue(store, "cy", 2)
    assert claimed(store, 4) == [more[0], many[4], more[1], many[5]]
    assert store.usage("olga")[0] == 50 and store.usage("olga")[1] > 0


def test_a_line_runs_by_priority_then_place_and_moves_change_the_order(open_store: OpenStore) -> None:
    store = open_store()
    a, b, c = queue(store, "cy", 3)
    [urgent] = queue(store, "cy", priority=5)
    assert [run_id for run_id, _, _ in store.line_of(a)] == [urgent, a, b, c]
    line = store.line_of(c)
    store.place(c, line[0][1], line[0][2] - 1)
    assert [[s.run_id for s in line] for line in store.queued_lines()] == [[c, urgent, a, b]]
    assert claimed(store, 5) == [c, urgent, a, b]


def test_the_paused_flag_survives_reopening_the_store(open_store: OpenStore) -> None:
    store = open_store()
    assert not store.paused()
    store.set_paused(True)
    assert open_store().paused()
    store.set_paused(False)
    assert not open_store().paused()


def test_a_finished_run_keeps_its_record_summary_and_the_outputs_it_made(open_store: OpenStore) -> None:
    store = open_store()
    [run_id] = queue(store, "ana")
    assert claimed(store, 1) == [run_id]
    before = store.usage("ana")[1]
    store.finish(run_id, finished(run_id, "key-1"))
    run = store.get(run_id)
    assert run is not None and run.status == "completed" and run.record is not None
    assert run.record.nodes["1"].outputs == {"value": 5}
    [summary] = store.summaries(status="completed").items
    assert summary.nodes == {"completed": 1}
    assert [p.run_id for p in store.producers("key-1")] == [run_id] and store.producers("key-2") == []
    assert store.usage("ana") == (0, store.usage("ana")[1]) and store.usage("ana")[1] > before


def test_a_deleted_run_is_gone_but_its_id_is_never_given_again(open_store: OpenStore) -> None:
    store = open_store()
    [run_id] = queue(store, "ana")
    store.set_status(run_id, "cancelled", "no longer wanted")
    cancelled = store.get(run_id)
    assert cancelled is not None and cancelled.reason == "no longer wanted" and cancelled.finished_at
    assert store.delete(run_id) and not store.delete(run_id)
    assert store.get(run_id) is None and store.ever_used(run_id) and not store.ever_used("never")


def test_a_run_left_running_by_a_server_that_died_is_resumed_then_interrupted(open_store: OpenStore) -> None:
    first = open_store()
    [run_id] = queue(first, "ana")
    assert claimed(first, 1) == [run_id]
    time.sleep(LEASE_S * 1.5)  # the server is gone: it renews nothing (a shared store's lease runs out)
    second = open_store()
    assert second.recover(max_attempts=2) == ([run_id], [])
    assert claimed(second, 1) == [run_id]  # second attempt
    time.sleep(LEASE_S * 1.5)
    assert open_store().recover(max_attempts=2) == ([], [run_id])
    run = second.get(run_id)
    assert run is not None and run.status == "interrupted" and run.attempts == 2


def test_a_store_without_leases_renews_and_reclaims_nothing(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.sqlite3")
    [run_id] = queue(store, "ana")
    assert claimed(store, 1) == [run_id]
    assert not store.shared
    assert store.renew({run_id: finished(run_id, "k")}) == {} and store.reclaim(2) == ([], [])
    assert not store.request_cancel(run_id, "stop")


# ---- PostgreSQL only: several replicas on one store -----------------------------------


def pg_store(url: str, replica: str, lease_s: float = LEASE_S) -> PgRunStore:
    return PgRunStore(connect(url), replica=replica, lease_s=lease_s)


def test_replicas_claiming_at_once_take_every_run_exactly_once(migrated_url: str) -> None:
    replicas = [pg_store(migrated_url, f"r{i}", lease_s=60) for i in range(4)]
    ids = set(queue(replicas[0], "ana", 100) + queue(replicas[1], "cy", 100))

    def drain(store: PgRunStore) -> list[str]:
        taken = []
        while (run := store.claim_next()) is not None:
            taken.append(run.run_id)
        return taken

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(drain, replicas * 2))
    taken = [run_id for result in results for run_id in result]
    assert sorted(taken) == sorted(ids)  # none lost, none twice
    assert replicas[0].counts() == {"running": 200}
    for store in replicas:
        store.close()


def test_a_live_replica_keeps_its_runs_and_a_dead_ones_runs_are_taken_over(migrated_url: str) -> None:
    alive, dead, other = (pg_store(migrated_url, name) for name in ("alive", "dead", "other"))
    [kept] = queue(alive, "ana")
    [lost] = queue(alive, "cy")
    assert alive.claim_next() is not None and dead.claim_next() is not None
    for _ in range(3):
        time.sleep(LEASE_S / 2)
        assert alive.renew({kept: finished(kept, "k")}) == {}  # renewed in time
        other.reclaim(max_attempts=3)
    run = other.get(lost)
    assert run is not None and run.status == "queued"
    assert other.claim_next() is not None
    assert dead.renew({lost: finished(lost, "k")}) == {lost: LEASE_LOST}  # the late one learns it lost the run
    kept_run = other.get(kept)
    assert kept_run is not None and kept_run.status == "running"
    assert kept_run.record is not None and kept_run.record.nodes["1"].outputs == {"value": 5}  # its progress


def test_a_replica_whose_lease_ran_out_cannot_record_the_end_of_the_run_another_took_over(
        migrated_url: str) -> None:
    slow, other = pg_store(migrated_url, "slow"), pg_store(migrated_url, "other")
    [run_id] = queue(slow, "ana")
    assert slow.claim_next() is not None
    time.sleep(LEASE_S * 1.5)  # paused past its lease
    assert other.reclaim(max_attempts=3) == ([run_id], []) and other.claim_next() is not None
    slow.finish(run_id, finished(run_id, "late-key"))  # the late result is not the run's
    slow.set_status(run_id, "queued")
    run = other.get(run_id)
    assert run is not None and (run.status, run.attempts, run.record) == ("running", 2, None)
    assert other.producers("late-key") == []
    other.finish(run_id, finished(run_id, "key"))
    done = other.get(run_id)
    assert done is not None and done.status == "completed"


def test_a_cancellation_asked_on_one_replica_reaches_the_one_running_the_run(migrated_url: str) -> None:
    runner, asker = pg_store(migrated_url, "runner"), pg_store(migrated_url, "asker")
    [run_id] = queue(asker, "ana")
    assert not asker.request_cancel(run_id, "stop")  # queued: cancelled directly, not asked
    assert runner.claim_next() is not None
    assert asker.request_cancel(run_id, "cancelled by user")
    assert runner.renew({run_id: finished(run_id, "k")}) == {run_id: "cancelled by user"}


def test_a_run_waiting_for_review_is_listed_as_an_agent_job_and_a_decision_queues_it_with_its_thread(
        open_store: OpenStore) -> None:
    from canvas_server.runs.store import ReviewDecisionRow
    from nodes.sdk import ReviewWait

    store = open_store()
    request = RunRequest(prompt={"1": {"class_type": "test.draft", "inputs": {}}})
    store.add(StoredRun(run_id="agent-1", status="queued", tier="low", principal="ana", request=request,
                        created_at=float(next(_clock))), agents=["test.draft", "production.review"])
    queue(store, "ana")  # not an agent job
    assert claimed(store, 1) == ["agent-1"]
    wait = ReviewWait(reasons=["first draft"], content="Draft", confidence=0.4, digest="d1", feedback_node="1")
    store.finish("agent-1", RunRecord(run_id="agent-1", status="awaiting_review", created_at=1.0, started_at=2.0,
                                      reviews={"2": wait}))
    waiting = store.get("agent-1")
    assert waiting is not None and waiting.status == "awaiting_review" and waiting.finished_at is None
    assert waiting.review_state == "awaiting" and waiting.record is not None and waiting.record.reviews == {"2": wait}

    def jobs(**filters: str | None) -> list[str]:
        page = store.jobs(**{"agent": None, "status": None, "review": None, "principal": None, **filters},
                          limit=10, offset=0)
        return [job.run_id for job in page.items]

    assert jobs() == ["agent-1"] and jobs(review="awaiting") == ["agent-1"] and jobs(agent="test.draft") == ["agent-1"]
    assert jobs(agent="test") == [] and jobs(review="none") == [] and jobs(principal="bob") == []

    row = ReviewDecisionRow(node_id="2", action="request_changes", note="make it rain", principal="ana",
                            decided_at=time.time())
    changed = RunRequest(prompt={"1": {"class_type": "test.draft", "inputs": {"feedback": "make it rain"}}})
    store.decide("agent-1", row, changed, "request changes by ana")
    again = open_store().get("agent-1")  # as another server would read it
    assert again is not None and again.status == "queued" and again.review_state == "changes_requested"
    assert again.request.prompt["1"]["inputs"]["feedback"] == "make it rain"
    assert store.decisions("agent-1") == [row] and jobs(review="changes_requested") == ["agent-1"]


def test_a_run_cancelled_while_it_waits_for_review_is_no_longer_listed_as_awaiting(open_store: OpenStore) -> None:
    from nodes.sdk import ReviewWait

    store = open_store()
    request = RunRequest(prompt={"1": {"class_type": "test.draft", "inputs": {}}})
    store.add(StoredRun(run_id="agent-2", status="queued", tier="low", principal="ana", request=request,
                        created_at=float(next(_clock))), agents=["test.draft"])
    assert claimed(store, 1) == ["agent-2"]
    wait = ReviewWait(reasons=["always"], content="x", digest="d2")
    store.finish("agent-2", RunRecord(run_id="agent-2", status="awaiting_review", created_at=1.0, reviews={"2": wait}))
    store.finish("agent-2", RunRecord(run_id="agent-2", status="cancelled", created_at=1.0, finished_at=5.0))
    cancelled = store.get("agent-2")
    assert cancelled is not None and cancelled.status == "cancelled" and cancelled.review_state is None
    listed = store.jobs(agent=None, status=None, review="awaiting", principal=None, limit=10, offset=0)
    assert listed.items == []
