"""The cut of a three-scene project exported against a real `auteur serve`, each format read back
by a parser that is not ours: pycmx for the CMX 3600 EDL, OpenTimelineIO's adapters and the XML
structure for FCPXML and FCP7 XML, OpenTimelineIO for .otio. Same clips, order, frame-exact
durations, markers and media paths."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import opentimelineio as otio
import pycmx
import pytest
from pycmx.statements import StmtRemark

from ..server_harness import ServerProcess, save_take

FPS = 24
NARRATIVE = {"chapters": [{"number": 1, "title": "One", "scenes": [
    {"number": 1, "title": "Kitchen", "shots": [
        {"number": 1, "id": "shot-kitchen-wide", "description": "Wide", "duration": 2.0},
        {"number": 2, "id": "shot-kitchen-cup", "description": "The cup", "duration": 1.5},
    ]},
    {"number": 2, "title": "Street", "shots": [
        {"number": 1, "id": "shot-street", "description": "Rain on the street", "duration": 2.5},
    ]},
    {"number": 3, "title": "Roof", "shots": [
        {"number": 1, "id": "shot-roof", "description": "Dawn"},
    ]},
]}]}
# name, shot key, shot id, frames, has media
EXPECTED = [
    ("SC01_SH01", "Chapter_01/Scene_01/Shot_01", "shot-kitchen-wide", 48, True),
    ("SC01_SH02", "Chapter_01/Scene_01/Shot_02", "shot-kitchen-cup", 36, True),
    ("SC02_SH01", "Chapter_01/Scene_02/Shot_01", "shot-street", 60, False),
    ("SC03_SH01", "Chapter_01/Scene_03/Shot_01", "shot-roof", 30, True),
]
NOTE = "Hold on the cup longer"


def _take(client: httpx.Client, server: ServerProcess, shot: str, source: str, args: list[str]) -> int:
    path = server.workspace / "Projects" / "Cut" / "05_Cache" / source
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args, str(path)], check=True)
    save_take(client, "Cut", f"05_Cache/{source}", shot)
    [gallery] = [s for s in client.get("/api/projects/Cut/takes").json()["shots"] if s["shot"] == shot]
    return int(gallery["takes"][-1]["number"])


@pytest.fixture(scope="module")
def client(server: ServerProcess) -> Iterator[httpx.Client]:
    """Three scenes: a 2 s video take with a note at frame 12, a still, a shot without a take,
    and an approved 1.25 s video take whose shot has no duration of its own."""
    with httpx.Client(base_url=server.url, timeout=60) as client:
        assert client.post("/api/projects", json={"name": "Cut"}).status_code == 201
        assert client.patch("/api/projects/Cut", json={"narrative": NARRATIVE}).status_code == 200
        video = ["-f", "lavfi", "-i", f"testsrc=size=64x48:rate={FPS}", "-t"]
        take = _take(client, server, EXPECTED[0][1], "wide.mp4", [*video, "2", "-pix_fmt", "yuv420p"])
        noted = client.post("/api/projects/Cut/takes/notes", json={
            "shot": EXPECTED[0][1], "take": take, "seconds": 0.5, "frame": 12, "text": NOTE})
        assert noted.status_code == 201, noted.text
        _take(client, server, EXPECTED[1][1], "cup.png", ["-f", "lavfi", "-i", "color=c=red:s=64x48", "-frames:v", "1"])
        roof = _take(client, server, EXPECTED[3][1], "roof.mp4", [*video, "1.25", "-pix_fmt", "yuv420p"])
        approved = client.put("/api/projects/Cut/takes/status",
                              json={"shot": EXPECTED[3][1], "take": roof, "status": "approved"})
        assert approved.status_code == 200, approved.text
        yield client


def _export(client: httpx.Client, server: ServerProcess, fmt: str, **scope: int) -> tuple[dict[str, Any], Path]:
    response = client.post("/api/projects/Cut/editorial/exports", json={"format": fmt, **scope})
    assert response.status_code == 201, response.text
    body = response.json()
    return body, server.workspace / "Projects" / "Cut" / body["path"]


def _media(server: ServerProcess, shot: str) -> Path:
    [file] = [p for p in (server.workspace / "Projects" / "Cut" / "03_Renders" / shot).iterdir()
              if p.suffix in (".mp4", ".png")]
    return file.resolve()


def _assert_otio_cut(timeline: otio.schema.Timeline, export: Path, server: ServerProcess, *, gaps_kept: bool) -> None:
    """Clips in order with frame-exact lengths and media found relative to the export."""
    items = [item for item in timeline.video_tracks()[0] if gaps_kept or isinstance(item, otio.schema.Clip)]
    expected = [row for row in EXPECTED if gaps_kept or row[4]]
    assert [round(item.duration().rescaled_to(FPS).value) for item in items] == [row[3] for row in expected]
    clips = [(item, row) for item, row in zip(items, expected, strict=True) if row[4]]
    for clip, row in clips:
        assert clip.name == row[0]
        url = clip.media_reference.target_url.removeprefix("file://")
        assert (export.parent / url).resolve() == _media(server, row[1])


def test_the_otio_export_keeps_every_shot_in_order_with_takes_title_cards_markers_and_shot_ids(
    client: httpx.Client, server: ServerProcess,
) -> None:
    body, path = _export(client, server, "otio")
    assert path.name == "Cut.otio"
    timeline = otio.adapters.read_from_file(str(path))
    track = timeline.video_tracks()[0]
    assert [item.name for item in track] == [row[0] for row in EXPECTED]
    assert [item.metadata["auteur"]["shot_id"] for item in track] == [row[2] for row in EXPECTED]
    assert isinstance(track[2], otio.schema.Gap) and track[2].metadata["auteur"]["title_card"] == "Rain on the street"
    assert track[3].metadata["auteur"]["status"] == "approved"
    [marker] = track[0].markers
    assert marker.name == NOTE and marker.marked_range.start_time.to_frames() == 12
    _assert_otio_cut(timeline, path, server, gaps_kept=True)
    assert body["frames"] == sum(row[3] for row in EXPECTED)
    assert [clip["take"] is not None for clip in body["clips"]] == [row[4] for row in EXPECTED]


def test_the_edl_read_by_pycmx_has_one_event_per_shot_black_for_the_title_card_and_a_locator(
    client: httpx.Client, server: ServerProcess,
) -> None:
    _, path = _export(client, server, "edl")
    with path.open(encoding="utf-8") as handle:
        edl = pycmx.parse_cmx3600(handle)
    edits = [edit for event in edl.events for edit in event.edits]
    assert [edit.clip_name for edit in edits] == [row[0] for row in EXPECTED]
    assert [edit.black for edit in edits] == [not row[4] for row in EXPECTED]
    record = [otio.opentime.from_timecode(edit.record_in, FPS).to_frames() for edit in edits]
    ends = [otio.opentime.from_timecode(edit.record_out, FPS).to_frames() for edit in edits]
    assert [end - start for start, end in zip(record, ends, strict=True)] == [row[3] for row in EXPECTED]
    assert record[1:] == ends[:-1]  # back to back: the title card keeps its place in the cut
    for edit, row in zip(edits, EXPECTED, strict=True):
        if row[4]:
            assert (path.parent / str(edit.source_file)).resolve() == _media(server, row[1])
    # pycmx keeps a LOC line as a remark of its event (it has no locator type of its own)
    locators = [(number, s.text) for number, event in enumerate(edl.events)
                for s in event.statements if isinstance(s, StmtRemark) and s.text.startswith("LOC:")]
    assert locators == [(0, f"LOC: 01:00:00:12 RED     {NOTE}")]


def test_fcpxml_and_fcp7_xml_are_read_back_by_otio_with_the_same_clips_lengths_and_media(
    client: httpx.Client, server: ServerProcess,
) -> None:
    for fmt, adapter in (("fcpxml", "fcpx_xml"), ("fcp7", "fcp_xml")):
        _, path = _export(client, server, fmt)
        root = ET.parse(path).getroot()
        assert root.tag == ("fcpxml" if fmt == "fcpxml" else "xmeml")
        timeline = otio.adapters.read_from_file(str(path), adapter_name=adapter)
        _assert_otio_cut(timeline, path, server, gaps_kept=True)
        markers = [m for clip in timeline.video_tracks()[0].find_clips() for m in clip.markers]
        assert [m.name for m in markers] == [NOTE], fmt


def test_a_scene_is_exported_alone_and_an_unknown_scene_is_a_404_in_the_error_shape(
    client: httpx.Client, server: ServerProcess,
) -> None:
    body, path = _export(client, server, "otio", chapter=1, scene=1)
    assert path.name == "Cut_Chapter_01_Scene_01.otio"
    assert [clip["name"] for clip in body["clips"]] == ["SC01_SH01", "SC01_SH02"]
    missing = client.post("/api/projects/Cut/editorial/exports", json={"format": "edl", "chapter": 1, "scene": 9})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "scene_not_found"
    bad = client.post("/api/projects/Cut/editorial/exports", json={"format": "avid"})
    assert bad.status_code == 422 and "error" in bad.json()
    orphan = client.post("/api/projects/Cut/editorial/exports", json={"format": "otio", "scene": 1})
    assert orphan.status_code == 422 and "chapter" in orphan.text
    for value in (0, 1, "yes"):  # not JSON booleans: refused, never read as one
        loose = client.post("/api/projects/Cut/editorial/exports", json={"format": "otio", "zip": value})
        assert loose.status_code == 422 and "error" in loose.json(), (value, loose.text)
