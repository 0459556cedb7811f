"""The persistent result cache shared by the executor and the runners."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from pathlib import Path

from function_runners import idempotency
from function_runners.result_cache import ResultCache
from function_runners.task import NodeTask


def test_entries_survive_a_new_cache_object_only_after_flush(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache", tmp_path)
    cache.put("ab" * 32, {"value": 1})
    assert ResultCache(tmp_path / "cache", tmp_path).get("ab" * 32) is None
    cache.flush()
    assert ResultCache(tmp_path / "cache", tmp_path).get("ab" * 32) == {"value": 1}


def test_an_entry_whose_media_file_vanished_is_a_miss_and_is_dropped(tmp_path: Path) -> None:
    media = tmp_path / "out.wav"
    media.write_bytes(b"RIFF")
    outputs = {"audio": {"path": "out.wav", "sha256": "0" * 64, "mime": "audio/wav", "kind": "audio"}}
    cache = ResultCache(tmp_path / "cache", tmp_path)
    cache.put("cd" * 32, outputs)
    cache.flush()
    assert cache.get("cd" * 32) == outputs
    media.unlink()
    assert cache.get("cd" * 32) is None
    assert ResultCache(tmp_path / "cache", tmp_path).get("cd" * 32) is None


def test_a_runner_sees_what_the_executor_stored_and_vice_versa(tmp_path: Path) -> None:
    task = NodeTask(run_id="r", node_id="n", type="core.add", version="1.0.0", inputs={},
                    tier="standard", scratch_dir=str(tmp_path / "s"), workspace_root=str(tmp_path),
                    cache_key="ef" * 32)
    executor_cache = ResultCache(tmp_path / ".auteur" / "cache", tmp_path)
    worker_cache = idempotency.open_cache(str(tmp_path))
    assert idempotency.lookup(worker_cache, task) is None
    idempotency.store(worker_cache, task, {"value": 3})
    assert executor_cache.get("ef" * 32) == {"value": 3}
    executor_cache.put("12" * 32, {"value": 4})
    executor_cache.flush()
    assert idempotency.lookup(worker_cache, task.model_copy(update={"cache_key": "12" * 32})) == {"value": 4}


class _SharedIndex:
    """A shared (database) index that records each call and refuses any made on an event loop,
    as the server's PostgreSQL engine does under its guard."""

    shared = True

    def __init__(self) -> None:
        self.rows: dict[str, str] = {}
        self.calls: list[str] = []

    def _call(self, what: str) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            self.calls.append(what)
            return
        raise AssertionError(f"{what} on the event loop")

    def read(self, keys: Sequence[str]) -> dict[str, str]:
        self._call("read")
        return {key: self.rows[key] for key in keys if key in self.rows}

    def write(self, rows: list[tuple[str, str]]) -> None:
        self._call("write")
        self.rows.update(rows)

    def delete(self, key: str) -> None:
        self._call("delete")
        self.rows.pop(key, None)

    def close(self) -> None:
        pass


def test_a_shared_index_is_never_asked_on_the_event_loop_a_vanished_entry_is_deleted_at_the_flush(
        tmp_path: Path) -> None:
    """The executor settles from what it preloaded; a key evicted since is a miss on the loop (not
    a query), and an entry whose media vanished is deleted by the next flush, off the loop."""
    index = _SharedIndex()
    index.rows = {"gone": json.dumps({"video": {"path": "clip.mp4", "sha256": "0" * 64, "mime": "video/mp4", "kind": "video"}}),
                  "kept": json.dumps({"value": 3})}
    cache = ResultCache(tmp_path / "cache", workspace_root=tmp_path, index=index)
    cache.preload(["gone"])  # off the loop, as the dispatcher does

    async def settle() -> tuple[object, object]:
        return cache.get("gone"), cache.get("kept")  # the clip is missing; "kept" was not preloaded

    assert asyncio.run(settle()) == (None, None)
    assert index.calls == ["read"] and "gone" in index.rows  # nothing asked on the loop
    cache.flush()  # off the loop: the vanished entry goes
    assert "gone" not in index.rows and index.calls == ["read", "delete"]
    assert cache.get("kept") == {"value": 3}  # off the loop a key not preloaded is read
