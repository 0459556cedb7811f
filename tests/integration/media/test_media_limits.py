"""Resource limits on every ffmpeg/ffprobe run (issue 19, H4, L5, M8): a decompression bomb is
refused before anything decodes it, the memory backstop is in force, ffmpeg dies with the
process that started it, and the server's own ffmpeg calls pass the same input guard."""

from __future__ import annotations

import json
import os
import signal
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import httpx
import pytest

from canvas_server.workspace.errors import WorkspaceError
from canvas_server.workspace.thumbnails import make_thumbnail
from nodes.sdk import MAX_PIXELS, MediaTooLargeError, check_media_budget, limited
from nodes.sdk._media_guard import memory_limit_bytes

from ..server_harness import running_server

REPO = Path(__file__).resolve().parents[3]


def write_png_bomb(path: Path, side: int = 16000) -> Path:
    """A PNG of side×side black pixels: ~750 KB on disk, 768 MB once decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    packer = zlib.compressobj(9)
    row = b"\x00" * (1 + side * 3)
    pixels = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))
    return path


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_png_bomb(tmp_path_factory.mktemp("bomb") / "bomb.png")


# Runs in a fresh interpreter so that its children's peak RSS is the nodes' ffmpeg alone.
_EVERY_MEDIA_NODE = r"""
import json, resource, sys, time
from pathlib import Path
from function_runners.execute import execute_task
from function_runners.task import NodeTask
from function_runners.tiers import load_tiers
from nodes.sdk import MediaRef, ModelCache, discover, sha256_file

# The folder plays the run's project: a run reads only inside its roots.
root, name = Path(sys.argv[1]), sys.argv[2]
registry, tiers, models = discover(only=["core", "media", "audio", "production"]), load_tiers(), ModelCache()
ref = MediaRef(path=name, sha256=sha256_file(root / name), mime="image/png", kind="image").model_dump(mode="json")
media_types = {"VIDEO", "IMAGE", "AUDIO", "MEDIA"}
report = {}
for spec in registry.specs():
    media_inputs = [i.name for i in spec.inputs if i.type in media_types and not i.is_list]
    other_required = [i.name for i in spec.inputs if i.required and i.widget is None and i.name not in media_inputs]
    if not media_inputs or other_required:
        continue
    inputs = {i.name: i.default for i in spec.inputs if i.widget is not None and i.default is not None}
    inputs.update({n: ref for n in media_inputs})
    started = time.monotonic()
    task = NodeTask(run_id="bomb", node_id=spec.type, type=spec.type, version=spec.version, inputs=inputs,
                    tier="standard", tier_params=tiers.params_for("standard", spec.type),
                    scratch_dir=str(root / "scratch" / spec.type), workspace_root=str(root), project_root=str(root))
    result = execute_task(task, registry, models, runner="test")
    report[spec.type] = {"code": result.error.code if result.error else None,
                         "seconds": time.monotonic() - started}
load = NodeTask(run_id="bomb", node_id="load", type="media.load", version=registry.spec("media.load").version,
                inputs={"path": name}, tier="standard", tier_params={}, scratch_dir=str(root / "scratch" / "load"),
                workspace_root=str(root), project_root=str(root))
