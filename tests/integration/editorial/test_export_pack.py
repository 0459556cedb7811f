"""The editorial pack's export node and the zip option, against a real `auteur serve`: a graph
produces the cut packed with its media (each entry the take's own bytes, every media path of the
timeline an entry), the route packs an EDL the same way, and a scene whose animatic has a
soundtrack gets it on an audio track under its shots (OTIO and the EDL's audio event)."""

from __future__ import annotations

import hashlib
import io
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import opentimelineio as otio
import pycmx
import pytest

from nodes.sdk.takes import Provenance, SceneCoords, promote

from ..server_harness import ServerProcess, save_take, wait_for_status

FPS = 24
PROJECT = "Pack"
NARRATIVE = {"chapters": [{"number": 1, "title": "One", "scenes": [
    {"number": 1, "title": "Kitchen", "shots": [
        {"number": 1, "id": "shot-wide", "description": "Wide", "duration": 2.0},
        {"number": 2, "id": "shot-cup", "description": "The cup", "duration": 1.0},
    ]},
    {"number": 2, "title": "Street", "shots": [{"number": 1, "id": "shot-rain", "description": "Rain", "duration": 1.5}]},
]}]}
SCENE_FRAMES = 72  # scene 1: 2 s + 1 s


def _ffmpeg(out: Path, *args: str) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args, str(out)], check=True)


@pytest.fixture(scope="module")
def client(server: ServerProcess) -> Iterator[httpx.Client]:
    """Scene 1: two video takes and a 4 s animatic with a soundtrack; scene 2: a title card."""
    root = server.workspace / "Projects" / PROJECT
    with httpx.Client(base_url=server.url, timeout=60) as client:
        assert client.post("/api/projects", json={"name": PROJECT}).status_code == 201
        assert client.patch(f"/api/projects/{PROJECT}", json={"narrative": NARRATIVE}).status_code == 200
        for number, seconds in ((1, "2"), (2, "1")):
            _ffmpeg(root / "05_Cache" / f"s{number}.mp4", "-f", "lavfi", "-i", f"testsrc=size=64x48:rate={FPS}",
                    "-t", seconds, "-pix_fmt", "yuv420p")
            save_take(client, PROJECT, f"05_Cache/s{number}.mp4", f"Chapter_01/Scene_01/Shot_{number:02d}")
        animatic = root / "05_Cache" / "animatic.mp4"
        _ffmpeg(animatic, "-f", "lavfi", "-i", f"color=c=blue:s=64x48:rate={FPS}", "-f", "lavfi",
                "-i", "sine=frequency=440:sample_rate=48000", "-t", "4", "-pix_fmt", "yuv420p", "-shortest")
        coords = SceneCoords(1, 1)  # what production.animatic saves: the scene's own take
        promote(animatic, root / coords.folder, coords,
                Provenance(take_number=0, shot=coords.key, run_id="animatic-run", node_id="1", tier="standard"), ".mp4")
        yield client


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_an_export_node_in_a_graph_packs_the_cut_with_its_media_in_a_zip(
    client: httpx.Client, server: ServerProcess,
) -> None:
    graph = {"1": {"class_type": "editorial.export", "inputs": {"format": "otio", "zip": True, "chapter": 1}}}
    submitted = client.post("/api/runs", json={"graph": graph, "project": PROJECT})
    assert submitted.status_code == 202, submitted.text
    run = wait_for_status(client, submitted.json()["run_id"], {"completed", "failed"})
    assert run["status"] == "completed", run
    out = run["outputs"]["1"]
    assert out["file"] == "06_Exports/Editorial/Pack_Chapter_01.otio.zip" and out["frames"] == SCENE_FRAMES + 36
    root = server.workspace / "Projects" / PROJECT
    with zipfile.ZipFile(root / out["file"]) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert names == ["Pack_Chapter_01.otio", "media/S01_S01_take01.mp4", "media/S01_S02_take01.mp4",
                         "media/S01_S00_take01.mp4"]
        for name in names[1:]:  # each packed file is its take, byte for byte
            [take] = list((root / "03_Renders").rglob(Path(name).name))
            assert _sha(archive.read(name)) == _sha(take.read_bytes())
        timeline = otio.adapters.read_from_string(archive.read(names[0]).decode(), adapter_name="otio_json")
    urls = [clip.media_reference.target_url for clip in timeline.find_clips()]
    assert set(urls) == set(names[1:])  # every media path is an entry of the zip
    [sound] = timeline.audio_tracks()[0].find_clips()
    assert sound.range_in_parent().start_time.to_frames() == 0
    assert sound.duration().to_frames() == SCENE_FRAMES  # the 4 s soundtrack cut to its scene


def test_the_soundtrack_is_an_audio_track_of_the_otio_and_an_audio_event_of_the_edl(
    client: httpx.Client, server: ServerProcess,
) -> None:
    root = server.workspace / "Projects" / PROJECT
    body = client.post(f"/api/projects/{PROJECT}/editorial/exports", json={"format": "otio"}).json()
    assert body["soundtracks"] == 1 and body["packed"] == []
    timeline = otio.adapters.read_from_file(str(root / body["path"]))
    [sound] = timeline.audio_tracks()[0].find_clips()
    export_dir = (root / body["path"]).parent
    assert (export_dir / sound.media_reference.target_url).resolve() == next(
        (root / SceneCoords(1, 1).folder).glob("*.mp4")).resolve()
    packed = client.post(f"/api/projects/{PROJECT}/editorial/exports", json={"format": "edl", "zip": True})
    assert packed.status_code == 201, packed.text
    assert packed.json()["packed"][0] == "Pack.edl"
    with zipfile.ZipFile(root / packed.json()["path"]) as archive:
        edl = pycmx.parse_cmx3600(io.StringIO(archive.read("Pack.edl").decode()))
    edits = [edit for event in edl.events for edit in event.edits]
    audio = [edit for edit in edits if edit.channels.get_audio_channel(1)]
    assert [edit.source_file for edit in audio] == ["media/S01_S00_take01.mp4"]
    assert (audio[0].record_in, audio[0].record_out) == ("01:00:00:00", "01:00:03:00")
    assert [e.clip_name for e in edits if e.channels.video] == ["SC01_SH01", "SC01_SH02", "SC02_SH01"]


def test_the_export_node_outside_a_project_says_it_needs_one(client: httpx.Client) -> None:
    graph = {"1": {"class_type": "editorial.export", "inputs": {"format": "edl"}}}
    run = wait_for_status(client, client.post("/api/runs", json={"graph": graph}).json()["run_id"],
                          {"completed", "failed"})
    assert run["status"] == "failed" and "project" in run["errors"][0]["message"].lower(), run
