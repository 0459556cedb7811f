"""Regressions found by running the media nodes on varied input (issue 13, part 6), each
checked with ffmpeg/ffprobe rather than our own code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from function_runners.execute import principal_scratch
from nodes.sdk import NodeRegistry

from .media_fixtures import (
    duration_of,
    ffmpeg,
    integrated_loudness,
    load,
    make_speech,
    make_video,
    outputs_of,
    run_node,
)

REPO = Path(__file__).resolve().parents[3]


def true_peak(path: Path) -> float:
    result = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128=peak=true",
         "-f", "null", "-"], check=True, capture_output=True, text=True,
    )
    match = re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", result.stderr[result.stderr.rindex("Summary:"):])
    assert match
    return float(match.group(1))


def normalise(workspace: Path, registry: NodeRegistry, name: str) -> Path:
    result = run_node(workspace, registry, "audio.normalize",
                      {"audio": load(workspace, registry, f"media/{name}")})
    return workspace / outputs_of(result)["audio"]["path"]


def test_normalize_brings_input_louder_than_0_lufs_to_minus_16(workspace: Path, registry: NodeRegistry) -> None:
    ffmpeg("-f", "lavfi", "-i", "aevalsrc=exprs=5*sin(2*PI*330*t):s=44100:d=5",
           "-c:a", "pcm_f32le", str(workspace / "media" / "hot.wav"))
    assert integrated_loudness(workspace / "media" / "hot.wav") > 0
    out = normalise(workspace, registry, "hot.wav")
    assert integrated_loudness(out) == pytest.approx(-16.0, abs=0.5)
    assert true_peak(out) <= -1.0


@pytest.mark.parametrize("seconds", [0.8, 2.0])
def test_normalize_reaches_minus_16_on_clips_shorter_than_3_seconds(
    workspace: Path, registry: NodeRegistry, seconds: float
) -> None:
    ffmpeg("-f", "lavfi", "-i", f"sine=frequency=330:sample_rate=44100:duration={seconds}",
           "-af", "volume=-20dB", str(workspace / "media" / "short.wav"))
    out = normalise(workspace, registry, "short.wav")
    assert integrated_loudness(out) == pytest.approx(-16.0, abs=0.5)
    assert true_peak(out) <= -1.0
    assert duration_of(out) == pytest.approx(seconds, abs=0.01)


def test_normalize_reaches_minus_16_on_one_short_spoken_phrase(workspace: Path, registry: NodeRegistry) -> None:
    make_speech(workspace / "media" / "hello.wav", "Hello there.")
    out = normalise(workspace, registry, "hello.wav")
    assert integrated_loudness(out) == pytest.approx(-16.0, abs=0.5)
    assert true_peak(out) <= -1.0


def test_normalize_writes_silence_unchanged_with_a_warning(workspace: Path, registry: NodeRegistry) -> None:
    ffmpeg("-f", "lavfi", "-i", "anullsrc=r=44100:cl=mono", "-t", "4", str(workspace / "media" / "silent.wav"))
    result = run_node(workspace, registry, "audio.normalize",
                      {"audio": load(workspace, registry, "media/silent.wav")})
    outputs = outputs_of(result)
    assert "silent" in outputs["measured"]["warning"]
    assert duration_of(workspace / outputs["audio"]["path"]) == pytest.approx(4.0, abs=0.01)
    assert true_peak(workspace / outputs["audio"]["path"]) == float("-inf")


@pytest.fixture
def clip(workspace: Path, registry: NodeRegistry) -> dict[str, object]:
    make_video(workspace / "media" / "clip.mp4", seconds=6, fps=25, gop=50)
    return load(workspace, registry, "media/clip.mp4")


@pytest.mark.parametrize(("start", "duration"), [("7", "2"), ("6", "1"), ("1", "0")])
def test_trim_that_would_be_empty_is_out_of_range_naming_the_clip_duration(
    workspace: Path, registry: NodeRegistry, clip: dict[str, object], start: str, duration: str
) -> None:
    result = run_node(workspace, registry, "media.trim", {"video": clip, "start": start, "duration": duration})
    assert result.error is not None
    assert result.error.code == "value_out_of_range"
    assert "6.00 s" in result.error.message


def first_frame(path: Path) -> bytes:
    """The first frame shown (testsrc draws a frame counter, so each frame differs)."""
    return subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-frames:v", "1", "-f", "rawvideo",
         "-pix_fmt", "gray", "-"], check=True, capture_output=True,
    ).stdout


def source_frame(path: Path, seconds: float) -> bytes:
    return subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-vf", f"select=gte(t\\,{seconds - 0.001})",
         "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-"], check=True, capture_output=True,
    ).stdout


def test_stream_copy_trim_starts_playing_at_the_requested_time_and_reports_its_true_duration(
    workspace: Path, registry: NodeRegistry, clip: dict[str, object]
) -> None:
    result = run_node(workspace, registry, "media.trim", {"video": clip, "start": "1.32", "duration": "3"})
    video = outputs_of(result)["video"]
    out = workspace / video["path"]
    # 1.32 s is 33 frames in; the keyframe before it is frame 0 (GOP 50).
    assert first_frame(out) == source_frame(workspace / "media" / "clip.mp4", 1.32)
    assert video["duration"] == pytest.approx(duration_of(out), abs=0.05)
    assert duration_of(out) == pytest.approx(3.0, abs=0.1)


def test_thumbnail_of_an_audio_only_file_says_there_is_no_video_stream(
    workspace: Path, registry: NodeRegistry
) -> None:
    make_speech(workspace / "media" / "voice.wav", "No pictures here.")
    result = run_node(workspace, registry, "media.thumbnail",
                      {"video": load(workspace, registry, "media/voice.wav"), "timestamp": "0.2"})
    assert result.error is not None
    assert result.error.code == "no_video_stream"
    assert "no video stream" in result.error.message


def test_cli_run_exits_without_a_leaked_semaphore_warning(tmp_path: Path) -> None:
    media = principal_scratch(tmp_path, "local") / "media"  # a project-less run's own folder
    media.mkdir(parents=True)
    make_speech(media / "a.wav", "One.")
    graph = tmp_path / "g.json"
    graph.write_text(
        '{"1": {"class_type": "media.load", "inputs": {"path": "media/a.wav"}},'
        ' "2": {"class_type": "audio.normalize", "inputs": {"audio": ["1", 0]}},'
        ' "3": {"class_type": "core.show", "inputs": {"value": ["2", 0]}}}'
    )
    result = subprocess.run(
        [str(Path(sys.executable).parent / "auteur"), "run", str(graph)], capture_output=True, text=True,
        cwd=REPO, env={"AUTEUR_WORKSPACE": str(tmp_path), "PATH": "/usr/bin:/bin", "AUTEUR_RUNNER_WORKERS": "2"},
        timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "leaked" not in result.stderr
