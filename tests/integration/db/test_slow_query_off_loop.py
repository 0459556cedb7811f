"""A replica on PostgreSQL asks the database off its event loop: while its queries wait on a
lock (as a slow query or a busy database would keep them), the same server still answers its
health check and other requests at once, and the waiting work completes once the lock goes."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psycopg

from ..server_harness import ServerProcess, sleep_prompt, wait_for_status

LEASE_S = 0.9  # renewed every 0.3 s: the running run's lease renewal is one of the waiting queries


def test_queries_waiting_on_a_lock_do_not_stall_the_health_check_or_other_requests(
        migrated_url: str, tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "ws", {"AUTEUR_DATABASE_URL": migrated_url, "AUTEUR_LEASE_S": str(LEASE_S)})
    server.start()
    try:
        with (httpx.Client(base_url=server.url, timeout=30) as client, psycopg.connect(migrated_url) as db,
              ThreadPoolExecutor(1) as pool):
            first = client.post("/api/runs", json={"graph": sleep_prompt(2, value="first")}).json()["run_id"]
            wait_for_status(client, first, {"running"})
            db.execute("LOCK TABLE runs IN SHARE MODE")  # reads go on; writes wait until commit
            submitted = pool.submit(client.post, "/api/runs", json={"graph": sleep_prompt(0, value="second")})
            deadline = time.monotonic() + 10
            while _waiting_on_a_lock(migrated_url) < 2:  # the lease renewal and the submission's insert
                assert time.monotonic() < deadline, "the server's writes never waited on the lock"
                time.sleep(0.05)
            started = time.monotonic()
            health = httpx.get(f"{server.url}/api/health", timeout=5)
            run = client.get(f"/api/runs/{first}", timeout=5)
            listed = client.get("/api/runs", timeout=5)
            answered_in = time.monotonic() - started
            still_waiting = _waiting_on_a_lock(migrated_url)
            db.commit()  # the lock goes: the renewal and the submission go through
            assert (health.status_code, health.json()["queue"], run.json()["status"], listed.json()["total"]) == (
                200, {"running": 1}, "running", 1)
            assert still_waiting >= 2 and answered_in < 3  # answered while the writes still waited
            second = submitted.result(timeout=30)
            assert second.status_code == 202, second.text
            for run_id, value in ((first, "first"), (second.json()["run_id"], "second")):
                finished = wait_for_status(client, run_id, {"completed", "failed"}, timeout=30)
                assert (finished["status"], finished["outputs"]) == ("completed", {"2": {"value": value}})
    finally:
        server.stop()


def _waiting_on_a_lock(url: str) -> int:
    """How many of the database's sessions wait on a lock now."""
    with psycopg.connect(url, autocommit=True) as db:
        row = db.execute("SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                         "AND datname = current_database()").fetchone()
    return int(row[0]) if row else 0
