"""Fixtures of the speaker contract tests: the Sonos double, a real server that serves
signed media, a project with takes, and RunContexts for calling nodes directly."""

from __future__ import annotations

import hashlib
import math
import struct
import wave
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import soco
from cryptography.fernet import Fernet

from nodes.sdk import MediaRef, ModelCache, PathSandbox, RunContext
from nodes.sdk.takes import Provenance, ShotCoords, promote

from ..server_harness import ServerProcess, free_port
from .sonos_double import SonosSystem
from .spotify_double import CLIENT_ID, CLIENT_SECRET, SpotifyDouble

SECRET = Fernet.generate_key().decode()
PROJECT = "Review"


@pytest.fixture(scope="package")
def sonos_system() -> Iterator[SonosSystem]:
    system = SonosSystem().start()
    yield system
    system.stop()


@pytest.fixture
def sonos(sonos_system: SonosSystem) -> SonosSystem:
    """The two players, regrouped as at the start; SoCo's topology cache dropped."""
    sonos_system.reset()
    soco.SoCo.zone_group_states.clear()
    return sonos_system


def write_wav(path: Path, seconds: float = 0.3, rate: int = 8000, freq: float = 440.0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = (int(8000 * math.sin(2 * math.pi * freq * n / rate)) for n in range(int(seconds * rate)))
        out.writeframes(b"".join(struct.pack("<h", value) for value in frames))
    return path


def media_ref(workspace: Path, path: Path, *, sample_rate: int | None = None) -> MediaRef:
    return MediaRef(
        path=path.resolve().relative_to(workspace.resolve()).as_posix(),
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(), mime="audio/wav", kind="audio",
        sample_rate=sample_rate,
    )


def save_take(project_root: Path, source: Path, shot: int) -> Path:
    coords = ShotCoords(1, 1, shot)
    record = Provenance(take_number=0, shot=coords.key, run_id=f"seed-{shot}-{source.name}", node_id="1", tier="standard")
    saved, _ = promote(source, project_root / coords.folder, coords, record, source.suffix)
    return project_root / coords.folder / str(saved.file)


@pytest.fixture(scope="package")
def spotify() -> Iterator[SpotifyDouble]:
    double = SpotifyDouble().start()
    yield double
    double.stop()


@pytest.fixture(scope="package")
def speaker_env(spotify: SpotifyDouble) -> Iterator[dict[str, str]]:
    """The settings server and nodes share (the nodes read them from the environment)."""
    with pytest.MonkeyPatch.context() as patch:
        env = {
            "AUTEUR_SECRET_KEY": SECRET, "AUTEUR_SONOS_HOSTS": "127.0.0.2", "AUTEUR_SONOS_TIMEOUT_S": "3",
            "AUTEUR_SPOTIFY_CLIENT_ID": CLIENT_ID, "AUTEUR_SPOTIFY_CLIENT_SECRET": CLIENT_SECRET,
            "AUTEUR_SPOTIFY_ACCOUNTS_URL": spotify.url, "AUTEUR_SPOTIFY_API_URL": f"{spotify.url}/v1/",
            "AUTEUR_SPOTIFY_BACKOFF_S": "0.01",
        }
        for name, value in env.items():
            patch.setenv(name, value)
        yield env


@pytest.fixture(scope="package")
def media_server(tmp_path_factory: pytest.TempPathFactory, speaker_env: dict[str, str]) -> Iterator[ServerProcess]:
    """A real `auteur serve` whose AUTEUR_PUBLIC_URL is its own address."""
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    redirect = f"{public}/api/packs/speaker/spotify/callback"
    env = {**speaker_env, "AUTEUR_PUBLIC_URL": public, "AUTEUR_SPOTIFY_REDIRECT_URI": redirect}
    server = ServerProcess(tmp_path_factory.mktemp("speaker-ws"), env, port).start()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("AUTEUR_PUBLIC_URL", public)
            patch.setenv("AUTEUR_SPOTIFY_REDIRECT_URI", redirect)
            response = httpx.post(f"{server.url}/api/projects", json={"name": PROJECT}, timeout=30)
            assert response.status_code == 201, response.text
            yield server
    finally:
        server.stop()


@pytest.fixture(scope="package")
def project_root(media_server: ServerProcess) -> Path:
    return media_server.workspace / "Projects" / PROJECT


def make_ctx(workspace: Path, project_root: Path, type_id: str, principal: str = "alice") -> RunContext:
    return RunContext(
        run_id="run-test", node_id="7", type_id=type_id, tier="standard", tier_params={},
        workspace_root=workspace.resolve(), sandbox=PathSandbox([project_root]),
        scratch_dir=workspace / ".auteur" / "outputs" / type_id, models=ModelCache(),
        project=PROJECT, principal=principal, project_root=project_root,
    )
