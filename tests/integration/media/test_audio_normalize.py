"""audio.normalize: two-pass loudnorm to -16 LUFS, measured independently with ebur128."""

from __future__ import annotations

from pathlib import Path

import pytest

from nodes.sdk import NodeRegistry

from .media_fixtures import (
    ffmpeg,
    integrated_loudness,
    load,
    outputs_of,
    run_node,
    stream,
)


@pytest.mark.parametrize(("volume", "fmt"), [("0.05", "wav"), ("0.9", "flac")])
def test_normalised_audio_measures_minus_16_lufs_at_48_khz(
    workspace: Path, registry: NodeRegistry, volume: str, fmt: str
) -> None:
    source = workspace / "media" / "tone.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=330:sample_rate=44100:duration=8",
           "-f", "lavfi", "-i", "anoisesrc=d=8:a=0.2:r=44100:c=pink",
           "-filter_complex", f"[0][1]amix=inputs=2,volume={volume}", str(source))
    before = integrated_loudness(source)
    result = run_node(workspace, registry, "audio.normalize",
                      {"audio": load(workspace, registry, "media/tone.wav"), "format": fmt})
    outputs = outputs_of(result)
    out = workspace / outputs["audio"]["path"]
    assert abs(before - -16.0) > 3, "the source should start far from the target"
    assert integrated_loudness(out) == pytest.approx(-16.0, abs=0.5)
    assert int(stream(out, "audio")["sample_rate"]) == 48_000
    assert float(outputs["measured"]["input_i"]) == pytest.approx(before, abs=1.0)
