"""The result cache's contract, held by both indexes (the workspace's SQLite file, PostgreSQL):
what one process stored and flushed another (a replica, a worker) finds, by key or by a
run's plan; an entry whose media file vanished is a miss and is dropped."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from function_runners import idempotency
from function_runners.result_cache import ResultCache, open_result_cache
from function_runners.task import NodeTask

OpenCache = Callable[[], ResultCache]


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> str | None:
    return request.getfixturevalue("migrated_url") if request.param == "postgresql" else None


@pytest.fixture
def open_cache(database: str | None, tmp_path: Path) -> OpenCache:
    return lambda: open_result_cache(tmp_path / ".auteur" / "cache", tmp_path, database)


def test_what_one_process_flushed_another_finds_by_key_and_by_plan(open_cache: OpenCache) -> None:
    writer, reader = open_cache(), open_cache()
    writer.put("a" * 64, {"value": 1})
    assert reader.get("a" * 64) is None  # not flushed yet
    writer.put("b" * 64, {"value": 2})
    writer.flush()
    late = open_cache()
    late.preload(["a" * 64, "b" * 64, "c" * 64])
    assert (late.get("a" * 64), late.get("b" * 64), late.get("c" * 64)) == ({"value": 1}, {"value": 2}, None)
    writer.put("a" * 64, {"value": 3})  # a newer result replaces the entry
    writer.flush()
    assert open_cache().get("a" * 64) == {"value": 3}
    for cache in (writer, reader, late):
        cache.close()


def test_an_entry_whose_media_vanished_is_dropped_for_every_process(open_cache: OpenCache, tmp_path: Path) -> None:
    (tmp_path / "out.wav").write_bytes(b"RIFF")
    outputs = {"audio": {"path": "out.wav", "sha256": "0" * 64, "mime": "audio/wav", "kind": "audio"}}
    cache = open_cache()
    cache.put("d" * 64, outputs)
    cache.flush()
    assert open_cache().get("d" * 64) == outputs
    (tmp_path / "out.wav").unlink()
    assert cache.get("d" * 64) is None
    cache.flush()  # as the executor's scheduling round and a worker's task end (a shared index deletes then)
    (tmp_path / "out.wav").write_bytes(b"RIFF")  # back again: the entry was dropped all the same
    assert open_cache().get("d" * 64) is None


def test_a_worker_finds_what_the_server_stored_in_the_same_database(database: str | None, tmp_path: Path,
                                                                    open_cache: OpenCache) -> None:
    task = NodeTask(run_id="r", node_id="n", type="core.add", version="1.0.0", inputs={}, tier="standard",
                    scratch_dir=str(tmp_path / "s"), workspace_root=str(tmp_path), cache_key="e" * 64)
    server = open_cache()
    server.put("e" * 64, {"value": 3})
    server.flush()
    worker = idempotency.open_cache(str(tmp_path), database)
    assert idempotency.lookup(worker, task) == {"value": 3}
