"""The bundled template "Review takes on the speakers", run on a real server in a project."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from nodes.sdk.takes import Provenance, ShotCoords, promote

from ..server_harness import ServerProcess, wait_for_status
from .conftest import PROJECT, write_wav
from .sonos_double import SonosSystem

TEMPLATE = Path(__file__).resolve().parents[3] / "workspace_templates/graphs/review_takes_on_speakers.json"


def _take(project_root: Path, source: Path, shot: int) -> None:
    coords = ShotCoords(2, 1, shot)
    record = Provenance(take_number=0, shot=coords.key, run_id=f"tpl-{shot}", node_id="1", tier="standard")
    promote(source, project_root / coords.folder, coords, record, source.suffix)


def test_the_review_template_plays_each_shots_active_take_in_order_on_the_chosen_speaker(
    sonos: SonosSystem, media_server: ServerProcess, project_root: Path, tmp_path: Path
) -> None:
    for shot in (1, 2):
        _take(project_root, write_wav(tmp_path / f"shot{shot}.wav", freq=200 * shot), shot)
    template = json.loads(TEMPLATE.read_text())
    assert [p["label"] for p in template["parameters"]] == ["speaker", "chapter", "scene"]
    with httpx.Client(base_url=media_server.url, timeout=30) as client:
        response = client.post("/api/runs", json={
            "graph": template, "project": PROJECT, "params": {"speaker": "Control Room", "chapter": 2, "scene": 1},
        })
        assert response.status_code == 202, response.text
        run = wait_for_status(client, response.json()["run_id"], {"completed", "failed"})
    assert run["status"] == "completed", run.get("errors") or run["nodes"]
    uris = [args["CurrentURI"] for ip, _, action, args in sonos.changes() if action == "SetAVTransportURI"]
    assert [u.rsplit("/", 1)[-1] for u in uris] == ["S01_S01_take01.wav", "S01_S02_take01.wav"]
    assert all("/Chapter_02/" in u for u in uris)
    assert [f.status for f in sonos.fetches] == [200, 200]
