"""Contract test of production.veo_generate against a local double of Vertex AI (our side of
the protocol): the real google-genai SDK in Vertex mode and the real google-auth
service-account flow, pointed at the double by settings."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from function_runners.execute import execute_task
from function_runners.task import NodeResult, NodeTask
from nodes.production.domain import VeoImage, VeoInstance, VeoParameters, VeoPayload, VeoRequest
from nodes.production.veo_generate import payload_key
from nodes.sdk import EventType, ModelCache, NodeRegistry, layout
from nodes.sdk.takes import read_provenances

from ..media.media_fixtures import ffmpeg
from .vertex_double import PENDING, TOKEN, VertexDouble, done, inline, serve, service_account

PROJECT_ID = "test-proj"
REGION = "us-central1"


@pytest.fixture
def double(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[VertexDouble]:
    fake = VertexDouble()
    server = serve(fake)
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    key_file = tmp_path / "service-account.json"
    fake.public_key = service_account(key_file, f"{fake.base_url}/token")
    for name in ("GOOGLE_API_KEY", "GEMINI_API_KEY", "GOOGLE_CLOUD_PROJECT", "GOOGLE_CLOUD_LOCATION",
                 "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key_file))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("AUTEUR_GCP_PROJECT", PROJECT_ID)
    monkeypatch.setenv("AUTEUR_GCP_REGION", REGION)
    monkeypatch.setenv("AUTEUR_VERTEX_BASE_URL", fake.base_url)
    monkeypatch.setenv("AUTEUR_GCS_BASE_URL", fake.base_url)
    monkeypatch.setenv("AUTEUR_VEO_POLL_S", "0.05")
    monkeypatch.setenv("AUTEUR_VEO_POLL_MAX_S", "0.1")
    monkeypatch.setenv("AUTEUR_VEO_BACKOFF_S", "0.05")
    yield fake
    server.shutdown()


def tiny_mp4(folder: Path, colour: str) -> bytes:
    """A real (tiny) MP4 of one colour, as Veo would return."""
    path = folder / f"{colour}.mp4"
    ffmpeg("-f", "lavfi", "-i", f"color=c={colour}:s=64x36:r=24:d=0.5", "-c:v", "libx264", "-pix_fmt", "yuv420p",
           str(path))
    return path.read_bytes()


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return tiny_mp4(tmp_path_factory.mktemp("veo"), "teal")


@pytest.fixture(scope="session")
def other_clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """What a second generation (new seed, retake) returns."""
    return tiny_mp4(tmp_path_factory.mktemp("veo"), "navy")


@pytest.fixture
def project(workspace: Path) -> Path:
    root = workspace / "Projects" / "Film"
    root.mkdir(parents=True)
    (root / "project.json").write_text(json.dumps({"name": "Film"}))
    return root


def payload(shot: int = 2, *, seed: int | None = 7, samples: int = 1, storage: str | None = None) -> VeoPayload:
    first_frame = base64.b64encode(b"\x89PNG\r\n\x1a\nnot-really-a-png").decode()
    return VeoPayload(
        model="veo-3.1-fast-generate-001", shot_id=f"shot-{shot}", shot_path=f"Chapter_01/Scene_03/Shot_{shot:02d}",
        request=VeoRequest(
            instances=[VeoInstance(prompt="A lighthouse at dawn, slow dolly in",
                                   image=VeoImage(bytes_base64_encoded=first_frame, mime_type="image/png"))],
            parameters=VeoParameters(aspect_ratio="16:9", resolution="720p", duration_seconds=6,
                                     generate_audio=True, negative_prompt="text, watermark", seed=seed,
                                     sample_count=samples, person_generation="allow_adult", storage_uri=storage),
        ),
    )


def generate(workspace: Path, project: Path, registry: NodeRegistry, item: VeoPayload, *,
             is_cancelled: Any = None, events: list[tuple[str, dict[str, Any]]] | None = None,
             run_id: str = "run-1", retake: int = 0) -> NodeResult:
    task = NodeTask(
        run_id=run_id, node_id="9", type="production.veo_generate", version="1.1.0",
        inputs={"payload": item.model_dump(mode="json"), "retake": retake}, tier="standard",
        scratch_dir=str(workspace / ".auteur" / "scratch" / run_id), workspace_root=str(workspace),
        project_root=str(project), project="Film",
    )
    sink = events if events is not None else []
    return execute_task(task, registry, ModelCache(), runner="test", is_cancelled=is_cancelled,
                        emit=lambda kind, data: sink.append((kind, data)))


def test_pending_then_done_saves_the_video_as_a_take_with_the_payload_as_provenance(
    workspace: Path, project: Path, registry: NodeRegistry, double: VertexDouble, clip: bytes
) -> None:
    double.polls = [PENDING, PENDING, done(inline(clip))]
    item, events = payload(), []
    result = generate(workspace, project, registry, item, events=events)
    assert result.error is None, result.error

    submit = double.of(":predictLongRunning")
    assert [r.path for r in submit] == [
        f"/v1/projects/{PROJECT_ID}/locations/{REGION}/publishers/google/models/veo-3.1-fast-generate-001"
        ":predictLongRunning"]
    assert submit[0].authorization == f"Bearer {TOKEN}"
    assert VeoRequest.model_validate(submit[0].body) == item.request
    assert submit[0].body == item.request.body()
    polls = double.of(":fetchPredictOperation")
    assert len(polls) == 3
    assert all(r.authorization == f"Bearer {TOKEN}" for r in polls)
    assert polls[0].path == submit[0].path.replace(":predictLongRunning", ":fetchPredictOperation")
    assert polls[0].body == {"operationName": double.operations and
                             f"projects/test-proj/locations/us-central1/publishers/google/models/"
                             f"veo-3.1-fast-generate-001/operations/op-{double.operations}"}
    assert len(double.of("/token")) == 1  # one token, reused for every call

    shot_dir = project / "03_Renders" / "Chapter_01" / "Scene_03" / "Shot_02"
    take = shot_dir / "S03_S02_take01.mp4"
    assert take.read_bytes() == clip
    assert result.outputs is not None
    assert result.outputs["video"]["path"] == take.relative_to(workspace).as_posix()
    assert result.outputs["paths"] == ["03_Renders/Chapter_01/Scene_03/Shot_02/S03_S02_take01.mp4"]
    assert result.outputs["reused"] is False
    [record] = read_provenances(shot_dir)
    assert record.status == "complete" and record.run_id == "run-1"
    assert record.inputs == item.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert record.source["payload_sha256"] == payload_key(item)
    assert events == [(EventType.TAKE_CREATED, {"project": "Film", "shot": "Chapter_01/Scene_03/Shot_02",
                                                "take_number": 1, "path": result.outputs["paths"][0]})]
    assert not list((project / layout.VEO_PENDING_DIR).glob("*.json"))


def test_rerunning_the_same_payload_and_seed_reuses_the_take_and_a_new_seed_generates(
    workspace: Path, project: Path, registry: NodeRegistry, double: VertexDouble, clip: bytes, other_clip: bytes
) -> None:
    double.polls = [done(inline(clip))]
    first = generate(workspace, project, registry, payload(), run_id="run-1")
    again = generate(workspace, project, registry, payload(), run_id="run-2")
    assert again.error is None and again.outputs is not None and first.outputs is not None
    assert again.outputs["reused"] is True
    assert again.outputs["video"] == first.outputs["video"]
    assert len(double.of(":predictLongRunning")) == 1
    double.polls = [done(inline(other_clip))]
    other = generate(workspace, project, registry, payload(seed=8), run_id="run-3")
    assert other.outputs is not None and other.outputs["paths"][0].endswith("S03_S02_take02.mp4")
    assert len(double.of(":predictLongRunning")) == 2


def test_a_retake_generates_afresh_with_the_same_seed_once_per_retake_number(
    workspace: Path, project: Path, registry: NodeRegistry, double: VertexDouble, clip: bytes, other_clip: bytes
) -> None:
    double.polls = [done(inline(clip))]
    first = generate(workspace, project, registry, payload(), run_id="run-1")
    double.polls = [done(inline(other_clip))]
    retake = generate(workspace, project, registry, payload(), run_id="run-2", retake=1)
    assert retake.error is None and retake.outputs is not None and first.outputs is not None
    assert retake.outputs["reused"] is False
    assert retake.outputs["paths"] == ["03_Renders/Chapter_01/Scene_03/Shot_02/S03_S02_take02.mp4"]
    submits = double.of(":predictLongRunning")
    assert len(submits) == 2 and submits[0].body == submits[1].body  # the same payload, seed 7 both times
    assert submits[1].body["parameters"]["seed"] == 7

    again = generate(workspace, project, registry, payload(), run_id="run-3", retake=1)
    original = generate(workspace, project, registry, payload(), run_id="run-4")
    assert again.outputs is not None and again.outputs["reused"] is True
    assert again.outputs["paths"] == retake.outputs["paths"]
    assert original.outputs is not None and original.outputs["paths"] == first.outputs["paths"]
    assert len(double.of(":predictLongRunning")) == 2
    records = read_provenances(project / "03_Renders" / "Chapter_01" / "Scene_03" / "Shot_02")
    assert [(r.take_number, r.source["retake"]) for r in records] == [(1, 0), (2, 1)]
    assert records[1].source["payload_sha256"] == payload_key(payload(), 1) != payload_key(payload())
    assert records[1].inputs == records[0].inputs


def test_a_generation_identical_to_the_newest_take_is_that_take_and_its_payload_is_never_paid_again(
    workspace: Path, project: Path, registry: NodeRegistry, double: VertexDouble, clip: bytes
) -> None:
    double.polls = [done(inline(clip))]
    first = generate(workspace, project, registry, payload(), run_id="run-1")
    same_video = generate(workspace, project, registry, payload(seed=8), run_id="run-2")
    assert first.outputs is not None and same_video.outputs is not None
    assert same_video.outputs["paths"] == first.outputs["paths"] == ["03_Renders/Chapter_01/Scene_03/Shot_02/S03_S02_take01.mp4"]
    [record] = read_provenances(project / "03_Renders" / "Chapter_01" / "Scene_03" / "Shot_02")
    assert [(run.run_id, run.source["payload_sha256"]) for run in record.runs] == [
        ("run-1", payload_key(payload())), ("run-2", payload_key(payload(seed=8)))]
    again = generate(workspace, project, registry, payload(seed=8), run_id="run-3")
    assert again.outputs is not None and again.outputs["reused"] is True
    assert again.outputs["paths"] == first.outputs["paths"]
    assert len(double.of(":predictLongRunning")) == 2


def test_a_filtered_result_is_a_clear_node_error_not_an_empty_success(
    workspace: Path, project: Path, registry: NodeRegistry, double: VertexDouble
) -> None:
    double.polls = [PENDING, done(filtered=1, reasons=["The prompt could not be submitted (safety)."])]
    result = generate(workspace, project, registry, payload())
    assert result.error is not None
    assert result.error.code == "veo_filtered"
    assert "filter removed 1 video" in result.error.message and "safety" in result.error.message
    assert not (project / "03_Renders" / "Chapter_01" / "Scene_03" / "Shot_02").exists()


def test_429_backs_off_and_retries_until_vertex_accepts(
    workspace: Path, project: Path, registry: NodeRegistry, double: VertexDouble, clip: bytes
) -> None:
    quota = (429, {"error": {"code": 429, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED"}})
    double.submits = [quota, quota]
    double.polls = [quota, done(inline(clip))]
    result = generate(workspace, project, registry, payload())
    assert result.error is None, result.error
    assert len(double.of(":predictLongRunning")) == 3
    assert len(double.of(":fetchPredictOperation")) == 2


def test_gcs_uris_are_downloaded_from_the_configured_storage_endpoint_as_one_take_each(
    workspace: Path, project: Path, registry: NodeRegistry, double: VertexDouble, clip: bytes
) -> None:
    second = clip + b"\0"  # two distinct samples
    double.objects = {"gs://veo-out/run/sample_0.mp4": clip, "gs://veo-out/run/sample_1.mp4": second}
    double.polls = [PENDING, done({"gcsUri": "gs://veo-out/run/sample_0.mp4", "mimeType": "video/mp4"},
                                  {"gcsUri": "gs://veo-out/run/sample_1.mp4", "mimeType": "video/mp4"})]
    item = payload(shot=4, samples=2, storage="gs://veo-out/run/")
    result = generate(workspace, project, registry, item)
    assert result.error is None, result.error
    assert double.of(":predictLongRunning")[0].body == item.request.body()
    downloads = [r for r in double.requests if r.method == "GET"]
    assert [r.path for r in downloads] == ["/storage/v1/b/veo-out/o/run%2Fsample_0.mp4?alt=media",
                                           "/storage/v1/b/veo-out/o/run%2Fsample_1.mp4?alt=media"]
    assert all(r.authorization == f"Bearer {TOKEN}" for r in downloads)
    shot_dir = project / "03_Renders" / "Chapter_01" / "Scene_03" / "Shot_04"
    assert (shot_dir / "S03_S04_take01.mp4").read_bytes() == clip
    assert (shot_dir / "S03_S04_take02.mp4").read_bytes() == second
    assert [r.source["uri"] for r in read_provenances(shot_dir)] == ["gs://veo-out/run/sample_0.mp4",
                                                                   "gs://veo-out/run/sample_1.mp4"]


def test_cancel_while_polling_ends_the_node_within_two_seconds_and_a_rerun_resumes_the_operation(
    workspace: Path, project: Path, registry: NodeRegistry, double: VertexDouble, clip: bytes,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AUTEUR_VEO_POLL_S", "0.2")
    monkeypatch.setenv("AUTEUR_VEO_POLL_MAX_S", "30")  # the node is mid-wait when cancelled
    double.polls = [PENDING]
    cancel = threading.Event()
    cancelled_at: list[float] = []

    def cancel_after_polls() -> None:
        while len(double.of(":fetchPredictOperation")) < 2:
            time.sleep(0.02)
        cancelled_at.append(time.monotonic())
        cancel.set()

    threading.Thread(target=cancel_after_polls, daemon=True).start()
    result = generate(workspace, project, registry, payload(), is_cancelled=cancel.is_set)
    assert result.error is not None and result.error.code == "cancelled"
    assert time.monotonic() - cancelled_at[0] < 2.0
    assert (project / layout.VEO_PENDING_DIR / f"{payload_key(payload())}.json").is_file()

    monkeypatch.setenv("AUTEUR_VEO_POLL_S", "0.05")
    double.polls = [done(inline(clip))]
    resumed = generate(workspace, project, registry, payload(), run_id="run-2")
    assert resumed.error is None, resumed.error
    assert len(double.of(":predictLongRunning")) == 1  # the abandoned operation was picked up, not paid twice


def test_a_generation_over_what_is_left_of_the_project_budget_is_refused_before_vertex_is_called(
    workspace: Path, project: Path, registry: NodeRegistry, double: VertexDouble, clip: bytes
) -> None:
    # 6 s at the default $0.40/s: $2.40 a generation; a $4 budget pays for one, not two.
    (project / "project.json").write_text(json.dumps({"name": "Film", "settings": {"budgetUsd": 4}}))
    double.polls = [done(inline(clip))]
    first = generate(workspace, project, registry, payload(seed=7))
    assert first.error is None, first.error
    [record] = read_provenances(project / "03_Renders" / "Chapter_01" / "Scene_03" / "Shot_02")
    assert record.source["provider"] == "veo" and record.source["estimateUsd"] == 2.4

    second = generate(workspace, project, registry, payload(seed=8), run_id="run-2")
    assert second.error is not None and second.error.code == "budget_exceeded"
    assert "$2.40" in second.error.message and "$1.60 of $4.00" in second.error.message
    assert len(double.of(":predictLongRunning")) == 1  # nothing was spent on the refused one
