"""The bundled media templates run headless with `auteur run --json` on real media."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from function_runners.execute import principal_scratch

from .media_fixtures import ffmpeg, integrated_loudness, make_speech, make_video, stream

REPO_ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = REPO_ROOT / "workspace_templates" / "graphs"
AUTEUR = Path(sys.executable).with_name("auteur")


def auteur_run(workspace: Path, template: str, *args: str) -> dict[str, Any]:
    """`auteur run TEMPLATE --json ...` in a subprocess; the run record it printed."""
    env = {**os.environ, "AUTEUR_WORKSPACE": str(workspace)}
    done = subprocess.run(
        [str(AUTEUR), "run", str(TEMPLATES / template), "--json", *args],
        cwd=workspace.parent, env=env, capture_output=True, text=True, timeout=280, check=False,
    )
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    record: dict[str, Any] = json.loads(done.stdout)
    assert record["status"] == "completed", record
    assert all(node["status"] == "completed" for node in record["nodes"].values()), record["nodes"]
    return record


def local_media(workspace: Path) -> Path:
    """Where a project-less `auteur run` finds `media/…`: the local user's scratch folder."""
    folder = principal_scratch(workspace, "local") / "media"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _file(workspace: Path, ref: dict[str, Any]) -> Path:
    path = workspace / ref["path"]
    assert path.is_file(), ref
    return path


def test_screencast_template_trims_and_thumbnails_a_recording(workspace: Path) -> None:
    make_video(local_media(workspace) / "screencast.mp4", seconds=10, size="640x480", gop=25)
    record = auteur_run(workspace, "screencast_trim_thumbnail.json", "--tier", "low",
                        "--set", "2.duration=00:00:03")
    clip = _file(workspace, record["nodes"]["2"]["outputs"]["video"])
    thumb = _file(workspace, record["nodes"]["3"]["outputs"]["image"])
    assert abs(float(stream(clip, "video")["duration"]) - 3.0) <= 1.0  # one GOP
    assert stream(thumb, "video")["width"] == 320  # the low tier's thumbnail width
    assert set(record["outputs"]) == {"4", "5"}


def test_meeting_template_writes_an_srt_of_what_was_said(workspace: Path) -> None:
    speech = make_speech(workspace / "speech.wav", "Please open the door and turn on the lights.")
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=4", "-i", str(speech),
           "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest",
           str(local_media(workspace) / "meeting.mp4"))
    record = auteur_run(workspace, "meeting_transcribe_srt.json", "--tier", "low")
    srt = _file(workspace, record["nodes"]["5"]["outputs"]["file"]).read_text()
    assert srt.startswith("1\n00:00:0") and "lights" in srt.lower()
    normalised = _file(workspace, record["nodes"]["3"]["outputs"]["audio"])
    assert int(stream(normalised, "audio")["sample_rate"]) == 48_000
    assert record["outputs"]["7"]["value"]["language"] == "en"


def test_music_template_normalises_and_splits_into_four_stems(workspace: Path) -> None:
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=110:sample_rate=44100:duration=6",
           "-f", "lavfi", "-i", "anoisesrc=d=6:a=0.05:r=44100:c=pink",
           "-filter_complex", "[0][1]amix=inputs=2,volume=0.2", "-ac", "2",
           str(local_media(workspace) / "music.wav"))
    record = auteur_run(workspace, "music_stems_loudness.json", "--tier", "low",
                        "--set", "3.model=demucs_unittest")
    master = _file(workspace, record["nodes"]["2"]["outputs"]["audio"])
    assert integrated_loudness(master) == pytest.approx(-16.0, abs=0.5)
    stems = record["outputs"]["4"]["value"]
    for name in ("vocals", "drums", "bass", "other"):
        assert int(stream(_file(workspace, stems[name]), "audio")["sample_rate"]) == 48_000
