"""Typed events and the bus: validation, unknown types, isolation, replay."""

from __future__ import annotations

import asyncio
import threading

import pytest

from canvas_server.events import NodeEvent, NodeProgress, build_event, event_schema
from canvas_server.server.bus import EventBus, TooManyClientsError


def test_known_types_validate_and_unknown_types_travel_as_node_event() -> None:
    progress = build_event("node_progress", {"node_id": "3", "progress": 0.5, "step": "x"}, seq=1, ts=0.0, run_id="r")
    assert isinstance(progress, NodeProgress) and progress.data.progress == 0.5
    custom = build_event("speaker_volume", {"level": 3}, seq=2, ts=0.0)
    assert isinstance(custom, NodeEvent) and custom.data.event == "speaker_volume"


def test_malformed_payload_is_still_delivered_untyped() -> None:
    bus = EventBus()
    event = bus.publish("node_progress", {"node_id": "1", "progress": 7}, run_id="r")
    assert event.type == "node_event" and event.seq == 1


def test_a_client_only_receives_runs_and_projects_it_subscribed_to() -> None:
    async def scenario() -> list[tuple[str | None, str | None]]:
        bus = EventBus()
        queue = bus.connect("a")
        bus.subscribe("a", runs=["mine"], projects=["film"])
        bus.publish("run_queued", {}, run_id="mine")
        bus.publish("run_queued", {}, run_id="theirs")
        bus.publish("asset_added", {"path": "x"}, project="film")
        bus.publish("asset_added", {"path": "y"}, project="other")
        received = []
        while not queue.empty():
            event = queue.get_nowait()
            received.append((event.run_id, event.project))
        return received

    assert asyncio.run(scenario()) == [("mine", None), (None, "film")]


def test_replay_returns_only_subscribed_events_after_a_seq() -> None:
    bus = EventBus()
    bus.subscribe("a", runs=["r1"])
    first = bus.publish("run_queued", {}, run_id="r1")
    bus.publish("run_queued", {}, run_id="r2")
    later = bus.publish("run_started", {}, run_id="r1")
    assert [event.seq for event in asyncio.run(bus.replay("a", 0))] == [first.seq, later.seq]
    assert [event.seq for event in asyncio.run(bus.replay("a", first.seq))] == [later.seq]
    bus.unsubscribe("a", runs=["r1"])
    assert asyncio.run(bus.replay("a", 0)) == []


def test_schema_lists_every_event_type_with_its_payload() -> None:
    schema = event_schema()
    mapping = schema["discriminator"]["mapping"]
    assert {"run_queued", "node_progress", "take_created", "heartbeat", "node_event"} <= set(mapping)


def test_every_event_name_is_defined_once_and_typed() -> None:
    """`nodes.sdk.EventType` is the one list of names; each has its own typed model."""
    from canvas_server.events import _Event
    from nodes.sdk import EventType

    typed = {model.model_fields["type"].annotation.__args__[0] for model in _Event.__subclasses__()}
    assert typed == set(EventType)


def test_publishing_from_worker_threads_delivers_every_event_once_in_seq_order_on_the_loop() -> None:
    """Sync routes publish from Starlette's thread pool: numbering happens at once, delivery
    (queues, replay buffer, listeners) on the loop thread, never out of order."""

    async def scenario() -> tuple[list[int], list[int], set[int], int]:
        bus = EventBus()
        bus.attach(asyncio.get_running_loop())
        queue = bus.connect("a")
        bus.subscribe("a", projects=["film"])
        listener_threads: set[int] = set()
        bus.listen(lambda _type, _project: listener_threads.add(threading.get_ident()))

        def burst() -> None:
            for _ in range(200):
                bus.publish("file_changed", {"path": "x", "change": "saved"}, project="film")

        loop_published = []
        workers = [asyncio.to_thread(burst) for _ in range(4)]
        for _ in range(100):  # the loop publishes too while the pool does
            loop_published.append(bus.publish("project_update", {"reason": "updated"}, project="film").seq)
            await asyncio.sleep(0)
        await asyncio.gather(*workers)
        await asyncio.sleep(0.05)  # the last hand-overs
        received = []
        while not queue.empty():
            received.append(queue.get_nowait().seq)
        replayed = [event.seq for event in await bus.replay("a", 0)]
        return received, replayed, listener_threads, bus.last_seq

    received, replayed, threads, last_seq = asyncio.run(scenario())
    assert received == list(range(1, 901)) == replayed
    assert threads == {threading.get_ident()}  # asyncio.run runs the loop on this thread
    assert last_seq == 900


