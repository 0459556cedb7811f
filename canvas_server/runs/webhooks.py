"""Webhooks (docs/architecture.md §12): a principal's or a project's URL is called when a run ends
(completed, failed, cancelled, interrupted) or stops to wait for a person (awaiting_review), signed by the Standard Webhooks scheme
(`standardwebhooks`: `webhook-id`, `webhook-timestamp`, `webhook-signature`), retried with
backoff; a delivery that fails every attempt is kept in a dead-letter list until replayed.

Secrets are stored encrypted with the server's Fernet key (`<state>/webhooks.sqlite3`); only
HTTPS or loopback URLs are accepted (a webhook never reaches a plain-HTTP host on the network),
and at delivery an HTTPS host must resolve to public addresses only (`webhook_target`).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import os
import sqlite3
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import httpx
from cryptography.fernet import Fernet
from pydantic import BaseModel, Field
from standardwebhooks import Webhook

from function_runners.schema_version import Migration, execute_script, migrate
from nodes.sdk import AuteurError

from ..governance.auth import is_loopback
from .webhook_target import WebhookTargetRefusedError, post, resolve_target

log = logging.getLogger(__name__)

RUN_END_EVENTS: dict[str, str] = {
    "completed": "run.completed", "failed": "run.failed", "cancelled": "run.cancelled",
    "interrupted": "run.interrupted", "awaiting_review": "run.awaiting_review",
}
DeliveryStatus = Literal["pending", "delivered", "dead"]
# How long a claimed delivery is held from other servers: well above one send (its timeout).
CLAIM_HOLD_S = 120.0
_SCHEMA = """
CREATE TABLE IF NOT EXISTS webhooks (
    webhook_id TEXT PRIMARY KEY,
    owner      TEXT NOT NULL,
    project    TEXT,
    url        TEXT NOT NULL,
    secret     BLOB NOT NULL,
    events     TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    delivery_id TEXT PRIMARY KEY,
    webhook_id  TEXT NOT NULL,
    event       TEXT NOT NULL,
    payload     TEXT NOT NULL,
    status      TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    next_at     REAL NOT NULL,
    created_at  REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (status, next_at)
"""
MIGRATIONS: tuple[Migration, ...] = (execute_script(_SCHEMA),)


class WebhookUrlError(AuteurError):
    code = "request_invalid"


class WebhookNotFoundError(AuteurError):
    code = "webhook_not_found"


def check_url(url: str) -> str:
    """HTTPS anywhere, plain HTTP only to a loopback host; no credentials in the URL."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise WebhookUrlError("a webhook URL is https://HOST/… (or http:// to a loopback host)", details={"url": url})
    if parts.username or parts.password:
        raise WebhookUrlError("a webhook URL carries no user or password; the signature authenticates it")
    if parts.scheme == "http" and not is_loopback(host):
        raise WebhookUrlError(f"plain HTTP is allowed only to a loopback host, not {host!r}; use https://",
                              details={"host": host})
    return url


class WebhookInfo(BaseModel):
    webhook_id: str
    owner: str = Field(description="The principal that made it")
    project: str | None = Field(description="Its project's runs (None: its owner's runs)")
    url: str
    events: list[str]
    created_at: float


class Delivery(BaseModel):
    delivery_id: str
    webhook_id: str
    event: str
    payload: dict[str, Any]
    status: DeliveryStatus
    attempts: int
    last_error: str | None
    next_at: float
    created_at: float


def new_secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(24)).decode("ascii")


