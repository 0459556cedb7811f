"""Conform against a real `auteur serve`: an edit made elsewhere (a CMX 3600 EDL with two shots
swapped and one trimmed, an FCP7 XML with a shot cut and a new clip) previewed, then applied to
project.json as one Git commit, the take files byte-identical before and after; hostile edits
refused in the error shape."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import opentimelineio as otio
import pycmx
import pytest

from ..server_harness import ServerProcess, save_take

FPS = 24
PROJECT = "Conform"
NARRATIVE = {"chapters": [{"number": 1, "title": "One", "scenes": [
    {"number": 1, "title": "Kitchen", "shots": [
        {"number": 1, "id": "shot-a", "description": "Wide", "duration": 2.0},
        {"number": 2, "id": "shot-b", "description": "The cup", "duration": 2.0},
        {"number": 3, "id": "shot-c", "description": "Her hands", "duration": 2.0},
    ]},
    {"number": 2, "title": "Street", "shots": [{"number": 1, "id": "shot-d", "description": "Rain", "duration": 1.5}]},
]}]}
SHOT = "Chapter_01/Scene_01/Shot_{:02d}"


@pytest.fixture(scope="module")
def client(server: ServerProcess) -> Iterator[httpx.Client]:
    """Scene 1: three shots, each a 2 s video take; scene 2: one shot without a take."""
    with httpx.Client(base_url=server.url, timeout=60) as client:
        assert client.post("/api/projects", json={"name": PROJECT}).status_code == 201
        assert client.patch(f"/api/projects/{PROJECT}", json={"narrative": NARRATIVE}).status_code == 200
        for number in (1, 2, 3):
            source = server.workspace / "Projects" / PROJECT / "05_Cache" / f"shot{number}.mp4"
            source.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"testsrc=size=64x48:rate={FPS}",
                            "-t", "2", "-pix_fmt", "yuv420p", str(source)], check=True)
            save_take(client, PROJECT, f"05_Cache/shot{number}.mp4", SHOT.format(number))
        yield client


def _root(server: ServerProcess) -> Path:
    return server.workspace / "Projects" / PROJECT


def _take_hashes(server: ServerProcess) -> dict[str, str]:
    renders = _root(server) / "03_Renders"
    return {p.relative_to(renders).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(renders.rglob("*")) if p.is_file()}


def _export(client: httpx.Client, server: ServerProcess, fmt: str) -> str:
    response = client.post(f"/api/projects/{PROJECT}/editorial/exports", json={"format": fmt})
    assert response.status_code == 201, response.text
    return (_root(server) / response.json()["path"]).read_text(encoding="utf-8")


def _tc(frames: int) -> str:
    return str(otio.opentime.to_timecode(otio.opentime.RationalTime(frames, FPS), FPS))


def _edl(events: list[tuple[str, str | None, int, int]]) -> str:
    """An EDL as an editing application writes one: (clip name, source file, source in, frames)."""
    lines, at = ["TITLE: Conform recut", "FCM: NON-DROP FRAME", ""], 3600 * FPS
    for number, (name, source, source_in, frames) in enumerate(events, start=1):
        reel = "AX" if source else "BL"
        lines.append(f"{number:03d}  {reel:<8} V     C        {_tc(source_in)} {_tc(source_in + frames)} "
                     f"{_tc(at)} {_tc(at + frames)}")
        lines.append(f"* FROM CLIP NAME: {name}")
        if source:
            lines.append(f"* SOURCE FILE: {source}")
        lines.append("")
        at += frames
    return "\n".join(lines)


def _sources(client: httpx.Client, server: ServerProcess) -> dict[str, str]:
    """Clip name -> source file in the project's own EDL export."""
    edl = pycmx.parse_cmx3600(io.StringIO(_export(client, server, "edl")))
    return {edit.clip_name: str(edit.source_file) for event in edl.events for edit in event.edits}


def _post(client: httpx.Client, action: str, body: dict[str, Any]) -> httpx.Response:
    return client.post(f"/api/projects/{PROJECT}/editorial/conform/{action}", json=body)


