"""media.reframe: every platform target at its exact size; the follow crop keeps the subject."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from nodes.sdk import NodeRegistry

from ..media.media_fixtures import ffmpeg, load, outputs_of, run_node, stream


@pytest.fixture
def master(workspace: Path, registry: NodeRegistry) -> dict[str, object]:
    """640×360 black with a white subject centred at 80 % of the width, and a tone."""
    ffmpeg("-f", "lavfi", "-i", "color=c=black:s=640x360:r=25:d=1",
           "-f", "lavfi", "-i", "sine=frequency=440:duration=1",
           "-vf", "drawbox=x=490:y=150:w=40:h=60:color=white:t=fill",
           "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
           "-shortest", str(workspace / "media" / "master.mp4"))
    return load(workspace, registry, "media/master.mp4")


def reframe(workspace: Path, registry: NodeRegistry, master: dict[str, object], **inputs: object) -> Path:
    result = run_node(workspace, registry, "media.reframe", {"video": master, "short_side": 180, **inputs},
                      tier="low")
    return workspace / outputs_of(result)["video"]["path"]


@pytest.mark.parametrize(("aspect", "size"), [("16:9", (320, 180)), ("9:16", (180, 320)),
                                              ("4:5", (176, 220)), ("1:1", (180, 180))])
@pytest.mark.parametrize("mode", ["center", "blur_pad"])
def test_every_target_has_the_exact_resolution_and_aspect(
    workspace: Path, registry: NodeRegistry, master: dict[str, object],
    aspect: str, size: tuple[int, int], mode: str,
) -> None:
    out = reframe(workspace, registry, master, aspect=aspect, mode=mode)
    video = stream(out, "video")
    across, down = (int(part) for part in aspect.split(":"))
    assert (video["width"], video["height"]) == size
    assert video["width"] * down == video["height"] * across
    assert video.get("sample_aspect_ratio", "1:1") in ("1:1", "N/A")
    assert stream(out, "audio")["codec_name"] == "aac"


def test_default_size_is_the_platform_standard() -> None:
    from nodes.sdk.ffmpeg.reframe import target_size

    assert target_size("9:16", 1080) == target_size("9:16", 1080).__class__(1080, 1920)
    assert (target_size("4:5", 1080).width, target_size("4:5", 1080).height) == (1080, 1350)
    assert (target_size("16:9", 1080).width, target_size("16:9", 1080).height) == (1920, 1080)


def brightest(path: Path) -> int:
    pixels = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        check=True, capture_output=True,
    ).stdout
    return max(pixels)


def test_the_follow_crop_keeps_a_subject_the_centre_crop_loses(
    workspace: Path, registry: NodeRegistry, master: dict[str, object]
) -> None:
    followed = reframe(workspace, registry, master, aspect="9:16", mode="follow", follow_x=0.8)
    centred = reframe(workspace, registry, master, aspect="9:16", mode="center")
    assert brightest(followed) > 200
    assert brightest(centred) < 60


def test_a_follow_position_at_the_edge_keeps_the_crop_inside_the_frame() -> None:
    from nodes.sdk.ffmpeg.reframe import Frame, crop_box

    width, height, x, y = crop_box(Frame(640, 360), "9:16", 1.0)
    assert (x + width, y, height) == (640, 0, 360)