class WebhookStore:
    """All access happens on the event loop thread."""

    def __init__(self, path: Path, box: Fernet) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self.schema_version = migrate(self._db, MIGRATIONS, name=str(path))
        self._box = box

    def close(self) -> None:
        self._db.close()

    def create(self, owner: str, project: str | None, url: str, events: Sequence[str]) -> tuple[WebhookInfo, str]:
        """The new webhook and its secret (shown once; stored encrypted)."""
        secret = new_secret()
        info = WebhookInfo(webhook_id=uuid.uuid4().hex, owner=owner, project=project, url=check_url(url),
                           events=list(events), created_at=time.time())
        self._db.execute("INSERT INTO webhooks VALUES (?,?,?,?,?,?,?)", (
            info.webhook_id, owner, project, info.url, self._box.encrypt(secret.encode()), json.dumps(info.events),
            info.created_at))
        return info, secret

    @staticmethod
    def _info(row: sqlite3.Row) -> WebhookInfo:
        return WebhookInfo(webhook_id=row["webhook_id"], owner=row["owner"], project=row["project"], url=row["url"],
                           events=json.loads(row["events"]), created_at=row["created_at"])

    def get(self, webhook_id: str) -> WebhookInfo:
        row = self._db.execute("SELECT * FROM webhooks WHERE webhook_id = ?", (webhook_id,)).fetchone()
        if row is None:
            raise WebhookNotFoundError(f"no webhook with id {webhook_id!r}", details={"webhook_id": webhook_id})
        return self._info(row)

    def listed(self, owner: str | None) -> list[WebhookInfo]:
        rows = self._db.execute("SELECT * FROM webhooks WHERE ? IS NULL OR owner = ? ORDER BY created_at",
                                (owner, owner)).fetchall()
        return [self._info(row) for row in rows]

    def delete(self, webhook_id: str) -> None:
        self._db.execute("DELETE FROM webhooks WHERE webhook_id = ?", (webhook_id,))

    def secret(self, webhook_id: str) -> str:
        row = self._db.execute("SELECT secret FROM webhooks WHERE webhook_id = ?", (webhook_id,)).fetchone()
        return self._box.decrypt(bytes(row[0])).decode() if row is not None else ""

    def enqueue(self, principal: str, project: str | None, event: str, payload: dict[str, Any]) -> int:
        """One pending delivery per webhook of the run's principal or project that wants `event`."""
        rows = self._db.execute("SELECT webhook_id, events FROM webhooks WHERE (project IS NULL AND owner = ?) "
                                "OR (project IS NOT NULL AND project = ?)", (principal, project)).fetchall()
        now, count = time.time(), 0
        for row in rows:
            if event in json.loads(row["events"]):
                self._db.execute("INSERT INTO deliveries VALUES (?,?,?,?,?,?,?,?,?)", (
                    "msg_" + uuid.uuid4().hex, row["webhook_id"], event, json.dumps(payload), "pending", 0, None,
                    now, now))
                count += 1
        return count

    @staticmethod
    def _delivery(row: sqlite3.Row) -> Delivery:
        return Delivery.model_validate({**dict(row), "payload": json.loads(row["payload"])})

    def due(self, now: float, limit: int = 50, hold_s: float = CLAIM_HOLD_S) -> list[Delivery]:
        """At most `limit` pending deliveries whose time has come, claimed: put `hold_s` into the future in the
        same transaction, so a second server sharing this store (replicas on one workspace)
        does not send them too; `settle` then sets their real next time. A server that dies
        while sending leaves its claim to run out: the delivery is sent again (at least once)."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            rows = self._db.execute("SELECT * FROM deliveries WHERE status = 'pending' AND next_at <= ? "
                                    "ORDER BY next_at LIMIT ?", (now, limit)).fetchall()
            self._db.executemany("UPDATE deliveries SET next_at = ? WHERE delivery_id = ?",
                                 [(now + hold_s, row["delivery_id"]) for row in rows])
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        return [self._delivery(row) for row in rows]

    def deliveries(self, owner: str | None, status: DeliveryStatus | None = None) -> list[Delivery]:
        rows = self._db.execute(
            "SELECT d.* FROM deliveries d JOIN webhooks w ON w.webhook_id = d.webhook_id "
            "WHERE (? IS NULL OR w.owner = ?) AND (? IS NULL OR d.status = ?) ORDER BY d.created_at DESC LIMIT 500",
            (owner, owner, status, status)).fetchall()
        return [self._delivery(row) for row in rows]

    def delivery(self, delivery_id: str) -> tuple[Delivery, WebhookInfo]:
        row = self._db.execute("SELECT * FROM deliveries WHERE delivery_id = ?", (delivery_id,)).fetchone()
        if row is None:
            raise WebhookNotFoundError(f"no delivery with id {delivery_id!r}", details={"delivery_id": delivery_id})
        delivery = self._delivery(row)
        return delivery, self.get(delivery.webhook_id)

    def settle(self, delivery_id: str, status: DeliveryStatus, attempts: int, error: str | None,
               next_at: float) -> None:
        self._db.execute("UPDATE deliveries SET status = ?, attempts = ?, last_error = ?, next_at = ? "
                         "WHERE delivery_id = ?", (status, attempts, error, next_at, delivery_id))

    def replay(self, delivery_id: str) -> None:
        """A dead delivery tried again from its first attempt (same message id)."""
        self._db.execute("UPDATE deliveries SET status = 'pending', attempts = 0, next_at = ? "
                         "WHERE delivery_id = ?", (time.time(), delivery_id))


MAX_IN_FLIGHT = 16  # deliveries sent at once: a slow receiver holds one slot, not the queue


class WebhookDispatcher:
    """Sends due deliveries concurrently (up to MAX_IN_FLIGHT, each delivery once at a time);
    a failure waits `backoff[attempt]` seconds, and after the last one the delivery is dead
    (kept for replay). A destination that is not public is refused before connecting
    (`webhook_target`): dead at once, since retrying cannot make it allowed."""

    def __init__(self, store: WebhookStore, backoff: Sequence[float], timeout: float = 10.0) -> None:
        self.store = store
        self.backoff = list(backoff)
        self._timeout = timeout
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._sending: dict[str, asyncio.Task[None]] = {}

    def run_ended(self, principal: str, project: str | None, run_id: str, status: str, data: dict[str, Any]) -> None:
        event = RUN_END_EVENTS.get(status)
        if event is None:
            return
        about: dict[str, Any] = {"run_id": run_id, "status": status, "project": project, "principal": principal}
        about.update({key: data[key] for key in ("reason", "errors", "waiting") if key in data})
        payload = {"type": event, "timestamp": datetime.now(UTC).isoformat(), "data": about}
        if self.store.enqueue(principal, project, event, payload):
            self._wake.set()

    def replay(self, delivery_id: str) -> None:
        self.store.replay(delivery_id)
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="webhook-dispatcher")

    async def stop(self) -> None:
        tasks = [task for task in (self._task, *self._sending.values()) if task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _loop(self) -> None:
        async with httpx.AsyncClient(timeout=self._timeout, follow_redirects=False, trust_env=False,
                                     limits=httpx.Limits(max_connections=MAX_IN_FLIGHT)) as client:
            while True:
                free = MAX_IN_FLIGHT - len(self._sending)  # claim only what can be sent now
                for delivery in self.store.due(time.time(), limit=free) if free > 0 else []:
                    if delivery.delivery_id not in self._sending:
                        self._start(client, delivery)
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=0.1)
                except TimeoutError:
                    pass

    def _start(self, client: httpx.AsyncClient, delivery: Delivery) -> None:
        task = asyncio.create_task(self._send(client, delivery), name=f"webhook-{delivery.delivery_id}")
        self._sending[delivery.delivery_id] = task

        def done(_: asyncio.Task[None]) -> None:
            self._sending.pop(delivery.delivery_id, None)
            self._wake.set()  # a slot is free
        task.add_done_callback(done)

    async def _send(self, client: httpx.AsyncClient, delivery: Delivery) -> None:
        try:
            webhook = self.store.get(delivery.webhook_id)
        except WebhookNotFoundError:
            self.store.settle(delivery.delivery_id, "dead", delivery.attempts, "the webhook was deleted", time.time())
            return
        try:
            target = await resolve_target(webhook.url)
        except WebhookTargetRefusedError as exc:
            log.warning("webhook %s: delivery %s refused: %s", webhook.webhook_id, delivery.delivery_id, exc.message)
            self.store.settle(delivery.delivery_id, "dead", delivery.attempts + 1, exc.message, time.time())
            return
        body = json.dumps(delivery.payload, separators=(",", ":"))
        now = datetime.now(UTC)
        signature = Webhook(self.store.secret(webhook.webhook_id)).sign(delivery.delivery_id, now, body)
        headers = {"content-type": "application/json", "webhook-id": delivery.delivery_id,
                   "webhook-timestamp": str(int(now.timestamp())), "webhook-signature": signature}
        error: str | None
        try:
            answer = await post(client, target, body, headers)
            error = None if 200 <= answer.status_code < 300 else f"HTTP {answer.status_code}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: could not reach the URL"
        attempts = delivery.attempts + 1
        if error is None:
            self.store.settle(delivery.delivery_id, "delivered", attempts, None, time.time())
        elif attempts > len(self.backoff):
            log.warning("webhook %s: delivery %s dead after %d attempts (%s)", webhook.webhook_id,
                        delivery.delivery_id, attempts, error)
            self.store.settle(delivery.delivery_id, "dead", attempts, error, time.time())
        else:
            self.store.settle(delivery.delivery_id, "pending", attempts, error,
                              time.time() + self.backoff[attempts - 1])
