"""ffmpeg/ffprobe only open the one sandboxed file: an HLS playlist or concat list disguised as
a document never makes a media node read a file outside the workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nodes.sdk import NodeRegistry, discover
from nodes.sdk.ffmpeg.errors import NotMediaError
from nodes.sdk.ffmpeg.probe import probe

from ..media.media_fixtures import load, make_video, run_node


@pytest.fixture(scope="module")
def registry() -> NodeRegistry:
    return discover(only=["core", "media", "audio"])


def _tricks(secret: Path) -> dict[str, str]:
    return {
        "hls.md": f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:3.0,\n{secret}\n#EXT-X-ENDLIST\n",
        "playlist.mp4": f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:3.0,\nfile://{secret}\n#EXT-X-ENDLIST\n",
        "list.txt": f"ffconcat version 1.0\nfile '{secret}'\n",
    }


@pytest.fixture
def tricked(tmp_path: Path, registry: NodeRegistry) -> tuple[Path, dict[str, Any], list[str]]:
    """A workspace whose documents point at a video outside it, and a real clip's ref."""
    (tmp_path / "outside").mkdir()
    secret = make_video(tmp_path / "outside" / "secret.mp4", seconds=3)
    workspace = tmp_path / "workspace"
    (workspace / "media").mkdir(parents=True)
    for name, text in _tricks(secret).items():
        (workspace / "media" / name).write_text(text)
    make_video(workspace / "media" / "clip.mp4", seconds=3)
    return workspace, load(workspace, registry, "media/clip.mp4"), sorted(_tricks(secret))


@pytest.mark.parametrize("name", ["hls.md", "playlist.mp4", "list.txt"])
def test_ffprobe_refuses_playlists_that_point_outside(tmp_path: Path, name: str) -> None:
    secret = make_video(tmp_path / "secret.mp4", seconds=1)
    trick = tmp_path / "ws" / name
    trick.parent.mkdir()
    trick.write_text(_tricks(secret)[name])
    with pytest.raises(NotMediaError):
        probe(trick)


def test_media_load_of_a_playlist_document_is_not_media(
    tricked: tuple[Path, dict[str, Any], list[str]], registry: NodeRegistry,
) -> None:
    workspace, _clip, names = tricked
    for name in names:
        result = run_node(workspace, registry, "media.load", {"path": f"media/{name}"})
        assert result.error is not None, name
        assert result.error.code == "not_media", (name, result.error)


@pytest.mark.parametrize(("type_id", "port", "inputs"), [
    ("media.trim", "video", {"duration": "1"}),
    ("media.convert", "video", {}),
    ("media.extract_audio", "video", {}),
    ("media.thumbnail", "video", {}),
    ("media.reframe", "video", {}),
    ("audio.normalize", "audio", {}),
    ("audio.stems", "audio", {}),
])
def test_every_media_node_refuses_a_forged_ref_to_a_playlist(
    tricked: tuple[Path, dict[str, Any], list[str]], registry: NodeRegistry,
    type_id: str, port: str, inputs: dict[str, Any],
) -> None:
    workspace, clip, names = tricked
    for name in names:
        forged = {**clip, "path": f"media/{name}"}
        result = run_node(workspace, registry, type_id, {port: forged, **inputs})
        assert result.error is not None, (type_id, name, result.outputs)
