"""media.trim / convert / thumbnail / extract_audio on real clips, checked with ffprobe."""

from __future__ import annotations

from pathlib import Path

import pytest

from function_runners.tiers import load_tiers
from nodes.sdk import NodeRegistry

from .media_fixtures import (
    duration_of,
    ffprobe,
    load,
    make_video,
    outputs_of,
    run_node,
    stream,
)

FPS, GOP = 25, 25  # one keyframe per second


@pytest.fixture
def clip(workspace: Path, registry: NodeRegistry) -> dict[str, object]:
    make_video(workspace / "media" / "clip.mp4", seconds=6, fps=FPS, gop=GOP)
    return load(workspace, registry, "media/clip.mp4")


def test_load_describes_the_clip_as_a_workspace_relative_video_ref(clip: dict[str, object]) -> None:
    assert clip["path"] == "media/clip.mp4"
    assert clip["kind"] == "video"
    assert (clip["width"], clip["height"]) == (320, 240)
    assert clip["duration"] == pytest.approx(6.0, abs=0.05)


def test_stream_copy_trim_lasts_the_requested_duration_within_one_gop(
    workspace: Path, registry: NodeRegistry, clip: dict[str, object]
) -> None:
    result = run_node(workspace, registry, "media.trim",
                      {"video": clip, "start": "00:00:01.5", "duration": "2"})
    out = workspace / outputs_of(result)["video"]["path"]
    assert abs(duration_of(out) - 2.0) <= GOP / FPS
    assert stream(out, "video")["codec_name"] == "h264"


def test_accurate_trim_lasts_the_requested_duration_within_one_frame(
    workspace: Path, registry: NodeRegistry, clip: dict[str, object]
) -> None:
    result = run_node(workspace, registry, "media.trim",
                      {"video": clip, "start": "1.48", "duration": "00:00:02.2", "accurate": True},
                      tier="low")
    out = workspace / outputs_of(result)["video"]["path"]
    video = stream(out, "video")
    frames = int(video["nb_frames"])
    assert abs(frames / FPS - 2.2) <= 1 / FPS
    assert abs(float(video["duration"]) - 2.2) <= 1 / FPS


@pytest.mark.parametrize(
    ("fmt", "video_codec", "audio_codec", "format_name"),
    [
        ("mp4", "h264", "aac", "mov,mp4,m4a,3gp,3g2,mj2"),
        ("webm", "vp9", "opus", "matroska,webm"),
        ("mov", "h264", "aac", "mov,mp4,m4a,3gp,3g2,mj2"),
        ("avi", "h264", "mp3", "avi"),
        ("mkv", "h264", "aac", "matroska,webm"),
    ],
)
def test_convert_writes_the_expected_codecs_for_each_container(
    workspace: Path, registry: NodeRegistry, clip: dict[str, object],
    fmt: str, video_codec: str, audio_codec: str, format_name: str,
) -> None:
    result = run_node(workspace, registry, "media.convert", {"video": clip, "format": fmt}, tier="low")
    out = workspace / outputs_of(result)["video"]["path"]
    assert out.suffix == f".{fmt}"
    assert stream(out, "video")["codec_name"] == video_codec
    assert stream(out, "audio")["codec_name"] == audio_codec
    assert ffprobe(out)["format"]["format_name"] == format_name
    assert duration_of(out) == pytest.approx(6.0, abs=0.2)


def test_convert_uses_the_tier_crf_so_the_low_tier_file_is_smaller(
    workspace: Path, registry: NodeRegistry, clip: dict[str, object]
) -> None:
    sizes = {}
    for tier in ("low", "high"):
        out = outputs_of(run_node(workspace, registry, "media.convert", {"video": clip}, tier=tier))
        sizes[tier] = (workspace / out["video"]["path"]).stat().st_size
    assert sizes["low"] < sizes["high"]


@pytest.mark.parametrize("tier", ["low", "standard"])
def test_thumbnail_is_a_jpeg_with_the_tier_width(
    workspace: Path, registry: NodeRegistry, clip: dict[str, object], tier: str
) -> None:
    width = load_tiers().params_for(tier, "media.thumbnail")["width"]
    result = run_node(workspace, registry, "media.thumbnail",
                      {"video": clip, "timestamp": "00:00:02"}, tier=tier)
    out = workspace / outputs_of(result)["image"]["path"]
    image = stream(out, "video")
    assert image["codec_name"] == "mjpeg"
    assert (image["width"], image["height"]) == (width, width * 240 // 320)


def test_thumbnail_batch_mode_writes_one_still_per_timestamp(
    workspace: Path, registry: NodeRegistry, clip: dict[str, object]
) -> None:
    result = run_node(workspace, registry, "media.thumbnail",
                      {"video": clip, "timestamps": "0.5, 00:00:02.5, 4"}, tier="low")
    images = outputs_of(result)["images"]
    assert len(images) == 3
    assert len({image["sha256"] for image in images}) == 3
    for image in images:
        assert stream(workspace / image["path"], "video")["width"] == 320


def test_thumbnail_past_the_end_is_refused_with_the_clip_length(
    workspace: Path, registry: NodeRegistry, clip: dict[str, object]
) -> None:
    result = run_node(workspace, registry, "media.thumbnail", {"video": clip, "timestamp": "9"})
    assert result.error is not None
    assert result.error.code == "value_out_of_range"
    assert "past the end" in result.error.message


@pytest.mark.parametrize(
    ("fmt", "codec"), [("mp3", "mp3"), ("m4a", "aac"), ("wav", "pcm_s16le"), ("flac", "flac")]
)
def test_extract_audio_writes_the_requested_codec(
    workspace: Path, registry: NodeRegistry, clip: dict[str, object], fmt: str, codec: str
) -> None:
    result = run_node(workspace, registry, "media.extract_audio", {"video": clip, "format": fmt})
    audio = outputs_of(result)["audio"]
    out = workspace / audio["path"]
    assert audio["kind"] == "audio"
    assert stream(out, "audio")["codec_name"] == codec
    assert not any(s["codec_type"] == "video" for s in ffprobe(out)["streams"])
    assert duration_of(out) == pytest.approx(6.0, abs=0.1)


def test_progress_is_reported_from_ffmpeg_and_reaches_one(
    workspace: Path, registry: NodeRegistry, clip: dict[str, object]
) -> None:
    seen: list[float] = []
    run_node(workspace, registry, "media.convert", {"video": clip, "format": "mp4"}, tier="low",
             progress=lambda fraction, step: seen.append(fraction))
    assert seen, "no progress reported"
    assert seen == sorted(seen)
    assert seen[-1] == pytest.approx(1.0, abs=0.05)
