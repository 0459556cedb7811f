"""Webhooks on a real server against a real local receiver (an HTTP server in this process)
that checks every request with the `standardwebhooks` verifier: a delivery that fails twice
is retried with backoff and then delivered; one that fails every attempt is dead-lettered and
delivered by a replay; secrets are stored encrypted; only HTTPS or loopback URLs are taken."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from .server_harness import ServerProcess, chain_prompt, running_server, wait_for_status

BACKOFF = [0.4, 0.8]  # three attempts


class Receiver:
    """Answers 500 to the next `failures` requests, then 204 (after `delay` seconds); records
    each request as it arrives."""

    def __init__(self, delay: float = 0.0) -> None:
        self.failures = 0
        self.delay = delay  # seconds before answering: a slow receiver
        self.received: list[tuple[float, dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.received.append((time.monotonic(), {k.lower(): v for k, v in self.headers.items()}, body))
                time.sleep(receiver.delay)
                failing = receiver.failures > 0
                receiver.failures -= 1
                self.send_response(500 if failing else 204)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with running_server(tmp_path_factory.mktemp("hooks"), {"AUTEUR_WEBHOOK_BACKOFF_S": json.dumps(BACKOFF)}) as server:
        yield server


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()


@pytest.fixture
def hook(client: httpx.Client, receiver: Receiver) -> Iterator[dict[str, Any]]:
    made = client.post("/api/webhooks", json={"url": receiver.url})
    assert made.status_code == 201, made.text
    yield made.json()
    assert client.delete(f"/api/webhooks/{made.json()['webhook_id']}").status_code == 204


def wait_for_delivery(client: httpx.Client, run_id: str, status: str, timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for delivery in client.get("/api/webhooks/deliveries").json()["items"]:
            if delivery["payload"]["data"]["run_id"] == run_id and delivery["status"] == status:
                return dict(delivery)
        time.sleep(0.1)
    raise AssertionError(f"no {status} delivery for run {run_id}")


def verified(secret: str, request: tuple[float, dict[str, str], bytes]) -> Any:
    _, headers, body = request
    return Webhook(secret).verify(body, headers)


def test_a_delivery_that_fails_twice_is_retried_with_backoff_and_verifies(
        client: httpx.Client, receiver: Receiver, hook: dict[str, Any]) -> None:
    receiver.failures = 2
    run_id = client.post("/api/runs", json={"graph": chain_prompt()}).json()["run_id"]
    wait_for_status(client, run_id, {"completed"})
    delivery = wait_for_delivery(client, run_id, "delivered")
    assert delivery["attempts"] == 3
    assert len(receiver.received) == 3
    assert {headers["webhook-id"] for _, headers, _ in receiver.received} == {delivery["delivery_id"]}
    message = verified(hook["secret"], receiver.received[-1])
    assert message["type"] == "run.completed" and message["data"]["run_id"] == run_id
    times = [at for at, _, _ in receiver.received]
    assert times[1] - times[0] >= BACKOFF[0] * 0.9 and times[2] - times[1] >= BACKOFF[1] * 0.9
    with pytest.raises(WebhookVerificationError):
        verified("whsec_" + "QUJD" * 8, receiver.received[-1])  # another secret does not verify


def test_a_delivery_that_always_fails_is_dead_lettered_then_replayed(
        client: httpx.Client, receiver: Receiver, hook: dict[str, Any], server: ServerProcess) -> None:
    receiver.failures = 3
    graph = {"1": {"class_type": "test.fail", "inputs": {"message": "deliberate"}},
             "2": {"class_type": "core.show", "inputs": {"value": ["1", 0]}}}
    run_id = client.post("/api/runs", json={"graph": graph}).json()["run_id"]
    dead = wait_for_delivery(client, run_id, "dead")
    assert dead["attempts"] == 3 and dead["last_error"] == "HTTP 500"
    assert dead["delivery_id"] in {d["delivery_id"] for d in
                                   client.get("/api/webhooks/deliveries", params={"status": "dead"}).json()["items"]}
    replayed = client.post(f"/api/webhooks/deliveries/{dead['delivery_id']}/replay")
    assert replayed.status_code == 202 and replayed.json()["status"] in ("pending", "delivered")
    delivered = wait_for_delivery(client, run_id, "delivered")
    assert delivered["delivery_id"] == dead["delivery_id"] and len(receiver.received) == 4
    message = verified(hook["secret"], receiver.received[-1])
    assert message["type"] == "run.failed" and message["data"]["errors"][0]["code"]
    stored = (server.workspace / ".auteur" / "webhooks.sqlite3").read_bytes()
    assert hook["secret"].encode() not in stored and hook["secret"][6:].encode() not in stored
    assert "secret" not in client.get("/api/webhooks").json()["items"][0]


def test_only_https_or_loopback_urls_are_taken(client: httpx.Client) -> None:
    for url in ("http://example.com/hook", "ftp://127.0.0.1/hook", "https://user:pw@example.com/hook",
                "http://10.0.0.5/hook", "not a url"):
        answer = client.post("/api/webhooks", json={"url": url})
        assert answer.status_code == 422, (url, answer.text)
        assert set(answer.json()["error"]) == {"code", "message", "details"}
    made = client.post("/api/webhooks", json={"url": "https://hooks.example.com/in", "events": ["run.failed"]})
    assert made.status_code == 201 and made.json()["events"] == ["run.failed"]
    assert client.delete(f"/api/webhooks/{made.json()['webhook_id']}").status_code == 204
    assert client.delete("/api/webhooks/nope").json()["error"]["code"] == "webhook_not_found"
    assert client.post("/api/webhooks", json={"url": "https://x.example", "project": "Nowhere"}).status_code == 404


def test_slow_receivers_are_called_at_once_not_one_after_the_other(client: httpx.Client) -> None:
    slow = [Receiver(delay=2.0), Receiver(delay=2.0)]
    hooks = [client.post("/api/webhooks", json={"url": receiver.url}).json()["webhook_id"] for receiver in slow]
    try:
        run_id = client.post("/api/runs", json={"graph": chain_prompt()}).json()["run_id"]
        wait_for_status(client, run_id, {"completed"})
        deadline = time.monotonic() + 30
        while not all(receiver.received for receiver in slow):
            assert time.monotonic() < deadline, "a slow receiver was never called"
            time.sleep(0.05)
        first, second = sorted(receiver.received[0][0] for receiver in slow)
        assert second - first < 1.5, f"the second receiver waited {second - first:.1f} s for the first"
    finally:
        for webhook_id in hooks:
            client.delete(f"/api/webhooks/{webhook_id}")
        for receiver in slow:
            receiver.server.shutdown()


def test_an_https_host_that_resolves_to_a_private_or_loopback_address_is_refused_at_delivery(
        client: httpx.Client, receiver: Receiver) -> None:
    port = receiver.server.server_address[1]
    # 127.1 and 2130706433 are 127.0.0.1 to the resolver but not written as loopback; the others
    # are the cloud metadata service and a private network.
    urls = [f"https://127.1:{port}/hook", f"https://2130706433:{port}/hook", "https://169.254.169.254/latest",
            "https://10.0.0.1/hook", "https://[::ffff:127.0.0.1]/hook"]
    hooks = [client.post("/api/webhooks", json={"url": url}) for url in urls]
    assert all(made.status_code == 201 for made in hooks), [made.text for made in hooks]
    try:
        run_id = client.post("/api/runs", json={"graph": chain_prompt()}).json()["run_id"]
        wait_for_status(client, run_id, {"completed"})
        deadline = time.monotonic() + 30
        while True:
            dead = [d for d in client.get("/api/webhooks/deliveries", params={"status": "dead"}).json()["items"]
                    if d["payload"]["data"]["run_id"] == run_id]
            if len(dead) == len(urls):
                break
            assert time.monotonic() < deadline, dead
            time.sleep(0.1)
        assert {d["attempts"] for d in dead} == {1}
        assert all("non-public address" in d["last_error"] for d in dead), dead
        assert receiver.received == []
    finally:
        for made in hooks:
            client.delete(f"/api/webhooks/{made.json()['webhook_id']}")