def test_an_edl_with_two_shots_swapped_and_one_trimmed_renumbers_the_scene_in_one_commit_and_the_takes_follow(
    client: httpx.Client, server: ServerProcess,
) -> None:
    sources = _sources(client, server)
    edit = _edl([("SC01_SH02", sources["SC01_SH02"], 0, 48), ("SC01_SH01", sources["SC01_SH01"], 0, 48),
                 ("SC01_SH03", sources["SC01_SH03"], 6, 30), ("SC02_SH01", None, 0, 36)])
    takes_before = _take_hashes(server)
    commits_before = client.get(f"/api/projects/{PROJECT}/git/log").json()["commits"]

    preview = _post(client, "preview", {"content": edit})
    assert preview.status_code == 200, preview.text
    plan = preview.json()
    assert plan["format"] == "edl" and plan["changed"] and plan["removed"] == [] and plan["added"] == []
    assert plan["scenes"][0]["after"] == [SHOT.format(2), SHOT.format(1), SHOT.format(3)]
    trimmed = next(s for s in plan["shots"] if s["shot"] == SHOT.format(3))
    assert (trimmed["new_duration"], trimmed["new_source_in"], trimmed["matched_by"]) == (1.25, 0.25, "media")
    assert client.get(f"/api/projects/{PROJECT}/git/log").json()["commits"] == commits_before  # a preview writes nothing

    applied = _post(client, "apply", {"content": edit, "plan": plan["plan"]})
    assert applied.status_code == 200, applied.text
    # The answer names each shot as it is now (b took number 1), not by the preview's old numbers.
    answer = applied.json()["applied"]
    assert [(s["shot_id"], s["shot"]) for s in answer["shots"]] == [
        ("shot-b", SHOT.format(1)), ("shot-a", SHOT.format(2)), ("shot-c", SHOT.format(3)),
        ("shot-d", "Chapter_01/Scene_02/Shot_01")]
    assert answer["scenes"][0]["after"] == [SHOT.format(n) for n in (1, 2, 3)]
    assert answer["scenes"][0]["before"] == [SHOT.format(n) for n in (2, 1, 3)]  # a, b, c by their new numbers
    scene = client.get(f"/api/projects/{PROJECT}").json()["narrative"]["chapters"][0]["scenes"][0]
    # One numbering rule with the shot list's reorder: a shot's number is its place, so the scene
    # reads 1, 2, 3 in the cut's order and each renumbered shot's takes moved with it.
    assert [(s["number"], s["id"], s["duration"], s["sourceIn"]) for s in scene["shots"]] == [
        (1, "shot-b", 2.0, 0.0), (2, "shot-a", 2.0, 0.0), (3, "shot-c", 1.25, 0.25)]
    assert [[take["path"] for take in s["takes"]] for s in scene["shots"]] == [
        [f"03_Renders/{SHOT.format(n)}/S01_S{n:02d}_take01.mp4"] for n in (1, 2, 3)]
    commits = client.get(f"/api/projects/{PROJECT}/git/log").json()["commits"]
    assert len(commits) == len(commits_before) + 1  # one commit...
    commit = applied.json()["commit"]
    assert commits[0]["sha"] == commit["sha"] and commit["message"] == "Conform: the cut from the edl edit"
    assert commit["files"] == ["project.json"]  # ...of project.json alone
    # The render folders are the project's shots': no placeholder folder of a shot that is gone
    # (the new project's Acts II and III) is left behind.
    renders = _root(server) / "03_Renders"
    assert sorted(p.relative_to(renders).as_posix() for p in renders.glob("*/*/*")) == [SHOT.format(n) for n in (1, 2, 3)]
    media_after = _take_hashes(server)
    moved = {f"{SHOT.format(1)}/S01_S01_take01.mp4": f"{SHOT.format(2)}/S01_S02_take01.mp4",
             f"{SHOT.format(2)}/S01_S02_take01.mp4": f"{SHOT.format(1)}/S01_S01_take01.mp4"}
    for path, digest in takes_before.items():  # every take's media byte-identical, b's and a's swapped
        if path.endswith(".mp4"):
            assert media_after[moved.get(path, path)] == digest, path
    # The next export is the conformed cut: the swapped order, the trim from its new in point.
    text = _export(client, server, "edl")
    recut = pycmx.parse_cmx3600(io.StringIO(text))
    edits = [edit for event in recut.events for edit in event.edits]
    assert [e.clip_name for e in edits] == ["SC01_SH01", "SC01_SH02", "SC01_SH03", "SC02_SH01"]
    assert re.findall(r"AUTEUR SHOT ID: (\S+)", text) == ["shot-b", "shot-a", "shot-c", "shot-d"]
    assert otio.opentime.from_timecode(edits[2].source_in, FPS).to_frames() == 6
    # Applying the same edit again is stale: the plan it confirmed no longer describes the project.
    again = _post(client, "apply", {"content": edit, "plan": plan["plan"]})
    assert again.status_code == 409 and again.json()["error"]["code"] == "conform_stale"


