"""Takes are honest: identical graphs run at once each report the one take their bytes are in, and
that take's provenance lists every one of those runs."""

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


def test_identical_graphs_run_at_once_share_one_take_that_lists_every_run(
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
    assert set(reported.values()) == {1}, reported
    provenance = json.loads((shot_dir / "S01_S01_take01.provenance.json").read_text())
    assert provenance["status"] == "complete" and (shot_dir / provenance["file"]).is_file()
    assert sorted(run["run_id"] for run in provenance["runs"]) == sorted(run_ids)
    assert not (shot_dir / "S01_S01_take02.provenance.json").exists()


def test_a_rerun_of_an_unchanged_graph_reports_the_take_it_already_made(
    server: ServerProcess, client: httpx.Client
) -> None:
    path = "01_Assets/Styles/hero.png"
    graph = {
        "1": {"class_type": "media.load", "inputs": {"path": path}},
        "2": {"class_type": "production.save_take", "inputs": {"media": ["1", 0], "shot": 2}},
    }
    numbers, run_ids = [], []
    for _ in range(2):
        run_id = client.post("/api/runs", json={"graph": graph, "project": "Film"}).json()["run_id"]
        run = wait_for_status(client, run_id, {"completed", "failed"})
        assert run["status"] == "completed" and run["nodes"]["1"]["status"] in {"cached", "completed"}
        assert run["nodes"]["2"]["status"] == "completed"
        numbers.append(run["outputs"]["2"]["take_number"])
        run_ids.append(run_id)
    assert numbers == [1, 1]
    provenance = Path(server.workspace / "Projects/Film/03_Renders/Chapter_01/Scene_01/Shot_02",
                      "S01_S02_take01.provenance.json")
    record = json.loads(provenance.read_text())
    assert record["run_id"] == run_ids[0] and [run["run_id"] for run in record["runs"]] == run_ids


@pytest.mark.parametrize("shot_id", ["../../../outside", "Chapter_01/Scene_01/Shot_01", "sh-x\u0000", "*", "s" * 5000])
def test_a_hostile_shot_id_files_no_take_anywhere(server: ServerProcess, client: httpx.Client, shot_id: str) -> None:
    graph = {
        "1": {"class_type": "media.load", "inputs": {"path": "01_Assets/Styles/hero.png"}},
        "2": {"class_type": "production.save_take", "inputs": {"media": ["1", 0], "shot_id": shot_id}},
    }
    answer = client.post("/api/runs", json={"graph": graph, "project": "Film"})
    assert answer.status_code in {202, 400, 422}, answer.text
    if answer.status_code == 202:
        run = wait_for_status(client, answer.json()["run_id"], {"completed", "failed"})
        assert run["status"] == "failed" and run["nodes"]["2"]["error"]["code"] == "shot_not_found", run
    renders = server.workspace / "Projects/Film/03_Renders"
    assert sorted(p.relative_to(renders).as_posix() for p in renders.rglob("*take*") if p.suffix != ".json") == [
        "Chapter_01/Scene_01/Shot_01/S01_S01_take01.png", "Chapter_01/Scene_01/Shot_02/S01_S02_take01.png"]
