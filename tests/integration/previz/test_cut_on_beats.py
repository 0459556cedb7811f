"""production.cut_on_beats on a real click track made by ffmpeg (known tempo and phase): the
tempo is heard, every beat is found, and each cut between the shots moves to the beat nearest
its phrase boundary, landing within one frame of it in the animatic's frame grid."""

from __future__ import annotations

from pathlib import Path

import pytest

from nodes.production.animatic_graph import Cut, frame_bounds
from nodes.production.beats import snap
from nodes.sdk import NodeRegistry

from ..media.media_fixtures import ffmpeg, load, outputs_of, run_node

FPS = 24
FIRST_BEAT_S = 0.25
LENGTH_S = 12.0
PHRASE_ENDS = [1.1, 2.95, 4.6, 7.3, 9.05]  # where the sung phrases change, off the beat


def click_track(path: Path, bpm: float) -> list[float]:
    """A 1.5 kHz click on every beat from FIRST_BEAT_S; the beats' times."""
    period = 60.0 / bpm
    ffmpeg("-f", "lavfi", "-i", f"aevalsrc=exprs='0.8*sin(2*PI*1500*t)*exp(-60*mod(t-{FIRST_BEAT_S}\\,{period}))"
           f"*gte(t\\,{FIRST_BEAT_S})':s=44100:d={LENGTH_S}", str(path))
    return [FIRST_BEAT_S + k * period for k in range(int((LENGTH_S - FIRST_BEAT_S) / period) + 1)]


def shots_ending_at(ends: list[float]) -> list[dict[str, object]]:
    edges = [0.0, *ends, LENGTH_S]
    return [{"id": f"s{i}", "chapter": 1, "scene": 1, "number": i, "description": f"phrase {i}",
             "duration": round(edges[i] - edges[i - 1], 3)} for i in range(1, len(edges))]


@pytest.mark.parametrize("bpm", [120.0, 93.0])
def test_the_cuts_move_to_the_nearest_beat_of_a_click_track_within_one_frame(
        workspace: Path, registry: NodeRegistry, bpm: float) -> None:
    beats = click_track(workspace / "media" / "click.wav", bpm)
    audio = load(workspace, registry, "media/click.wav")
    out = outputs_of(run_node(workspace, registry, "production.cut_on_beats",
                              {"shots": shots_ending_at(PHRASE_ENDS), "audio": audio}))
    assert out["bpm"] == pytest.approx(bpm, abs=1.0)
    assert len(out["beats"]) == len(beats)
    assert all(abs(heard - beat) < 1 / FPS for heard, beat in zip(out["beats"], beats, strict=True))
    shots = out["shots"]
    assert [shot["description"] for shot in shots] == [f"phrase {i}" for i in range(1, 7)]
    assert sum(shot["duration"] for shot in shots) == pytest.approx(LENGTH_S, abs=1e-6)  # still tiles the music
    cut_frames = [start for start, _ in frame_bounds([Cut(None, True, shot["duration"], "") for shot in shots], FPS)]
    for boundary, frame in zip(PHRASE_ENDS, cut_frames[1:], strict=True):
        nearest = min(beats, key=lambda beat: abs(beat - boundary))
        assert abs(frame / FPS - nearest) <= 1 / FPS, (boundary, frame / FPS, nearest)


def test_cuts_stay_in_order_and_apart_when_two_phrases_end_near_one_beat() -> None:
    beats = [0.5, 1.0, 1.5, 2.0, 2.5]
    assert snap([0.9, 1.05, 2.4], beats, end=3.0, min_gap=0.5) == [1.0, 1.5, 2.5]  # 1.05: the next free beat
    assert snap([2.9], beats, end=3.0, min_gap=0.5) == [2.5]  # never closer than min_gap to the end
    assert snap([1.2], [], end=3.0, min_gap=0.5) == [1.2]  # no beat heard: the phrase's own cut
