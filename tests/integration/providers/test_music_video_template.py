"""The "music video" template end to end with `auteur run` in a project, on the Suno and
Higgsfield doubles, with a real transcription, the real critic and a real cut (ffprobe)."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from canvas_server.workspace.store import NewProject, ProjectStore
from nodes.sdk import ENTRY_POINT_GROUP

from .higgsfield_double import HiggsfieldDouble
from .higgsfield_double import serve as serve_higgsfield
from .suno_double import SunoDouble
from .suno_double import serve as serve_suno
from .test_higgsfield import clip as clip
from .test_suno_critic import OTHER, speech

REPO = Path(__file__).resolve().parents[3]
TEMPLATE = REPO / "workspace_templates" / "graphs" / "music_video.json"
AUTEUR = str(Path(sys.executable).with_name("auteur"))
SONG = "Open the door and turn on the lights. The kitchen is warm tonight."


def pack_path(folder: Path) -> str:
    """PYTHONPATH for the `auteur` process: where this checkout's packs are found. An install
    made before the providers pack existed lacks its entry point; a throwaway dist-info adds it."""
    if any(point.name == "providers" for point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)):
        return str(REPO)
    info = folder / "auteur_providers_test-0.0.0.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: auteur-providers-test\nVersion: 0.0.0\n")
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\nproviders = nodes.providers\n")
    return f"{REPO}:{folder}"


@pytest.fixture
def doubles(tmp_path: Path, clip: bytes) -> Iterator[tuple[SunoDouble, HiggsfieldDouble]]:
    folder = tmp_path / "songs"
    folder.mkdir()
    suno = SunoDouble(files={"sung.wav": speech(folder, "sung", SONG, 7.0),
                             "other.wav": speech(folder, "other", OTHER, 25.0)})
    higgsfield = HiggsfieldDouble(clip=clip)
    servers = [serve_suno(suno), serve_higgsfield(higgsfield)]
    suno.polls = [suno.record("PENDING"), suno.record("SUCCESS", ["other.wav", "sung.wav"])]
    higgsfield.statuses = [higgsfield.completed()]
    yield suno, higgsfield
    for server in servers:
        server.shutdown()


def test_the_music_video_template_runs_from_prompt_to_a_cut_over_the_best_track(
    tmp_path: Path, doubles: tuple[SunoDouble, HiggsfieldDouble]
) -> None:
    suno, higgsfield = doubles
    workspace = tmp_path / "ws"
    ProjectStore(workspace).create(NewProject(name="Film"))
    env = {"AUTEUR_WORKSPACE": str(workspace), "PATH": "/usr/bin:/bin", "HOME": str(Path.home()),
           "AUTEUR_RUNNER_WORKERS": "1", "PYTHONPATH": pack_path(tmp_path / "packs"), "NO_PROXY": "127.0.0.1",
           "AUTEUR_SUNO_API_URL": suno.base_url, "AUTEUR_SUNO_API_KEY": "sk-suno", "AUTEUR_SUNO_POLL_S": "0.05",
           "AUTEUR_HIGGSFIELD_API_URL": higgsfield.base_url, "AUTEUR_HIGGSFIELD_API_KEY": "kid:ksecret",
           "AUTEUR_HIGGSFIELD_POLL_S": "0.05"}
    result = subprocess.run([AUTEUR, "run", str(TEMPLATE), "--project", "Film", "--tier", "low",
                             "--set", "6.width=320", "--set", "6.height=180", "--set", "3.target_seconds=7",
                             "--set", f"1.lyrics={SONG}", "--set", f"3.lyrics={SONG}",
                             "--json"], capture_output=True, text=True, cwd=REPO, timeout=600, check=False, env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    clips = higgsfield.of("/higgsfield-ai/dop/standard")
    assert suno.of("/api/v1/generate")[0].body["prompt"] == SONG
    assert len(clips) == 2  # one clip per sung phrase of the chosen track
    assert "kitchen is warm" in clips[1].body["prompt"].lower()
    assert all(seen.body["prompt"].startswith("music video, neon kitchen") for seen in clips)
    # The cut: the animatic over the chosen ("sung") track, as long as it.
    renders = workspace / "Projects" / "Film" / "03_Renders"
    [cut] = sorted(renders.rglob("Animatic/*.mp4"))  # the cut, a take of the lyrics' scene
    assert len(sorted(renders.rglob("Shot_*/*.mp4"))) == 2  # a Higgsfield take per shot
    probe = json.loads(subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json",
                                       str(cut)], capture_output=True, check=True).stdout)
    video = next(s for s in probe["streams"] if s["codec_type"] == "video")
    assert (video["width"], video["height"]) == (320, 180)
    assert any(s["codec_type"] == "audio" for s in probe["streams"])
    assert abs(float(probe["format"]["duration"]) - 7.0) < 1.0
