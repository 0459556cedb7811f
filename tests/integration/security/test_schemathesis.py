"""Schemathesis against a real `auteur serve`: every check it has, a fixed seed and a bounded
number of examples per operation, zero failures — no 5xx, no status code, content type or
method the OpenAPI document does not declare, `Allow` headers that match it.

One check is left out, `positive_data_acceptance` (ST202: "a schema-valid request was
rejected"): a body can match the schema and still not be a valid graph, template or project
(a node type that does not exist, a link to a missing node, a cycle, a name taken already,
an unknown structure…). Those are semantic rules of the graph validator and the stores that
OpenAPI cannot express; the server answers them with a 4xx in the error shape, and
`not_a_server_error` and `status_code_conformance` still hold it to that.

The operations are split in two halves, each run by its own schemathesis process against its
own server, both at once: one process spends most of its time waiting for its server's answers
(writes, Git commits) or generating cases on one core, so two overlap (one process took 317 s
on this machine at load 3.5, the two halves 190 s). Each half runs with one
worker, in the document's order, so its server sees a deterministic sequence (the seed gives
every operation the same cases whichever half it is in). The project routes stay together,
after the project creation that can give them a project to work on.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import pytest

from ..server_harness import ServerProcess

SEED = 1
EXAMPLES = 40
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
# Pausing the queue would leave every later run waiting (routes that wait for their run, such
# as one-node runs, would time out); test_server_queue covers pausing.
LEFT_OUT = "/api/queue/pause"
PROJECTS = "^/api/projects"
HALVES = {"projects": ("--include-path-regex", PROJECTS),
          "the rest": ("--exclude-path-regex", PROJECTS)}


def schemathesis(url: str, report: Path, half: tuple[str, str]) -> subprocess.Popen[bytes]:
    report.mkdir()
    # Output goes to a file: a full pipe would stall one half while the test waits on the other.
    with (report / "output.txt").open("wb") as output:
        return subprocess.Popen(
            [str(SCHEMATHESIS), "run", f"{url}/openapi.json", *half, "--exclude-path", LEFT_OUT,
             "--checks", "all", "--exclude-checks", "positive_data_acceptance",
             "--phases", "examples,coverage,fuzzing", "--seed", str(SEED), "--max-examples", str(EXAMPLES),
             "--generation-database", "none", "--workers", "1", "--no-shrink", "--no-color",
             "--request-timeout", "30",  # two shared cores in CI: a slow answer is not a failure
             "--report", "junit", "--report-dir", str(report)],
            stdout=output, stderr=subprocess.STDOUT, env={**os.environ, "NO_COLOR": "1"},
        )


@pytest.mark.timeout(600)
def test_schemathesis_finds_no_server_error_and_nothing_undocumented(tmp_path: Path) -> None:
    with ExitStack() as stack:
        servers = {name: ServerProcess(tmp_path / f"workspace-{index}") for index, name in enumerate(HALVES)}
        for server in servers.values():
            stack.callback(server.stop)
        with ThreadPoolExecutor(2) as pool:  # both start at once
            list(pool.map(ServerProcess.start, servers.values()))
        reports = {name: tmp_path / f"report-{index}" for index, name in enumerate(HALVES)}
        runs = {name: schemathesis(servers[name].url, reports[name], half) for name, half in HALVES.items()}
        for run in runs.values():
            stack.callback(run.kill)  # a no-op once it has exited; stops a half left running by a failure
        # ~85 operations since this wave's routes; the limit leaves room for a loaded machine
        # (~3.5 min here for the larger half with the rest of the suite beside it)
        codes = {name: run.wait(timeout=480) for name, run in runs.items()}
        logs = {name: server.log.read_text(errors="replace") for name, server in servers.items()}
    selected = 0
    for name, code in codes.items():
        stdout = (reports[name] / "output.txt").read_text(errors="replace")
        summary = stdout[-4000:]
        assert code == 0, f"{name}:\n{stdout[:8000]}\n...\n{summary}"
        assert f"Seed: {SEED}" in summary, summary
        assert "Traceback" not in logs[name], logs[name][-4000:]
        counts = re.search(r"Selected: (\d+)/(\d+)", stdout)
        assert counts is not None, summary
        selected += int(counts[1])
        total = int(counts[2])
    assert selected == total - 1, f"the halves tested {selected} of {total} operations ({LEFT_OUT} is left out)"
