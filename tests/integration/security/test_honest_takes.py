"""Cached takes are honest: identical graphs run at once each report the take they made."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from ..server_harness import ServerProcess, running_server, wait_for_status

SHOT = "03_Renders/Chapter_01/Scene_01/Shot_01"
RUNS = 4


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with running_server(tmp_path_factory.mktemp("takes")) as server:
        yield server


@pytest.fixture(scope="module")
def client(server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def still(server: ServerProcess, client: httpx.Client) -> str:
    """A project `Film` with a real PNG uploaded into it; the PNG's project path."""
    assert client.post("/api/projects", json={"name": "Film"}).status_code == 201
    png = server.workspace / "hero.png"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=64x48",
                    "-frames:v", "1", str(png)], check=True)
    with png.open("rb") as handle:
        answer = client.post("/api/projects/Film/assets", data={"category": "Styles"},
                             files={"file": ("hero.png", handle, "image/png")})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["path"])


def test_identical_graphs_run_at_once_each_report_the_take_they_made(
    server: ServerProcess, client: httpx.Client
) -> None:
    path = still(server, client)
    graph = {
        "1": {"class_type": "media.load", "inputs": {"path": path}},
        "2": {"class_type": "production.save_take", "inputs": {"media": ["1", 0]}},
    }

    def submit(_: int) -> str:
        answer = client.post("/api/runs", json={"graph": graph, "project": "Film"})
        assert answer.status_code == 202, answer.text
        return str(answer.json()["run_id"])

    with ThreadPoolExecutor(RUNS) as pool:
        run_ids = list(pool.map(submit, range(RUNS)))
    runs = [wait_for_status(client, run_id, {"completed", "failed"}) for run_id in run_ids]
    assert all(run["status"] == "completed" for run in runs), [run["errors"] for run in runs]

    shot_dir = server.workspace / "Projects" / "Film" / SHOT
    reported = {run["run_id"]: run["outputs"]["2"]["take_number"] for run in runs}
    assert sorted(reported.values()) == list(range(1, RUNS + 1)), reported
    for run_id, number in reported.items():
        provenance = json.loads((shot_dir / f"S01_S01_take{number:02d}.provenance.json").read_text())
        assert provenance["run_id"] == run_id and provenance["status"] == "complete"
        assert (shot_dir / provenance["file"]).is_file()


def test_a_rerun_of_an_unchanged_graph_saves_a_new_take_and_says_so(
    server: ServerProcess, client: httpx.Client
) -> None:
    path = "01_Assets/Styles/hero.png"
    graph = {
        "1": {"class_type": "media.load", "inputs": {"path": path}},
        "2": {"class_type": "production.save_take", "inputs": {"media": ["1", 0], "shot": 2}},
    }
    numbers = []
    for _ in range(2):
        run_id = client.post("/api/runs", json={"graph": graph, "project": "Film"}).json()["run_id"]
        run = wait_for_status(client, run_id, {"completed", "failed"})
        assert run["status"] == "completed" and run["nodes"]["1"]["status"] in {"cached", "completed"}
        assert run["nodes"]["2"]["status"] == "completed"
        numbers.append(run["outputs"]["2"]["take_number"])
        provenance = Path(server.workspace / "Projects/Film/03_Renders/Chapter_01/Scene_01/Shot_02",
                          f"S01_S02_take{numbers[-1]:02d}.provenance.json")
        assert json.loads(provenance.read_text())["run_id"] == run_id
    assert numbers == [1, 2]
