"""The persistent result cache shared by the executor and the runners."""

from __future__ import annotations

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
