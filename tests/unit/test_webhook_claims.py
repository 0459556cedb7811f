"""Replicas on one workspace share the webhook store: a due delivery is claimed by one server
only, and sent again only once that server's claim has run out (it died while sending)."""

from __future__ import annotations

import time
from pathlib import Path

from cryptography.fernet import Fernet

from canvas_server.runs.webhooks import CLAIM_HOLD_S, WebhookStore


def test_each_due_delivery_is_claimed_by_one_server_until_its_claim_runs_out(tmp_path: Path) -> None:
    box = Fernet(Fernet.generate_key())
    a, b = WebhookStore(tmp_path / "webhooks.sqlite3", box), WebhookStore(tmp_path / "webhooks.sqlite3", box)
    a.create("ana", None, "https://example.org/hook", ["run.completed"])
    for run in range(3):
        assert a.enqueue("ana", None, "run.completed", {"run_id": f"r{run}"}) == 1
    now = time.time() + 1
    first, second = a.due(now, limit=2), b.due(now)
    assert len(first) == 2 and len(second) == 1
    assert {d.delivery_id for d in first} | {d.delivery_id for d in second} == {
        d.delivery_id for d in a.deliveries("ana")}
    assert a.due(now) == [] and b.due(now) == []  # claimed: nobody sends them again meanwhile
    a.settle(first[0].delivery_id, "delivered", 1, None, now)
    again = b.due(now + CLAIM_HOLD_S + 1)  # a died while sending the other two: they go again
    assert sorted(d.delivery_id for d in again) == sorted([first[1].delivery_id, second[0].delivery_id])
    a.close()
    b.close()
