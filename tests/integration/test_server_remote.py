"""`auteur run --server URL` against a real server: progress on stderr, record with --json."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from .server_harness import AUTEUR, chain_prompt, running_server, sleep_prompt


def auteur_run(graph: dict, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / f"graph-{len(list(tmp_path.glob('graph-*')))}.json"
    path.write_text(json.dumps(graph))
    return subprocess.run([*AUTEUR, "run", str(path), *args], capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, "AUTEUR_WORKSPACE": str(tmp_path / "client")})


@pytest.mark.slow
def test_run_with_server_submits_follows_progress_and_prints_the_record(tmp_path: Path) -> None:
    with running_server(tmp_path / "ws") as server:
        done = auteur_run(sleep_prompt(0.3, value="remote"), tmp_path, "--server", server.url, "--json")
        assert done.returncode == 0, done.stderr
        record = json.loads(done.stdout)
        assert record["status"] == "completed" and record["outputs"] == {"2": {"value": "remote"}}
        assert "submitted run" in done.stderr and "1: completed" in done.stderr and "run completed" in done.stderr

        overridden = auteur_run(chain_prompt(1, 1), tmp_path, "--server", server.url, "--set", "1.value=41", "--json")
        assert json.loads(overridden.stdout)["outputs"] == {"3": {"value": 42}}

        failing = {"1": {"class_type": "test.fail", "inputs": {"message": "nope"}},
                   "2": {"class_type": "core.show", "inputs": {"value": ["1", 0]}}}
        assert auteur_run(failing, tmp_path, "--server", server.url).returncode == 1

        refused = auteur_run({"1": {"class_type": "vendor.x", "inputs": {}}}, tmp_path, "--server", server.url)
        assert refused.returncode == 2
        assert "validation_failed" in refused.stderr and "unknown node type" in refused.stderr
    unreachable = auteur_run(chain_prompt(), tmp_path, "--server", server.url)
    assert unreachable.returncode == 3 and "cannot reach" in unreachable.stderr