def test_an_fcp7_xml_without_a_shot_and_with_a_new_clip_shows_it_removed_and_added(
    client: httpx.Client, server: ServerProcess,
) -> None:
    timeline = otio.adapters.read_from_string(_export(client, server, "fcp7"), adapter_name="fcp_xml")
    track = timeline.video_tracks()[0]
    del track[0]  # the editor cut the first shot of the cut...
    new = otio.schema.Clip(name="pickup", media_reference=otio.schema.ExternalReference(
        target_url="file:///Volumes/Edit/pickup_v2.mov",
        available_range=otio.opentime.TimeRange(duration=otio.opentime.RationalTime(100, FPS))),
        source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(10, FPS), otio.opentime.RationalTime(24, FPS)))
    track.insert(1, new)  # ...and put a pickup shot after the next one
    plan = _post(client, "preview", {"content": otio.adapters.write_to_string(timeline, adapter_name="fcp_xml")})
    assert plan.status_code == 200, plan.text
    body = plan.json()
    assert body["format"] == "fcp7"
    cut_shot = body["scenes"][0]["before"][0]
    assert [r["shot"] for r in body["removed"]] == [cut_shot]
    assert body["kept"] == ["Chapter_01/Scene_02/Shot_01"]  # FCP7 XML drops a title card at the end
    [added] = body["added"]
    assert (added["clip"], added["new_duration"], added["position"]) == ("pickup", 1.0, 2)
    assert added["shot"] == SHOT.format(4) and added["media"] == "file:///Volumes/Edit/pickup_v2.mov"
    # FCP7 XML keeps no OTIO metadata, but a clip's master comment names its shot.
    assert {(s["shot_id"], s["matched_by"]) for s in body["shots"]} == {("shot-a", "metadata"), ("shot-c", "metadata")}
    # An unchanged .otio export matches every shot by its metadata and changes nothing.
    same = _post(client, "preview", {"content": _export(client, server, "otio"), "format": "otio"}).json()
    assert not same["changed"] and {s["matched_by"] for s in same["shots"]} == {"metadata"}
    # Final Cut's own <!DOCTYPE fcpxml> is no declaration to refuse: an FCPXML export conforms too.
    fcpxml = _post(client, "preview", {"content": _export(client, server, "fcpxml")})
    assert fcpxml.status_code == 200 and fcpxml.json()["format"] == "fcpxml", fcpxml.text


def _otio_clip(duration: str) -> str:
    """A one-clip .otio whose clip lasts `duration` frames (a JSON number, NaN included)."""
    time = '{"OTIO_SCHEMA": "RationalTime.1", "rate": 24, "value": %s}'
    clip = ('{"OTIO_SCHEMA": "Clip.1", "source_range": {"OTIO_SCHEMA": "TimeRange.1", "start_time": '
            + time % "0" + ', "duration": ' + time % duration + "}}")
    return ('{"OTIO_SCHEMA": "Timeline.1", "tracks": {"OTIO_SCHEMA": "Stack.1", "children": '
            '[{"OTIO_SCHEMA": "Track.1", "kind": "Video", "children": [' + clip + "]}]}}")


