"""providers.suno_generate against a local double of the common third-party Suno API (request
shape, key per principal, polling, retries, budget, takes with provenance) and
providers.music_critic ranking its tracks with a real transcription (audio.transcribe) and real
loudness and length measures."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from nodes.sdk import ModelCache, NodeRegistry
from nodes.sdk.providers import CredentialStore
from nodes.sdk.takes import read_provenances

from .conftest import SHOT, run_node
from .suno_double import SunoDouble, serve

LYRICS = "Open the door and turn on the lights in the kitchen"
OTHER = "Seven green bottles standing on a wall tonight"


def speech(folder: Path, name: str, sentence: str, seconds: float) -> bytes:
    """A spoken 'song' (espeak-ng), padded with a quiet tone to `seconds`."""
    voice = folder / f"{name}-voice.wav"
    subprocess.run(["espeak-ng", "-w", str(voice), sentence], check=True)
    out = folder / f"{name}.wav"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-i", str(voice), "-f", "lavfi", "-i",
                    f"sine=frequency=220:duration={seconds}", "-filter_complex",
                    "[1]volume=0.05[bed];[0][bed]amix=inputs=2:duration=longest", "-ar", "16000", "-y", str(out)],
                   check=True)
    return out.read_bytes()


@pytest.fixture(scope="module")
def songs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("songs")
    return {"sung.wav": speech(folder, "sung", LYRICS, 8.0), "other.wav": speech(folder, "other", OTHER, 20.0)}


@pytest.fixture
def suno(studio: Path, monkeypatch: pytest.MonkeyPatch, songs: dict[str, bytes]) -> Iterator[SunoDouble]:
    double = SunoDouble(files=dict(songs))
    server = serve(double)
    monkeypatch.setenv("AUTEUR_SUNO_API_URL", double.base_url)
    monkeypatch.setenv("AUTEUR_SUNO_POLL_S", "0.05")
    CredentialStore.for_workspace(studio).set("ana", "suno", SecretStr("sk-ana-suno"))
    yield double
    server.shutdown()


def generate(studio: Path, registry: NodeRegistry, **inputs: object) -> object:
    return run_node(studio, registry, "providers.suno_generate",
                    {"prompt": "dream pop, 90 bpm", "lyrics": LYRICS, "title": "Kitchen", "shot_path": SHOT, **inputs},
                    principal="ana")


def test_suno_tracks_are_requested_polled_through_a_503_and_saved_as_takes_with_the_estimate(
    studio: Path, providers: NodeRegistry, suno: SunoDouble
) -> None:
    suno.submits = [(503, {"code": 503, "msg": "busy"})]
    suno.polls = [suno.record("PENDING"), suno.record("FIRST_SUCCESS"), suno.record("SUCCESS", ["sung.wav", "other.wav"])]
    result = generate(studio, providers)
    assert result.error is None, result.error  # type: ignore[attr-defined]
    [first, retried] = suno.of("/api/v1/generate")
    assert retried.body == {"customMode": True, "instrumental": False, "model": "V4_5", "prompt": LYRICS,
                            "style": "dream pop, 90 bpm", "title": "Kitchen"}
    assert retried.authorization == "Bearer sk-ana-suno" and first.body == retried.body
    assert len(suno.of("/api/v1/generate/record-info")) == 3
    assert suno.of("/api/v1/generate/record-info")[0].query == {"taskId": ["task-1"]}
    records = read_provenances(studio / "Projects" / "Film" / "03_Renders" / SHOT)
    assert [r.source["trackId"] for r in records] == ["track-sung.wav", "track-other.wav"]
    assert [r.source["estimateUsd"] for r in records] == [0.12, 0.0]  # one request, counted once
    assert "sk-ana" not in json.dumps([r.model_dump(mode="json") for r in records])
    downloads = [seen for seen in suno.seen if seen.path.startswith("/audio/")]
    assert len(downloads) == 2 and all(seen.authorization is None for seen in downloads)  # the key stays with the API


def test_a_principal_without_a_key_and_a_request_over_budget_are_refused_before_suno_is_called(
    studio: Path, providers: NodeRegistry, suno: SunoDouble
) -> None:
    nobody = run_node(studio, providers, "providers.suno_generate",
                      {"prompt": "x", "shot_path": SHOT}, principal="ben")
    assert nobody.error is not None and nobody.error.code == "credentials_missing"
    (studio / "Projects" / "Film" / "project.json").write_text(json.dumps({"name": "Film",
                                                                           "settings": {"budgetUsd": 0.1}}))
    poor = generate(studio, providers)
    assert poor.error is not None and poor.error.code == "budget_exceeded"  # type: ignore[attr-defined]
    assert "$0.12" in poor.error.message and "$0.10" in poor.error.message  # type: ignore[attr-defined]
    assert suno.seen == []


def test_the_critic_picks_the_track_that_sings_the_lyrics_at_the_right_length(
    studio: Path, providers: NodeRegistry, suno: SunoDouble
) -> None:
    suno.polls = [suno.record("SUCCESS", ["other.wav", "sung.wav"])]
    made = generate(studio, providers)
    assert made.error is None, made.error  # type: ignore[attr-defined]
    tracks = made.outputs["tracks"]  # type: ignore[attr-defined]
    models = ModelCache()
    transcripts = []
    for track in tracks:
        heard = run_node(studio, providers, "audio.transcribe", {"audio": track}, models=models)
        assert heard.error is None, heard.error
        transcripts.append(heard.outputs["transcript"])  # type: ignore[index]
    critic = run_node(studio, providers, "providers.music_critic",
                      {"tracks": tracks, "transcripts": transcripts, "lyrics": LYRICS, "target_seconds": 8})
    assert critic.error is None, critic.error
    out = critic.outputs
    assert out is not None and out["best_index"] == 1 and out["best"]["path"] == tracks[1]["path"]
    best, worst = out["ranking"]
    assert best["lyrics_fit"] >= 0.7 > worst["lyrics_fit"]
    assert best["length_fit"] > 0.9 and worst["length_fit"] < 0.1
    assert best["loudness_lufs"] is not None and best["loudness_lufs"] < 0
    assert out["best_transcript"]["segments"][0]["words"]  # word timings, for the scenes


def test_a_track_that_is_not_audio_is_refused_and_nothing_is_saved(
    studio: Path, providers: NodeRegistry, suno: SunoDouble
) -> None:
    suno.files["page.mp3"] = b"<html><body>Please log in</body></html>"
    suno.polls = [suno.record("SUCCESS", ["page.mp3"])]
    result = generate(studio, providers)
    assert result.error is not None and result.error.code == "provider_bad_media"  # type: ignore[attr-defined]
    assert not (studio / "Projects" / "Film" / "03_Renders").exists()
