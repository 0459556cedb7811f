"""The audio-to-animatic pipeline on three espeak-ng sentences: three shots timed like the speech."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from function_runners.execute import principal_scratch
from nodes.sdk import ModelCache, NodeRegistry

from ..media.media_fixtures import (
    duration_of,
    ffmpeg,
    load,
    make_speech,
    outputs_of,
    run_node,
    stream,
)

SENTENCES = ["The harbour is quiet at dawn.", "A boat drifts past the lighthouse.",
             "Somewhere a bell begins to ring."]
GAP_S = 0.8
REPO = Path(__file__).resolve().parents[3]
TEMPLATE = REPO / "workspace_templates" / "graphs" / "audio_to_animatic.json"


@pytest.fixture
def voice_over(workspace: Path) -> list[float]:
    """Three sentences with GAP_S of silence between them; the expected shot lengths."""
    parts = [make_speech(workspace / "media" / f"s{i}.wav", text) for i, text in enumerate(SENTENCES)]
    ffmpeg("-f", "lavfi", "-i", f"anullsrc=r=22050:cl=mono:d={GAP_S}", str(workspace / "media" / "gap.wav"))
    listing = []
    for part in parts:
        listing += ["-i", str(part), "-i", str(workspace / "media" / "gap.wav")]
    count = 2 * len(parts)
    ffmpeg(*listing, "-filter_complex", "".join(f"[{i}:a]" for i in range(count)) + f"concat=n={count}:v=0:a=1",
           str(workspace / "media" / "voice.wav"))
    return [duration_of(part) + GAP_S for part in parts]


def test_three_sentences_become_three_shots_timed_like_the_speech(
    workspace: Path, registry: NodeRegistry, voice_over: list[float]
) -> None:
    audio = load(workspace, registry, "media/voice.wav")
    transcript = outputs_of(run_node(workspace, registry, "audio.transcribe", {"audio": audio},
                                     models=ModelCache()))["transcript"]
    shots = outputs_of(run_node(workspace, registry, "production.segments_to_shots",
                                {"transcript": transcript}))["shots"]
    assert len(shots) == 3, [(s["description"], s["duration"]) for s in shots]
    for shot, expected in zip(shots, voice_over, strict=True):
        assert shot["duration"] == pytest.approx(expected, abs=0.3), (shots, voice_over)
    assert "lighthouse" in shots[1]["description"].lower()
    out = outputs_of(run_node(workspace, registry, "production.animatic",
                              {"shots": shots, "soundtrack": audio, "width": 320, "height": 180, "fps": 24},
                              tier="low"))
    video = workspace / out["video"]["path"]
    assert duration_of(video) == pytest.approx(sum(s["duration"] for s in shots), abs=0.1)
    assert float(stream(video, "audio")["duration"]) == pytest.approx(duration_of(video), abs=0.1)


def test_the_template_runs_headless_with_auteur_run(workspace: Path, voice_over: list[float]) -> None:
    template = json.loads(TEMPLATE.read_text())
    # A project-less `auteur run` reads `media/voice.wav` from the local user's own folder.
    local = principal_scratch(workspace, "local") / "media"
    local.mkdir(parents=True)
    shutil.copyfile(workspace / "media" / "voice.wav", local / "voice.wav")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "auteur"), "run", str(TEMPLATE), "--tier", "low"],
        capture_output=True, text=True, cwd=REPO, timeout=300, check=False,
        env={"AUTEUR_WORKSPACE": str(workspace), "PATH": "/usr/bin:/bin", "AUTEUR_RUNNER_WORKERS": "1",
             "HOME": str(Path.home())},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert template["requires"]
    sizes = {}
    for name in ("youtube_16x9", "tiktok_reels_9x16", "instagram_feed_4x5"):
        found = sorted((workspace / ".auteur").rglob(f"*_{name}*.mp4"))
        assert found, (name, result.stdout[-2000:])
        sizes[name] = (stream(found[0], "video")["width"], stream(found[0], "video")["height"])
    assert sizes == {"youtube_16x9": (320, 180), "tiktok_reels_9x16": (180, 320), "instagram_feed_4x5": (176, 220)}