result = execute_task(load, registry, models, runner="test")
report["media.load"] = {"code": result.error.code if result.error else None, "seconds": 0}
print(json.dumps({"nodes": report,
                  "self_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "children_rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def test_a_png_bomb_is_refused_by_every_media_node_before_ffmpeg_decodes_it(tmp_path: Path, bomb: Path) -> None:
    root = tmp_path / "workspace"
    root.mkdir()
    (root / "bomb.png").write_bytes(bomb.read_bytes())
    done = subprocess.run([sys.executable, "-c", _EVERY_MEDIA_NODE, str(root), "bomb.png"],
                          capture_output=True, text=True, timeout=600, cwd=REPO, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    nodes = report["nodes"]
    print(f"\n{len(nodes)} media nodes; peak RSS: runner {report['self_rss_kb'] / 1024:.0f} MB, "
          f"ffmpeg/ffprobe {report['children_rss_kb'] / 1024:.0f} MB")
    assert {"media.load", "media.thumbnail", "media.convert", "media.trim"} <= set(nodes)
    for type_id, outcome in nodes.items():
        # Nodes that read pictures refuse the budget; nodes that need sound or motion may
        # refuse the kind first. Either way, nothing ran long or decoded the frame.
        assert outcome["code"] is not None, f"{type_id} accepted a 16000×16000 picture"
        assert outcome["seconds"] < 20, f"{type_id} worked {outcome['seconds']:.1f} s on it"
    for type_id in ("media.load", "media.thumbnail", "media.convert"):
        assert nodes[type_id]["code"] == "media_too_large", (type_id, nodes[type_id])
    # Decoding one frame alone takes ~800 MB (ffprobe) and ffmpeg grew to 21 GB before.
    assert report["children_rss_kb"] < 300 * 1024


def test_the_upload_thumbnail_of_a_bomb_is_refused_and_the_asset_kept(tmp_path: Path, bomb: Path) -> None:
    with running_server(tmp_path / "ws") as server, httpx.Client(base_url=server.url, timeout=30) as client:
        assert client.post("/api/projects", json={"name": "Bombs"}).status_code == 201
        with bomb.open("rb") as handle:
            answer = client.post("/api/projects/Bombs/assets", data={"category": "Objects"},
                                 files={"file": ("bomb.png", handle, "image/png")})
        assert answer.status_code == 201, answer.text
        assert server.process is not None
        deadline = time.monotonic() + 20
        thumb = tmp_path / "ws" / "Projects" / "Bombs" / "05_Cache" / "thumbnails"
        while time.monotonic() < deadline and not list(thumb.rglob("*.jpg")):
            time.sleep(0.5)  # give the background thumbnail every chance to (wrongly) appear
            if time.monotonic() > deadline - 17:
                break
        status = Path(f"/proc/{server.process.pid}/status").read_text()
        peak_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")))
        print(f"\nserver peak RSS after the bomb upload: {peak_kb / 1024:.0f} MB")
        assert not list(thumb.rglob("*.jpg")), "a thumbnail was decoded from the bomb"
        listed = client.get("/api/projects/Bombs/assets").json()
        assert "bomb.png" in json.dumps(listed)
        assert peak_kb < 600 * 1024


def test_the_server_thumbnail_refuses_a_bomb_with_a_clear_reason(tmp_path: Path, bomb: Path) -> None:
    started = time.monotonic()
    with pytest.raises(WorkspaceError) as caught:
        make_thumbnail(bomb, tmp_path / "t.jpg", video=False)
    assert caught.value.code == "media_too_large"
    assert "256,000,000 pixels" in caught.value.message
    assert time.monotonic() - started < 5


def test_the_server_thumbnail_never_follows_a_concat_list_to_another_file(tmp_path: Path) -> None:
    listing = tmp_path / "project" / "clip.mp4"
    (listing.parent / "elsewhere").mkdir(parents=True)
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=5", "-t", "1",
                    "-y", str(listing.parent / "elsewhere" / "real.mp4")], check=True)
    listing.write_text("ffconcat version 1.0\nfile 'elsewhere/real.mp4'\n")
    with pytest.raises(WorkspaceError):
        make_thumbnail(listing, tmp_path / "t.jpg", video=True)
    assert not (tmp_path / "t.jpg").exists()


def test_ffmpeg_and_ffprobe_run_under_the_memory_limit() -> None:
    shown = subprocess.run(limited([sys.executable, "-c",
                                    "import resource; print(resource.getrlimit(resource.RLIMIT_DATA)[0])"]),
                           capture_output=True, text=True, check=True)
    assert int(shown.stdout) == memory_limit_bytes()
    assert 2 * 1024**3 <= memory_limit_bytes() <= 8 * 1024**3


def test_the_budget_names_the_limit_for_pictures_and_for_length() -> None:
    check_media_budget("ok.mp4", width=7680, height=4320, duration=3600)
    with pytest.raises(MediaTooLargeError, match="8192×8192"):
        check_media_budget("big.png", width=9000, height=9000, duration=None)
    with pytest.raises(MediaTooLargeError, match="hours"):
        check_media_budget("long.mp4", width=640, height=360, duration=11 * 3600)
    assert MAX_PIXELS == 8192 * 8192


_RUN_LONG_FFMPEG = r"""
import sys
from pathlib import Path
from nodes.sdk.ffmpeg.process import find_tool, run_ffmpeg, staged
source, out = Path(sys.argv[1]), Path(sys.argv[2])
run_ffmpeg([find_tool("ffmpeg"), "-re", "-y", "-i", str(source), "-c:v", "libx264", str(staged(out))],
           outputs={staged(out): out}, duration=60.0, is_cancelled=lambda: False)
"""


def _alive(pid: int) -> bool:
    """Running, not merely a zombie waiting for init to reap it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def test_ffmpeg_dies_within_two_seconds_when_its_runner_is_killed(tmp_path: Path) -> None:
    source = tmp_path / "long.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10", "-t", "60",
                    "-c:v", "libx264", "-preset", "ultrafast", "-y", str(source)], check=True)
    runner = subprocess.Popen([sys.executable, "-c", _RUN_LONG_FFMPEG, str(source), str(tmp_path / "out.mp4")],
                              cwd=REPO, start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        ffmpeg: list[int] = []
        while time.monotonic() < deadline and not ffmpeg:
            ffmpeg = [pid for pid in _children(runner.pid)
                      if Path(f"/proc/{pid}/comm").read_text().strip() == "ffmpeg"]
            time.sleep(0.1)
        assert ffmpeg, "ffmpeg did not start"
        os.kill(runner.pid, signal.SIGKILL)  # the runner alone, as the OOM killer would
        runner.wait(timeout=10)
        gone_by = time.monotonic() + 2
        while time.monotonic() < gone_by and _alive(ffmpeg[0]):
            time.sleep(0.05)
        alive = _alive(ffmpeg[0])
        if alive:
            os.kill(ffmpeg[0], signal.SIGKILL)
        assert not alive, "ffmpeg outlived its runner"
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGKILL)
