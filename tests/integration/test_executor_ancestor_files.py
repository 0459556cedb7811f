"""A node reads the files of every ancestor, however far up the graph, and nothing else: the
output folders a task may read are gathered once per node and shared down the graph, and an
ancestor served from the cache of an earlier process is found on disk."""

from __future__ import annotations

from pathlib import Path

from pytest import MonkeyPatch

from canvas_server.engine.dispatch import Job
from canvas_server.engine.executor import _RunExecution
from canvas_server.engine.record import RunRecord
from function_runners.local import LocalRunner

from .executor_helpers import add_chain, make_executor, prompt_of, run_async

PACKS = ["core", "testpack"]


def relay(suffix: str = "", *, hops: int = 3) -> dict[str, tuple[str, dict[str, object]]]:
    """write → pass × hops → read: the reader is `hops + 1` links below the file's writer."""
    nodes: dict[str, tuple[str, dict[str, object]]] = {"write": ("test.write", {"text": "take 3 notes"})}
    source = "write"
    for hop in range(hops):
        nodes[f"pass{hop}"] = ("test.pass", {"path": [source, 0]})
        source = f"pass{hop}"
    nodes["read"] = ("test.read", {"path": [source, 0], "suffix": suffix})
    return nodes


def run(workspace: Path, *graphs: dict[str, tuple[str, dict[str, object]]]) -> list[RunRecord]:
    """Each graph in turn on one fresh executor (a fresh server process's)."""
    async def body() -> list[RunRecord]:
        executor = make_executor(workspace, LocalRunner(workers=1, load_plugins=PACKS), PACKS)
        return [await executor.run(prompt_of(graph)) for graph in graphs]

    return run_async(body)


def test_a_reader_three_links_below_a_writer_reads_its_file(tmp_path: Path) -> None:
    (record,) = run(tmp_path, relay())
    assert record.status == "completed", record.errors
    assert record.nodes["read"].outputs == {"text": "take 3 notes"}


def test_an_ancestor_cached_by_an_earlier_process_is_still_readable(tmp_path: Path) -> None:
    (first,) = run(tmp_path, relay())
    (second,) = run(tmp_path, relay("!"))  # a new executor: it knows nothing of the first's files
    assert first.status == second.status == "completed", second.errors
    assert second.nodes["write"].status == "cached" and second.nodes["read"].status == "completed"
    assert second.nodes["read"].outputs == {"text": "take 3 notes!"}


def test_a_file_of_a_node_that_is_not_an_ancestor_is_refused(tmp_path: Path) -> None:
    (written,) = run(tmp_path, {"write": ("test.write", {"text": "elsewhere"}),
                                "read": ("test.read", {"path": ["write", 0]})})
    path = written.nodes["write"].outputs["path"]  # type: ignore[index]
    (record,) = run(tmp_path, {"read": ("test.read", {"path": path, "suffix": "?"})})
    assert record.status == "failed"
    assert record.errors[0].details["error_type"] == "PathForbiddenError", record.errors


def test_a_long_value_chain_gives_its_tasks_no_folders_to_read(tmp_path: Path, monkeypatch: MonkeyPatch) -> None:
    """Nodes without files add nothing to their descendants' roots (a 1,000-node chain once
    listed every ancestor for every node: quadratic)."""
    seen: list[int] = []
    folders_of_job = _RunExecution.job_input_dirs

    def recording(self: _RunExecution, job: Job) -> list[str]:
        folders = folders_of_job(self, job)
        seen.append(len(folders))
        return folders

    monkeypatch.setattr(_RunExecution, "job_input_dirs", recording)

    async def body() -> RunRecord:
        executor = make_executor(tmp_path, LocalRunner(workers=1, load_plugins=PACKS), PACKS)
        return await executor.run(add_chain(300))

    record = run_async(body)
    assert record.status == "completed" and len(seen) == 302
    assert set(seen) == {0}