@pytest.mark.parametrize(("content", "code"), [
    ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><xmeml>&b;</xmeml>',
     "edit_unreadable"),  # billion laughs
    ('<?xml version="1.0"?><!DOCTYPE fcpxml SYSTEM "file:///etc/passwd"><fcpxml version="1.8"/>', "edit_unreadable"),
    ('{"OTIO_SCHEMA": "Timeline.1", "tracks": ' + '[' * 5000 + ']' * 5000 + "}", "edit_unreadable"),
    ("TITLE: nothing here\n", "edit_unreadable"),
    (_otio_clip("1e300"), "edit_unreadable"),  # a clip longer than any cut
    (_otio_clip("NaN"), "edit_unreadable"),
    ("x" * (8 * 1024 * 1024 + 1), "edit_too_large"),
])
def test_hostile_edits_are_refused_in_the_error_shape(client: httpx.Client, content: str, code: str) -> None:
    answer = _post(client, "preview", {"content": content})
    assert 400 <= answer.status_code < 500 and answer.json()["error"]["code"] == code, answer.text[:300]


def test_a_clip_named_like_a_path_is_only_ever_text(client: httpx.Client, server: ServerProcess) -> None:
    sources = _sources(client, server)
    edit = _edl([("SC01_SH01", sources["SC01_SH01"], 0, 24), ("../../../../etc/passwd", "/etc/passwd", 0, 24)])
    body = _post(client, "preview", {"content": edit}).json()
    [added] = body["added"]
    assert added["clip"] == "../../../../etc/passwd" and added["media"] == "/etc/passwd"
    assert added["shot"].startswith("Chapter_01/Scene_01/Shot_")


def test_an_edl_of_ours_finds_each_shot_by_its_stable_id_after_the_shot_list_was_renumbered(
    client: httpx.Client, server: ServerProcess,
) -> None:
    before = _export(client, server, "edl")  # scene 1 is b, a, c (numbered 1, 2, 3) since the first test
    assert "* AUTEUR SHOT ID: shot-b" in before
    # The shot list renumbers the scene 1…n in its new order, moving each shot's takes with it:
    # the file the old list names for b (Shot_01/…) now belongs to a.
    reordered = client.put(f"/api/projects/{PROJECT}/shots/order", json={"chapter": 1, "scene": 1, "order": [2, 1, 3]})
    assert reordered.status_code == 200, reordered.text
    plan = _post(client, "preview", {"content": before}).json()
    matched = [(s["clip"], s["shot_id"], s["shot"], s["matched_by"]) for s in plan["shots"]]
    assert matched[:3] == [("SC01_SH01", "shot-b", SHOT.format(2), "metadata"),
                           ("SC01_SH02", "shot-a", SHOT.format(1), "metadata"),
                           ("SC01_SH03", "shot-c", SHOT.format(3), "metadata")]
    assert plan["scenes"][0]["after"] == [SHOT.format(2), SHOT.format(1), SHOT.format(3)]  # b before a again


def test_a_clip_longer_than_a_shot_can_be_is_refused_as_the_shot_list_refuses_that_duration(
    client: httpx.Client, server: ServerProcess,
) -> None:
    sources = _sources(client, server)
    edit = _edl([("SC01_SH01", sources["SC01_SH01"], 0, 601 * FPS)])
    refused = _post(client, "preview", {"content": edit})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "conform_duration_invalid", refused.text
    assert refused.json()["error"]["message"].endswith("duration: Input should be less than or equal to 600")
    edited = client.patch(f"/api/projects/{PROJECT}/shots",
                          json={"shot": SHOT.format(1), "base": {}, "changes": {"duration": 601}})
    assert edited.json()["error"]["message"] == "changes.duration: Input should be less than or equal to 600"
