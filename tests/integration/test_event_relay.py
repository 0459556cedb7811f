"""Events across replicas: two event buses (two servers' worth) over one real `redis-server`
and one event store. An event is numbered once, by the replica that publishes it; a client
of the other replica follows the run live and replays it after a reconnect."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from canvas_server.events import Event
from canvas_server.server.bus import EventBus
from canvas_server.server.event_log import EventLog
from canvas_server.server.relay import CHANNEL, RedisRelay
from canvas_server.server.routes.events import Sent

from .celery_cluster import RedisServer, wait_until


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server.url
    server.stop()


class Replicas:
    """Two buses on this loop sharing one store, each relayed through Redis."""

    def __init__(self, url: str, store: EventLog, loop: asyncio.AbstractEventLoop) -> None:
        self.store = store
        self.a, self.b = EventBus(log=store), EventBus(log=store)
        self.relays = []
        for bus in (self.a, self.b):
            bus.attach(loop)
            relay = RedisRelay(url, lambda event, bus=bus: loop.call_soon_threadsafe(bus.receive, event),
                               subscribed=lambda change, bus=bus: loop.call_soon_threadsafe(bus.receive_subscription, change))
            relay.start()
            bus.relay_to(relay)
            self.relays.append(relay)

    def close(self) -> None:
        for relay in self.relays:
            relay.close()
        self.store.close()


async def _take(queue: asyncio.Queue[Event], count: int) -> list[Event]:
    return [await asyncio.wait_for(queue.get(), 5.0) for _ in range(count)]


def test_a_client_of_replica_b_follows_a_run_published_on_a_and_replays_it_from_the_shared_store(
    redis_url: str, tmp_path: Path,
) -> None:
    async def scenario() -> None:
        replicas = Replicas(redis_url, EventLog(tmp_path / "events.sqlite3"), asyncio.get_running_loop())
        try:
            follower = replicas.b.connect("follower")
            replicas.b.subscribe("follower", runs=["r1"])
            published = [replicas.a.publish("run_queued", {}, run_id="r1", owner="ana")]
            published.append(replicas.b.publish("project_update", {"reason": "updated"}, project="other"))
            for node in ("1", "2"):
                published.append(replicas.a.publish("node_started", {"node_id": node}, run_id="r1", owner="ana"))
            published.append(replicas.a.publish("run_completed", {"status": "completed"}, run_id="r1", owner="ana"))
            live = await _take(follower, 4)
            assert [event.type for event in live] == ["run_queued", "node_started", "node_started", "run_completed"]
            assert [event.seq for event in live] == [event.seq for event in published if event.run_id == "r1"]
            assert live[0].owner == "ana"  # the owner travels: replay and access decide by it
            numbers = [event.seq for event in published]
            assert len(set(numbers)) == len(numbers)  # numbered once, by the store both share
            replicas.a.publish("node_progress", {"node_id": "2", "progress": 0.5}, run_id="r2")
            await asyncio.sleep(0.2)
            assert follower.empty()  # not subscribed to r2 on B either
            # The follower subscribed on B only; reconnecting to A (or B) after its first event
            # replays the same events, in order.
            for bus in (replicas.a, replicas.b):
                replayed = await bus.replay("follower", live[0].seq)
                assert [event.seq for event in replayed] == [event.seq for event in live[1:]]
        finally:
            replicas.close()

    asyncio.run(scenario())


def test_a_replica_that_loses_redis_keeps_serving_and_relays_again_once_it_is_back(tmp_path: Path) -> None:
    server = RedisServer(tmp_path / "redis").start()

    async def scenario() -> None:
        replicas = Replicas(server.url, EventLog(tmp_path / "events.sqlite3"), asyncio.get_running_loop())
        try:
            follower = replicas.b.connect("f")
            replicas.b.subscribe("f", runs=["r"])
            server.stop()
            lost = replicas.a.publish("run_queued", {}, run_id="r")  # stored, not relayed
            await asyncio.sleep(0.3)
            server.start()
            # both replicas' listeners resubscribe within their retry interval: Redis counts them
            watcher = redis.Redis.from_url(server.url)
            await asyncio.to_thread(wait_until, lambda: watcher.pubsub_numsub(CHANNEL) == [(CHANNEL.encode(), 2)],
                                    15, "both relays to subscribe again")
            watcher.close()
            back = replicas.a.publish("run_started", {}, run_id="r")
            assert [event.seq for event in await _take(follower, 1)] == [back.seq]
            assert [event.seq for event in await replicas.b.replay("f", 0)] == [lost.seq, back.seq]
        finally:
            replicas.close()
            server.stop()

    asyncio.run(scenario())


def test_a_client_ids_principal_and_unsubscriptions_reach_every_replica_and_a_bound_id_keeps_its_owner(
    redis_url: str, tmp_path: Path,
) -> None:
    async def scenario() -> None:
        replicas = Replicas(redis_url, EventLog(tmp_path / "events.sqlite3"), asyncio.get_running_loop())
        try:
            replicas.b.own(replicas.b.client("c"), "ana")
            replicas.b.subscribe("c", runs=["r1", "r2"], projects=["film"])
            replicas.b.unsubscribe("c", runs=["r2"])
            replicas.a.own(replicas.a.client("taken"), "bea")
            replicas.b.own(replicas.b.client("taken"), "cy")  # bound to bea on A already
            await asyncio.sleep(0.3)
            on_a = replicas.a.peek("c")
            assert on_a is not None and on_a.owner == "ana"
            assert on_a.runs == {"r1"} and on_a.projects == {"film"}
            assert replicas.a.peek("taken").owner == "bea"  # type: ignore[union-attr]
        finally:
            replicas.close()

    asyncio.run(scenario())


def test_a_message_on_the_channel_that_is_not_an_event_is_dropped(redis_url: str, tmp_path: Path) -> None:
    async def scenario() -> None:
        replicas = Replicas(redis_url, EventLog(tmp_path / "events.sqlite3"), asyncio.get_running_loop())
        try:
            follower = replicas.b.connect("f")
            replicas.b.subscribe("f", runs=["r"])
            with redis.Redis.from_url(redis_url) as client:
                for junk in (b"not json", b"[]", b'{"origin": "x", "event": {"type": "nope"}}',
                             b'{"origin": "x", "subscription": {"client_id": "f", "op": "drop", "runs": ["r"]}}',
                             b'{"origin": "x", "subscription": {"client_id": "f", "op": "unsubscribe", "runs": "r"}}'):
                    client.publish("auteur:events", junk)
            event = replicas.a.publish("run_queued", {}, run_id="r")
            assert [got.seq for got in await _take(follower, 1)] == [event.seq]
            assert replicas.b.peek("f").runs == {"r"}  # type: ignore[union-attr]
        finally:
            replicas.close()

    asyncio.run(scenario())


def test_a_connection_sends_another_replicas_event_that_arrives_after_a_higher_numbered_one() -> None:
    sent = Sent(floor=10)
    sent.add(14)
    assert sent.fresh(12) and not sent.fresh(14) and not sent.fresh(10)
    bounded = Sent(floor=0, keep=2)
    for seq in (5, 3, 9):
        bounded.add(seq)
    assert bounded.floor == 5 and not bounded.fresh(4) and bounded.fresh(6)
