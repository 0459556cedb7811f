"""providers.higgsfield_video against a local double of Higgsfield's API in the shape its official
client uses: request shape and key, polling through a 503, a status URL elsewhere not followed,
the clip as a take with provenance, budget refusal, cancellation."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from nodes.sdk import NodeRegistry
from nodes.sdk.providers import CredentialStore
from nodes.sdk.takes import read_provenances

from .conftest import SHOT, run_node
from .higgsfield_double import HiggsfieldDouble, serve

QUEUED = (200, {"status": "queued", "request_id": "req-1"})
RUNNING = (200, {"status": "in_progress", "request_id": "req-1"})


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("higgsfield") / "clip.mp4"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
                    "color=c=teal:s=64x36:r=24:d=0.5", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-y", str(path)],
                   check=True)
    return path.read_bytes()


@pytest.fixture
def higgsfield(studio: Path, monkeypatch: pytest.MonkeyPatch, clip: bytes) -> Iterator[HiggsfieldDouble]:
    double = HiggsfieldDouble(clip=clip)
    server = serve(double)
    monkeypatch.setenv("AUTEUR_HIGGSFIELD_API_URL", double.base_url)
    monkeypatch.setenv("AUTEUR_HIGGSFIELD_POLL_S", "0.05")
    CredentialStore.for_workspace(studio).set("ana", "higgsfield", SecretStr("kid:ksecret"))
    yield double
    server.shutdown()


def clip_for(studio: Path, registry: NodeRegistry, **extra: object) -> object:
    inputs = {"prompt": "a lighthouse at dawn", "duration": 5, "arguments": '{"aspect_ratio": "16:9"}',
              "shot_path": SHOT}
    return run_node(studio, registry, "providers.higgsfield_video", inputs, principal="ana", **extra)  # type: ignore[arg-type]


def test_a_clip_is_submitted_polled_through_a_503_and_saved_as_a_take_with_its_request(
    studio: Path, providers: NodeRegistry, higgsfield: HiggsfieldDouble, clip: bytes
) -> None:
    higgsfield.status_url = "http://attacker.invalid/steal"  # never followed with the key
    higgsfield.statuses = [QUEUED, (503, {"detail": "busy"}), RUNNING, higgsfield.completed()]
    result = clip_for(studio, providers)
    assert result.error is None, result.error  # type: ignore[attr-defined]
    [submit] = higgsfield.of("/higgsfield-ai/dop/standard")
    assert submit.method == "POST" and submit.authorization == "Key kid:ksecret"
    assert submit.body == {"aspect_ratio": "16:9", "prompt": "a lighthouse at dawn", "duration": 5}
    assert len(higgsfield.of("/requests/req-1/status")) == 4
    [download] = higgsfield.of("/media/clip.mp4")
    assert download.authorization is None
    [record] = read_provenances(studio / "Projects" / "Film" / "03_Renders" / SHOT)
    assert record.source["provider"] == "higgsfield" and record.source["requestId"] == "req-1"
    assert record.source["estimateUsd"] == 0.5
    assert (studio / "Projects" / "Film" / result.outputs["path"]).read_bytes() == clip  # type: ignore[attr-defined]


def test_a_clip_over_the_budget_is_refused_before_higgsfield_is_called(
    studio: Path, providers: NodeRegistry, higgsfield: HiggsfieldDouble
) -> None:
    (studio / "Projects" / "Film" / "project.json").write_text(json.dumps({"name": "Film",
                                                                           "settings": {"budgetUsd": 0.3}}))
    result = clip_for(studio, providers)
    assert result.error is not None and result.error.code == "budget_exceeded"  # type: ignore[attr-defined]
    assert higgsfield.seen == []


def test_cancelling_a_queued_clip_cancels_the_request_at_higgsfield(
    studio: Path, providers: NodeRegistry, higgsfield: HiggsfieldDouble
) -> None:
    higgsfield.statuses = [QUEUED]
    cancel = threading.Event()
    threading.Timer(0.5, cancel.set).start()
    started = time.monotonic()
    result = clip_for(studio, providers, is_cancelled=cancel.is_set)
    assert time.monotonic() - started < 5
    assert result.error is not None and result.error.code == "cancelled"  # type: ignore[attr-defined]
    [cancelled] = higgsfield.of("/requests/req-1/cancel")
    assert cancelled.method == "POST" and cancelled.authorization == "Key kid:ksecret"
