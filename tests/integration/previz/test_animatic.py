"""production.animatic, verified with ffprobe/ffmpeg: frame-exact cuts, audio length, loudness."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from nodes.sdk import NodeRegistry

from ..media.media_fixtures import (
    ffmpeg,
    ffprobe,
    integrated_loudness,
    load,
    outputs_of,
    run_node,
    stream,
)

FPS = 24
COLOURS = {"red": (255, 0, 0), "green": (0, 255, 0), "blue": (0, 0, 255)}
DURATIONS = [1.0, 0.5, 1.25]


def shot(number: int, duration: float) -> dict[str, Any]:
    return {"id": f"s{number}", "scene": 1, "number": number, "duration": duration,
            "description": f"shot {number}"}


@pytest.fixture
def stills(workspace: Path, registry: NodeRegistry) -> list[dict[str, Any]]:
    refs = []
    for name in COLOURS:
        ffmpeg("-f", "lavfi", "-i", f"color=c={name}:s=320x180", "-frames:v", "1",
               str(workspace / "media" / f"{name}.png"))
        refs.append(load(workspace, registry, f"media/{name}.png"))
    return refs


@pytest.fixture
def soundtrack(workspace: Path, registry: NodeRegistry) -> dict[str, Any]:
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=330:sample_rate=44100:duration=6",
           "-af", "volume=-25dB", str(workspace / "media" / "track.wav"))
    return load(workspace, registry, "media/track.wav")


def frame_rgb(path: Path, index: int) -> tuple[int, int, int]:
    """The mean colour of frame `index` (decoded by ffmpeg, picked by frame number)."""
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-vf", f"select=eq(n\\,{index}),scale=8:8",
         "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        check=True, capture_output=True,
    ).stdout
    pixels = [raw[i : i + 3] for i in range(0, len(raw), 3)]
    return tuple(round(sum(p[c] for p in pixels) / len(pixels)) for c in range(3))  # type: ignore[return-value]


def nearest_colour(rgb: tuple[int, int, int]) -> str:
    return min(COLOURS, key=lambda name: sum((a - b) ** 2 for a, b in zip(COLOURS[name], rgb, strict=True)))


def animatic(workspace: Path, registry: NodeRegistry, **inputs: Any) -> dict[str, Any]:
    base = {"shots": [shot(i + 1, d) for i, d in enumerate(DURATIONS)], "fps": FPS,
            "width": 320, "height": 180, "labels": False}
    return outputs_of(run_node(workspace, registry, "production.animatic", {**base, **inputs}, tier="low"))


def test_animatic_lasts_the_sum_of_the_shots_and_cuts_on_the_right_frames(
    workspace: Path, registry: NodeRegistry, stills: list[dict[str, Any]], soundtrack: dict[str, Any]
) -> None:
    out = animatic(workspace, registry, pictures=stills, soundtrack=soundtrack)
    path = workspace / out["video"]["path"]
    video, audio = stream(path, "video"), stream(path, "audio")
    total = sum(DURATIONS)
    assert int(video["nb_frames"]) == round(total * FPS)
    assert float(ffprobe(path)["format"]["duration"]) == pytest.approx(total, abs=1 / FPS + 0.03)
    assert float(audio["duration"]) == pytest.approx(total, abs=1 / FPS + 0.03)
    starts = [0, 24, 36]
    for colour, start in zip(COLOURS, starts, strict=True):
        assert nearest_colour(frame_rgb(path, start)) == colour
        if start:
            assert nearest_colour(frame_rgb(path, start - 1)) != colour
    assert nearest_colour(frame_rgb(path, round(total * FPS) - 1)) == "blue"
    assert integrated_loudness(path) == pytest.approx(-16.0, abs=0.5)


def test_shots_without_a_picture_get_a_title_card_and_labels_are_burned_in(
    workspace: Path, registry: NodeRegistry, stills: list[dict[str, Any]]
) -> None:
    out = animatic(workspace, registry, pictures=stills[:1], labels=True, timecode=True)
    path = workspace / out["video"]["path"]
    assert int(stream(path, "video")["nb_frames"]) == round(sum(DURATIONS) * FPS)
    assert nearest_colour(frame_rgb(path, 0)) == "red"
    card = frame_rgb(path, 30)
    assert max(card) < 80, "a dark title card"


def test_crossfade_keeps_the_total_length(
    workspace: Path, registry: NodeRegistry, stills: list[dict[str, Any]]
) -> None:
    out = animatic(workspace, registry, pictures=stills, crossfade=0.25)
    path = workspace / out["video"]["path"]
    assert int(stream(path, "video")["nb_frames"]) == round(sum(DURATIONS) * FPS)
    assert nearest_colour(frame_rgb(path, 0)) == "red"
    assert nearest_colour(frame_rgb(path, 36 + 6)) == "blue"


def true_peak(path: Path) -> float:
    """True peak (dBTP) of the file's audio, measured by ffmpeg's ebur128 filter."""
    result = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128=peak=true",
                             "-f", "null", "-"], check=True, capture_output=True, text=True)
    summary = result.stderr[result.stderr.rindex("True peak:"):]
    return float(summary.split("Peak:")[1].split("dBFS")[0])


def test_the_soundtrack_measured_beside_the_picture_is_at_minus_16_lufs_below_minus_1_dbtp(
    workspace: Path, registry: NodeRegistry, stills: list[dict[str, Any]], soundtrack: dict[str, Any]
) -> None:
    out = animatic(workspace, registry, pictures=stills, soundtrack=soundtrack)
    path = workspace / out["video"]["path"]
    assert integrated_loudness(path) == pytest.approx(-16.0, abs=0.5)
    assert true_peak(path) <= -1.0
    assert not list(path.parent.glob("animatic_*"))  # the picture and sound files were muxed and removed


def test_a_soundtrack_without_sound_fails_naming_the_audio_not_as_a_cancelled_picture(
    workspace: Path, registry: NodeRegistry, stills: list[dict[str, Any]]
) -> None:
    result = run_node(workspace, registry, "production.animatic",
                      {"shots": [shot(i + 1, d) for i, d in enumerate(DURATIONS)], "pictures": stills,
                       "soundtrack": stills[0], "fps": FPS, "width": 320, "height": 180, "labels": False},
                      tier="low")
    assert result.error is not None
    assert result.error.code == "no_audio_stream", result.error
    assert "stream" in result.error.message, result.error.message
