"""A replica on PostgreSQL asks the database off its event loop: while one of its queries waits
on a row lock (as a slow query or a busy database would keep it), the same server still answers
its health check and other requests at once, and the waiting work completes once the lock goes."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import psycopg

from ..server_harness import ServerProcess, sleep_prompt, wait_for_status

LEASE_S = 0.9  # renewed every 0.3 s: the renewal of the running run's lease is the waiting query


def test_a_query_waiting_on_a_lock_does_not_stall_the_health_check_or_other_requests(
        migrated_url: str, tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "ws", {"AUTEUR_DATABASE_URL": migrated_url, "AUTEUR_LEASE_S": str(LEASE_S)})
    server.start()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client, psycopg.connect(migrated_url) as db:
            run_id = client.post("/api/runs", json={"graph": sleep_prompt(2, value="after the lock")}).json()["run_id"]
            wait_for_status(client, run_id, {"running"})
            db.execute("SELECT 1 FROM runs WHERE run_id = %s FOR UPDATE", (run_id,))  # held until commit
            deadline = time.monotonic() + 10
            while not _waiting_on_a_lock(migrated_url):  # the server's lease renewal now waits
                assert time.monotonic() < deadline, "no query of the server waited on the lock"
                time.sleep(0.05)
            started = time.monotonic()
            health = httpx.get(f"{server.url}/api/health", timeout=5)
            run = client.get(f"/api/runs/{run_id}", timeout=5)
            listed = client.get("/api/runs", timeout=5)
            answered_in = time.monotonic() - started
            still_waiting = _waiting_on_a_lock(migrated_url)
            db.commit()  # the lock goes: the renewal goes through
            assert (health.status_code, health.json()["queue"], run.json()["status"], listed.json()["total"]) == (
                200, {"running": 1}, "running", 1)
            assert still_waiting and answered_in < 3  # answered while the query still waited
            finished = wait_for_status(client, run_id, {"completed", "failed"}, timeout=30)
            assert (finished["status"], finished["outputs"]) == ("completed", {"2": {"value": "after the lock"}})
    finally:
        server.stop()


def _waiting_on_a_lock(url: str) -> bool:
    with psycopg.connect(url, autocommit=True) as db:
        row = db.execute("SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                         "AND datname = current_database()").fetchone()
    return bool(row and row[0])
