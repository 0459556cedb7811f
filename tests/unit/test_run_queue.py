"""The queue's order in the run store: round-robin fair share across principals, each
principal's line by priority then place, moves, and a paused flag that survives reopening."""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path

from canvas_server.runs.store import MIGRATIONS, RunRequest, RunStore, StoredRun

_clock = itertools.count(1)


def queue(store: RunStore, principal: str, count: int = 1, priority: int = 0) -> list[str]:
    ids = []
    for _ in range(count):
        run_id = f"{principal}-{next(_clock)}"
        store.add(StoredRun(run_id=run_id, status="queued", tier="low", principal=principal, priority=priority,
                            request=RunRequest(prompt={}), created_at=float(next(_clock))))
        ids.append(run_id)
    return ids


def claimed(store: RunStore, count: int) -> list[str]:
    runs = [store.claim_next() for _ in range(count)]
    return [run.run_id for run in runs if run is not None]


def test_one_run_queued_behind_fifty_of_another_principal_starts_within_two_dispatches(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.sqlite3")
    many = queue(store, "olga", 50)
    assert claimed(store, 3) == many[:3]
    [lone] = queue(store, "cy")
    assert claimed(store, 2) == [lone, many[3]]  # never served yet: cy goes first
    # Then the two take turns while both have runs (cy was served longest ago); olga's line
    # resumes where it was.
    more = queue(store, "cy", 2)
    assert claimed(store, 4) == [more[0], many[4], more[1], many[5]]


def test_a_line_runs_by_priority_then_place_and_moves_swap_neighbours(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.sqlite3")
    a, b, c = queue(store, "cy", 3)
    [urgent] = queue(store, "cy", priority=5)
    assert [run_id for run_id, _, _ in store.line_of(a)] == [urgent, a, b, c]
    line = store.line_of(c)
    store.place(c, line[0][1], line[0][2] - 1)  # to the front: the first's priority, before its place
    assert [run_id for run_id, _, _ in store.line_of(a)] == [c, urgent, a, b]
    assert claimed(store, 4) == [c, urgent, a, b]


def test_the_paused_flag_survives_reopening_the_store(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.sqlite3")
    assert not store.paused()
    store.set_paused(True)
    store.close()
    reopened = RunStore(tmp_path / "runs.sqlite3")
    assert reopened.paused()
    reopened.set_paused(False)
    assert not reopened.paused()


def test_a_version_4_store_keeps_its_queued_runs_in_their_order(tmp_path: Path) -> None:
    path = tmp_path / "runs.sqlite3"
    with sqlite3.connect(path) as db:
        for step in MIGRATIONS[:4]:
            step(db)
        db.execute("PRAGMA user_version = 4")
        for run_id, created in (("second", 2.0), ("first", 1.0)):
            db.execute("INSERT INTO runs (run_id, status, tier, principal, request, created_at) VALUES (?,?,?,?,?,?)",
                       (run_id, "queued", "low", "ana", '{"prompt": {}}', created))
    store = RunStore(path)
    assert store.schema_version == 6
    first = store.get("first")
    assert first is not None and first.priority == 0 and first.batch_id is None
    assert claimed(store, 2) == ["first", "second"]
    assert store.claim_next() is None
