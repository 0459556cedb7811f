"""audio.stems with demucs' built-in `demucs_unittest` model (no weights to download)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from nodes.sdk import ModelCache, NodeRegistry

from .media_fixtures import (
    ffmpeg,
    load,
    outputs_of,
    run_node,
    stream,
)

STEMS = ("vocals", "drums", "bass", "other")


def _music(workspace: Path, rate: int, channels: int, seconds: float = 5) -> Path:
    path = workspace / "media" / f"music_{rate}_{channels}.wav"
    ffmpeg("-f", "lavfi", "-i", f"sine=frequency=110:sample_rate={rate}:duration={seconds}",
           "-f", "lavfi", "-i", f"anoisesrc=d={seconds}:a=0.1:r={rate}:c=brown",
           "-filter_complex", "[0][1]amix=inputs=2", "-ac", str(channels), str(path))
    return path


@pytest.mark.slow
@pytest.mark.parametrize(("rate", "channels"), [(44_100, 2), (48_000, 1)])
def test_stems_are_four_wavs_with_the_input_length_and_sample_rate(
    workspace: Path, registry: NodeRegistry, rate: int, channels: int
) -> None:
    source = _music(workspace, rate, channels)
    mix = load(workspace, registry, f"media/{source.name}")
    outputs = outputs_of(run_node(workspace, registry, "audio.stems",
                                  {"audio": mix, "model": "demucs_unittest"}, tier="low"))
    expected = stream(source, "audio")
    for name in STEMS:
        assert outputs[name] == outputs["stems"][name]
        measured = stream(workspace / outputs[name]["path"], "audio")
        assert measured["codec_name"] == "pcm_s16le"
        assert int(measured["sample_rate"]) == rate
        assert measured["channels"] == channels
        assert abs(int(measured["duration_ts"]) - int(expected["duration_ts"])) <= rate // 1000
    assert outputs["stems"]["model"] == "demucs_unittest"
    assert len({outputs[name]["sha256"] for name in STEMS}) == 4


@pytest.mark.slow
def test_separation_reports_progress_from_the_demucs_callback_and_reuses_the_model(
    workspace: Path, registry: NodeRegistry
) -> None:
    source = _music(workspace, 44_100, 2, seconds=12)
    mix = load(workspace, registry, f"media/{source.name}")
    models, steps = ModelCache(), []
    for _ in range(2):
        run_node(workspace, registry, "audio.stems", {"audio": mix, "model": "demucs_unittest"},
                 tier="standard", models=models,
                 progress=lambda fraction, step: steps.append((fraction, step)))
    separating = [fraction for fraction, step in steps if step == "separate"]
    assert len(separating) >= 4
    assert 0.1 < min(separating) < max(separating) <= 0.9
    assert max(separating) == pytest.approx(0.9)
    assert models.loads == 1


def test_the_environment_can_choose_the_model(
    workspace: Path, registry: NodeRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTEUR_DEMUCS_MODEL", "demucs_unittest")
    source = _music(workspace, 44_100, 2, seconds=2)
    outputs = outputs_of(run_node(workspace, registry, "audio.stems",
                                  {"audio": load(workspace, registry, f"media/{source.name}")}))
    assert outputs["stems"]["model"] == "demucs_unittest"


@pytest.mark.parametrize(("tier", "model"), [("low", "htdemucs"), ("high", "htdemucs_ft")])
def test_without_local_weights_the_tier_model_fails_naming_auteur_demucs_repo(
    workspace: Path, registry: NodeRegistry, monkeypatch: pytest.MonkeyPatch, tier: str, model: str
) -> None:
    monkeypatch.delenv("AUTEUR_DEMUCS_REPO", raising=False)
    monkeypatch.delenv("AUTEUR_DEMUCS_MODEL", raising=False)
    source = _music(workspace, 44_100, 2, seconds=1)
    result = run_node(workspace, registry, "audio.stems",
                      {"audio": load(workspace, registry, f"media/{source.name}")}, tier=tier)
    assert result.error is not None
    assert result.error.code == "dependency_missing"
    assert "AUTEUR_DEMUCS_REPO" in result.error.message
    assert result.error.details["model"] == model


def test_a_demucs_repo_without_the_model_is_a_clear_error(
    workspace: Path, registry: NodeRegistry, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AUTEUR_DEMUCS_REPO", str(tmp_path))
    source = _music(workspace, 44_100, 2, seconds=1)
    result = run_node(workspace, registry, "audio.stems",
                      {"audio": load(workspace, registry, f"media/{source.name}"), "model": "htdemucs"})
    assert result.error is not None
    assert result.error.code == "dependency_missing"
    assert "htdemucs.yaml" in result.error.message


def test_cancelling_during_separation_stops_and_writes_no_stems(
    workspace: Path, registry: NodeRegistry
) -> None:
    source = _music(workspace, 44_100, 2, seconds=20)
    mix = load(workspace, registry, f"media/{source.name}")
    separating = threading.Event()
    result = run_node(
        workspace, registry, "audio.stems", {"audio": mix, "model": "demucs_unittest"},
        tier="high", is_cancelled=separating.is_set,
        progress=lambda fraction, step: separating.set() if step == "separate" else None,
    )
    assert result.error is not None
    assert result.error.code == "cancelled"
    assert not [p for p in (workspace / ".auteur").rglob("*") if p.is_file()]