def test_a_burst_published_from_a_thread_wakes_the_loop_once_and_arrives_whole_in_order() -> None:
    """A run's node events come from a worker by the thousand: one hand-over to the loop for
    all that are waiting (a wake-up each cost more than delivering the event), none left behind."""

    async def scenario() -> tuple[int, list[int], list[int]]:
        loop = asyncio.get_running_loop()
        bus = EventBus()
        bus.attach(loop)
        queue = bus.connect("a")
        bus.subscribe("a", runs=["r"])
        wakes = 0
        hand_over = loop.call_soon_threadsafe

        def counted(callback: object, *args: object) -> object:
            nonlocal wakes
            wakes += 1
            return hand_over(callback, *args)  # type: ignore[arg-type]

        loop.call_soon_threadsafe = counted  # type: ignore[method-assign]

        def burst(count: int) -> None:
            for index in range(count):
                bus.publish("node_started", {"node_id": str(index)}, run_id="r")

        worker = threading.Thread(target=burst, args=(1000,))
        worker.start()
        worker.join()  # the loop is held here: the whole burst waits for one delivery
        first_burst_wakes = wakes
        await asyncio.sleep(0)
        second = threading.Thread(target=burst, args=(5,))  # after a delivery: the loop is woken again
        second.start()
        second.join()
        await asyncio.sleep(0)
        received = []
        while not queue.empty():
            received.append(queue.get_nowait().seq)
        return first_burst_wakes, received, [wakes]

    first_burst_wakes, received, (wakes,) = asyncio.run(scenario())
    assert first_burst_wakes == 1
    assert wakes == 2
    assert received == list(range(1, 1006))


def test_idle_client_ids_are_forgotten_and_connected_ones_kept() -> None:
    """Issue 19, L7: a state per named client id was made for every id and never freed."""

    async def scenario() -> None:
        bus = EventBus(client_idle_s=0.05)
        kept = bus.connect("kept")
        for number in range(500):
            queue = bus.connect(f"drive-by-{number}")
            bus.disconnect(f"drive-by-{number}", queue)
        await asyncio.sleep(0.1)
        bus.client("newcomer")  # making a state prunes the idle ones
        assert bus.client_count() == 2
        assert bus.peek("kept") is not None and bus.peek("kept").queues == [kept]  # type: ignore[union-attr]

    asyncio.run(scenario())


def test_a_principal_holds_a_bounded_number_of_client_ids() -> None:
    async def scenario() -> None:
        bus = EventBus(clients_per_owner=3)
        queues = {}
        for name in ("a", "b", "c"):
            queues[name] = bus.connect(name)
            bus.own(bus.client(name), "ana")
        with pytest.raises(TooManyClientsError):
            bus.own(bus.client("d"), "ana")  # all three connected: refused
        bus.own(bus.client("d"), "bo")  # another principal has its own quota
        bus.disconnect("a", queues["a"])
        bus.own(bus.client("e"), "ana")  # the idle one makes room
        assert bus.peek("a") is None and bus.peek("e") is not None
        assert sorted(state for state in ("b", "c", "e") if bus.peek(state)) == ["b", "c", "e"]

    asyncio.run(scenario())


def test_each_event_keeps_the_owner_it_was_published_with_and_clients_never_see_it() -> None:
    bus = EventBus()
    bus.subscribe("a", runs=["r1"])
    bus.publish("run_queued", {}, run_id="r1", owner="principal-1")
    bus.publish("run_started", {}, run_id="r1", owner="principal-2")
    replayed = asyncio.run(bus.replay("a", 0))
    assert [event.owner for event in replayed] == ["principal-1", "principal-2"]
    assert "principal-1" not in replayed[0].model_dump_json()
