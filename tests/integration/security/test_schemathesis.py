"""Schemathesis against a real `auteur serve`: every check it has, a fixed seed and a bounded
number of examples per operation, zero failures — no 5xx, no status code, content type or
method the OpenAPI document does not declare, `Allow` headers that match it.

One check is left out, `positive_data_acceptance` (ST202: "a schema-valid request was
rejected"): a body can match the schema and still not be a valid graph, template or project
(a node type that does not exist, a link to a missing node, a cycle, a name taken already,
an unknown structure…). Those are semantic rules of the graph validator and the stores that
OpenAPI cannot express; the server answers them with a 4xx in the error shape, and
`not_a_server_error` and `status_code_conformance` still hold it to that.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ..server_harness import running_server

SEED = 1
EXAMPLES = 40
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@pytest.mark.timeout(600)
def test_schemathesis_finds_no_server_error_and_nothing_undocumented(tmp_path: Path) -> None:
    with running_server(tmp_path / "workspace") as server:
        result = subprocess.run(
            [str(SCHEMATHESIS), "run", f"{server.url}/openapi.json",
             "--checks", "all", "--exclude-checks", "positive_data_acceptance",
             # Pausing the queue would leave every later run waiting (routes that wait for their
             # run, such as one-node runs, would time out); test_server_queue covers pausing.
             "--exclude-path", "/api/queue/pause",
             "--phases", "examples,coverage,fuzzing", "--seed", str(SEED), "--max-examples", str(EXAMPLES),
             "--generation-database", "none", "--workers", "1", "--no-shrink", "--no-color",
             "--request-timeout", "30",  # two shared cores in CI: a slow answer is not a failure
             "--report", "junit", "--report-dir", str(tmp_path / "report")],
            # ~80 operations since this wave's routes (51 when a quiet run took ~20 s); the limit
            # leaves room for a loaded machine (~3 min here with one other process running)
            capture_output=True, text=True, timeout=480, check=False,
            env={**os.environ, "NO_COLOR": "1"},
        )
        log = server.log.read_text(errors="replace")
    summary = result.stdout[-4000:]
    assert result.returncode == 0, result.stdout[:8000] + "\n...\n" + summary + result.stderr[-2000:]
    assert f"Seed: {SEED}" in summary, summary
    assert "Traceback" not in log, log[-4000:]
