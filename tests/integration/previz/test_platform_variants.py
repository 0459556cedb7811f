"""production.platform_variants, verified with ffprobe: one master, three platform cuts."""

from __future__ import annotations

from pathlib import Path

import pytest

from nodes.production.platform_variants import PLATFORMS
from nodes.sdk import NodeRegistry, spec_of
from nodes.sdk.ffmpeg.reframe import target_size

from ..media.media_fixtures import load, make_video, outputs_of, run_node, stream


def test_the_platform_sizes_at_1080_are_youtube_tiktok_and_instagram_feed() -> None:
    sizes = {name: target_size(aspect, 1080) for name, (aspect, _tag) in PLATFORMS.items()}
    assert {name: (s.width, s.height) for name, s in sizes.items()} == {
        "youtube": (1920, 1080), "tiktok_reels": (1080, 1920), "instagram_feed": (1080, 1350)}


def test_one_master_gives_a_list_of_three_cuts_at_exact_aspects_with_the_audio(
    workspace: Path, registry: NodeRegistry
) -> None:
    make_video(workspace / "media" / "master.mp4", seconds=1, size="320x180")
    master = load(workspace, registry, "media/master.mp4")
    out = outputs_of(run_node(workspace, registry, "production.platform_variants",
                              {"video": master, "short_side": 90, "mode": "center"}, tier="low"))
    assert out["platforms"] == ["youtube", "tiktok_reels", "instagram_feed"]
    shapes = []
    for ref in out["videos"]:
        video = stream(workspace / ref["path"], "video")
        shapes.append((video["width"], video["height"]))
        assert stream(workspace / ref["path"], "audio")["codec_type"] == "audio"
    assert shapes[0][0] * 9 == shapes[0][1] * 16
    assert shapes[1][0] * 16 == shapes[1][1] * 9
    assert shapes[2][0] * 5 == shapes[2][1] * 4
    assert all(w % 2 == 0 and h % 2 == 0 and min(w, h) == pytest.approx(90, abs=2) for w, h in shapes)


def test_the_variants_output_is_a_list_that_fans_out(registry: NodeRegistry) -> None:
    cls = registry.get("production.platform_variants")
    assert cls is not None
    spec = spec_of(cls)
    assert [(o.name, o.is_list) for o in spec.socket_outputs] == [("videos", True), ("platforms", True)]
