"""production.motion_graphics renders real MP4s: the language model (an OpenAI-compatible double
scripted with its answers) picks a template and fills its props, or writes a new scene that is
type-checked and run in the sandbox; ffprobe measures codec, size and duration to the frame and
a decoded frame's colours are checked against the style guide's palette. A model-written scene
that tries the network, loops forever or does not type-check is stopped and refused."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from nodes.sdk import NodeRegistry, discover

from ..llm.doubles import ApiDouble, answer, scripted_openai
from ..media.media_fixtures import ffprobe, outputs_of, run_node

STYLE = {"name": "Harbour noir", "palette": ["#0B1D3A", "#F2A65A", "#E4572E"], "mood": "grim, classic noir"}
SIZE = {"width": 320, "height": 180, "fps": 12}
GOOD_SCENE = '''
from PIL import Image, ImageDraw
from frames import Look


def draw(image: Image.Image, t: float, lines: list[str], look: Look) -> None:
    pen = ImageDraw.Draw(image)
    pen.rectangle((0, 0, int(look.width * t), look.height // 2), fill=look.accent)
    pen.text((10, look.height - 40), lines[0], font=look.font(20), fill=look.ink)
'''
NETWORK_SCENE = '''
import socket
from PIL import Image
from frames import Look


def draw(image: Image.Image, t: float, lines: list[str], look: Look) -> None:
    try:
        socket.create_connection(("93.184.216.34", 80), timeout=2)
    except OSError:
        pass
'''
FOREVER_SCENE = '''
from PIL import Image
from frames import Look


def draw(image: Image.Image, t: float, lines: list[str], look: Look) -> None:
    n = 0
    while True:
        n += 1
'''
UNTYPED_SCENE = '''
def draw(image, t, lines, look):
    return "not a frame"
'''


@pytest.fixture(scope="module")
def registry() -> NodeRegistry:
    return discover(only=["production"])


@pytest.fixture
def double(monkeypatch: pytest.MonkeyPatch) -> Iterator[ApiDouble]:
    yield from scripted_openai(monkeypatch)


def frame_rgb(path: Path, seconds: float, width: int, height: int) -> bytes:
    """One decoded frame as raw RGB, by the ffmpeg CLI (independent of the code under test)."""
    return subprocess.run(["ffmpeg", "-v", "error", "-ss", f"{seconds}", "-i", str(path), "-frames:v", "1",
                           "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], check=True, capture_output=True).stdout


def pixel(raw: bytes, width: int, x: int, y: int) -> tuple[int, int, int]:
    at = (y * width + x) * 3
    return raw[at], raw[at + 1], raw[at + 2]


def near(found: tuple[int, int, int], colour: str, tolerance: int = 14) -> bool:
    wanted = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return all(abs(a - b) <= tolerance for a, b in zip(found, wanted, strict=True))


def rendered(tmp_path: Path, out: dict[str, Any]) -> Path:
    return tmp_path / out["video"]["path"] if not Path(out["video"]["path"]).is_absolute() else Path(out["video"]["path"])


def test_the_model_picks_a_title_card_and_it_renders_an_h264_mp4_in_the_style_guides_palette(
        tmp_path: Path, registry: NodeRegistry, double: ApiDouble) -> None:
    double.replies = [answer({"template": "title_card", "title": "THE HARBOUR", "subtitle": "a film by Ada Lin",
                              "lines": []})]
    out = outputs_of(run_node(tmp_path, registry, "production.motion_graphics", {
        "description": "Opening title for The Harbour, directed by Ada Lin", "style": STYLE,
        **SIZE, "duration": 2.5}))
    assert out["template"] == "title_card" and out["plan"]["title"] == "THE HARBOUR"
    assert out["plan"]["font"] == "DejaVuSerif-Bold.ttf"  # a classic noir mood reads as serif
    prompt = double.requests[0].body["messages"][1]["content"]
    assert "Opening title for The Harbour" in prompt and "grim, classic noir" in prompt
    video = rendered(tmp_path, out)
    probe = ffprobe(video)
    (stream,) = probe["streams"]
    assert (stream["codec_name"], stream["width"], stream["height"]) == ("h264", 320, 180)
    assert stream["pix_fmt"] == "yuv420p" and stream["r_frame_rate"] == "12/1"
    assert int(stream["nb_frames"]) == 30 and float(probe["format"]["duration"]) == pytest.approx(2.5, abs=1 / 24)
    last = frame_rgb(video, 2.4, 320, 180)
    assert near(pixel(last, 320, 4, 4), "#0B1D3A")  # background: palette[0]
    colours = {pixel(last, 320, x, y) for x in range(0, 320, 2) for y in range(40, 130, 2)}
    assert any(near(c, "#F2A65A", 24) for c in colours)  # the title in palette[1]
    assert any(near(c, "#E4572E", 24) for c in colours)  # the accent rule in palette[2]


def test_a_chosen_template_needs_no_model_and_credits_roll_for_the_whole_duration(
        tmp_path: Path, registry: NodeRegistry, double: ApiDouble) -> None:
    out = outputs_of(run_node(tmp_path, registry, "production.motion_graphics", {
        "description": "end credits", "template": "credits", "title": "CAST", "style": STYLE,
        "lines": "Mara — Ada Lin\nThe ferryman — Tom Reyes", **SIZE, "duration": 1.5}))
    assert double.requests == [] and out["plan"]["lines"] == ["Mara — Ada Lin", "The ferryman — Tom Reyes"]
    (stream,) = ffprobe(rendered(tmp_path, out))["streams"]
    assert int(stream["nb_frames"]) == 18
    first, middle = (frame_rgb(rendered(tmp_path, out), s, 320, 180) for s in (0.0, 0.7))
    assert first != middle  # the roll moves


def test_a_model_written_scene_is_type_checked_and_rendered_in_the_sandbox(
        tmp_path: Path, registry: NodeRegistry, double: ApiDouble) -> None:
    double.replies = [answer({"template": "new_scene", "title": "WIPE", "scene_code": GOOD_SCENE})]
    out = outputs_of(run_node(tmp_path, registry, "production.motion_graphics", {
        "description": "an accent wipe across the top", "allow_new_scene": True, "style": STYLE,
        **SIZE, "duration": 1.0}))
    assert out["template"] == "new_scene" and "scene_code" not in out["plan"]
    last = frame_rgb(rendered(tmp_path, out), 0.9, 320, 180)
    assert near(pixel(last, 320, 300, 10), "#E4572E") and near(pixel(last, 320, 300, 170), "#0B1D3A")


@pytest.mark.parametrize(("scene", "reason"), [(NETWORK_SCENE, "network"), (FOREVER_SCENE, "time_limit"),
                                               (UNTYPED_SCENE, "type_check")], ids=["network", "forever", "untyped"])
def test_a_model_written_scene_that_tries_the_network_runs_forever_or_is_untyped_is_stopped_and_refused(
        tmp_path: Path, registry: NodeRegistry, double: ApiDouble, scene: str, reason: str) -> None:
    double.replies = [answer({"template": "new_scene", "title": "X", "scene_code": scene})]
    result = run_node(tmp_path, registry, "production.motion_graphics", {
        "description": "anything", "allow_new_scene": True, "scene_seconds": 2, **SIZE, "duration": 0.5})
    assert result.error is not None and result.error.code == "scene_refused", result.error
    assert result.error.details["reason"] == reason
    assert not list(tmp_path.rglob("motion_graphics.mp4"))
