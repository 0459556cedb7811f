"""Veo on Vertex AI through Google's `google-genai` SDK (Vertex mode): submit a payload
(`predictLongRunning`), poll the operation (`fetchPredictOperation`), fetch the videos.

Every call goes through the provider SDK's `Watch` (nodes.sdk.providers): watched for
cancellation (the operation is abandoned: Vertex offers no cancel for Veo operations), 429 and
5xx answers retried with exponential backoff, the operation polled with a doubling interval;
the SDK's own retries are switched off.

The SDK cannot download `gs://` videos in Vertex mode (`files.download` is Gemini-API only),
so those are fetched from the Cloud Storage JSON API with the same credentials, on the
configurable base URL (`AUTEUR_GCS_BASE_URL`).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote

import google.auth
import google.auth.exceptions
import httpx
import requests
from google.auth.credentials import Credentials
from google.auth.transport.requests import AuthorizedSession
from google.genai import Client, errors, types

from nodes.sdk import NodeExecutionError
from nodes.sdk.providers import Backoff, Polling, Watch

from .domain import VeoImage, VeoPayload
from .settings import ProductionSettings

SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]
REQUEST_TIMEOUT_MS = 120_000
T = TypeVar("T")


@dataclass(frozen=True)
class VeoVideo:
    """One generated video: its bytes, and the URI it came from when it was not inline."""

    data: bytes
    uri: str | None


def _image(image: VeoImage | None) -> types.Image | None:
    if image is None:
        return None
    data = base64.b64decode(image.bytes_base64_encoded) if image.bytes_base64_encoded else None
    return types.Image(image_bytes=data, gcs_uri=image.gcs_uri, mime_type=image.mime_type)


def sdk_request(payload: VeoPayload) -> dict[str, Any]:
    """`generate_videos` keyword arguments expressing the payload (every Veo 3.1 field maps)."""
    instance, params = payload.request.instances[0], payload.request.parameters
    references = [types.VideoGenerationReferenceImage(image=_image(ref.image), reference_type=ref.reference_type)
                  for ref in instance.reference_images or []]
    config = types.GenerateVideosConfig(
        number_of_videos=params.sample_count, output_gcs_uri=params.storage_uri,
        duration_seconds=params.duration_seconds, seed=params.seed, aspect_ratio=params.aspect_ratio,
        resolution=params.resolution, person_generation=params.person_generation,
        negative_prompt=params.negative_prompt, generate_audio=params.generate_audio,
        last_frame=_image(instance.last_frame), reference_images=references or None,
    )
    source = types.GenerateVideosSource(prompt=instance.prompt, image=_image(instance.image))
    return {"model": payload.model, "source": source, "config": config}


class VeoClient:
    """One Vertex session: credentials, the SDK client and the cancellation watch."""

    def __init__(self, config: ProductionSettings, is_cancelled: Callable[[], bool]) -> None:
        self.config = config
        self.credentials, project = _credentials()
        self.project = config.gcp_project or project
        if not self.project:
            raise NodeExecutionError("Veo generation needs a Google Cloud project: set AUTEUR_GCP_PROJECT",
                                     code="vertex_not_configured")
        options = types.HttpOptions(base_url=config.vertex_base_url, api_version="v1", timeout=REQUEST_TIMEOUT_MS,
                                    retry_options=types.HttpRetryOptions(attempts=1))
        self.client = Client(vertexai=True, project=self.project, location=config.gcp_region,
                             credentials=self.credentials, http_options=options)
        # Vertex offers no cancel for Veo operations: a cancelled run abandons it.
        self.watch = Watch(is_cancelled, "Veo")

    def submit(self, payload: VeoPayload) -> str:
        """Start the generation; the operation's name."""
        request = sdk_request(payload)
        operation = self._retrying("submit", lambda: self.client.models.generate_videos(**request))
        if not operation.name:
            raise NodeExecutionError("Vertex answered predictLongRunning without an operation name",
                                     code="vertex_error")
        return operation.name

    def wait(self, name: str, on_poll: Callable[[float], None]) -> types.GenerateVideosResponse:
        """Poll until the operation is done (backing off), then its response or a node error."""
        # `name` is declared on the SDK's Operation base, which mypy's pydantic plugin misses
        operation = self.watch.poll(
            lambda: self._retrying("poll", lambda: self.client.operations.get(
                types.GenerateVideosOperation.model_validate({"name": name}))),
            lambda answer: bool(answer.done),
            Polling(self.config.veo_poll_s, self.config.veo_poll_max_s, self.config.veo_timeout_s),
            lambda elapsed, _answer: on_poll(elapsed),
            lambda elapsed: NodeExecutionError(f"Veo operation {name} not done after {elapsed:.0f} s",
                                               code="veo_timeout", details={"operation": name}))
        return _finished(name, operation)

    def fetch(self, video: types.Video) -> VeoVideo:
        """The video's bytes: inline, or downloaded from Cloud Storage."""
        if video.video_bytes:
            return VeoVideo(video.video_bytes, None)
        if not video.uri:
            raise NodeExecutionError("Veo returned a video with neither bytes nor a URI", code="vertex_error")
        uri = video.uri
        return VeoVideo(self._retrying("download", lambda: self._download(uri)), uri)

    def _download(self, uri: str) -> bytes:
        url = uri
        if uri.startswith("gs://"):
            bucket, _, name = uri.removeprefix("gs://").partition("/")
            url = (f"{self.config.gcs_base_url.rstrip('/')}/storage/v1/b/{quote(bucket, safe='')}"
                   f"/o/{quote(name, safe='')}?alt=media")
        session = AuthorizedSession(self.credentials)  # type: ignore[no-untyped-call]
        answer = session.get(url, timeout=REQUEST_TIMEOUT_MS / 1000)
        if answer.status_code >= 400:
            raise errors.APIError(answer.status_code, {"error": {"message": answer.text[:300]}})
        return answer.content

    def sleep(self, seconds: float) -> None:
        """Wait, ending at once (NodeCancelledError) when the run is cancelled."""
        self.watch.sleep(seconds)

    def _retrying(self, what: str, call: Callable[[], T]) -> T:
        return self.watch.retrying(call, lambda exc, final: _classify(what, exc, final),
                                   Backoff(self.config.veo_retries, self.config.veo_backoff_s))


def _classify(what: str, exc: Exception, final: bool) -> Exception | None:
    """429 and 5xx answers and unreachable Google are retried; the rest fail at once."""
    if isinstance(exc, errors.APIError):
        retriable = exc.code == 429 or exc.code >= 500
        return _node_error(what, exc) if not retriable or final else None
    if isinstance(exc, google.auth.exceptions.RefreshError):
        return NodeExecutionError(f"Google refused the credentials: {exc}", code="credentials_invalid")
    if isinstance(exc, (google.auth.exceptions.TransportError, httpx.TransportError, requests.ConnectionError)):
        return NodeExecutionError(f"Vertex AI {what}: cannot reach Google ({exc})",
                                  code="vertex_unreachable") if final else None
    return exc


def _credentials() -> tuple[Credentials, str | None]:
    try:
        credentials, project = google.auth.default(scopes=SCOPES)
    except google.auth.exceptions.DefaultCredentialsError as exc:
        raise NodeExecutionError(
            "no Google Cloud credentials: set GOOGLE_APPLICATION_CREDENTIALS to a service account "
            "JSON file, or run `gcloud auth application-default login`", code="credentials_missing",
        ) from exc
    return credentials, project


def _node_error(what: str, exc: errors.APIError) -> NodeExecutionError:
    code = "vertex_rate_limited" if exc.code == 429 else "vertex_error"
    return NodeExecutionError(f"Vertex AI {what} failed: {exc.code} {exc.status or ''} {exc.message or ''}".strip(),
                              code=code, details={"status": exc.code})


def _finished(name: str, operation: types.GenerateVideosOperation) -> types.GenerateVideosResponse:
    if operation.error:
        message = operation.error.get("message", "no message")
        raise NodeExecutionError(f"Veo generation failed: {message}", code="veo_failed",
                                 details={"operation": name, "error": operation.error})
    response = operation.response or operation.result
    videos = [item for item in (response.generated_videos or []) if item.video] if response else []
    if response is None or not videos:
        filtered = response.rai_media_filtered_count if response else None
        reasons = (response.rai_media_filtered_reasons if response else None) or []
        if filtered:
            raise NodeExecutionError(
                f"Veo's responsible-AI filter removed {filtered} video(s): {'; '.join(reasons) or 'no reason given'}."
                " Rephrase the prompt or change the reference images",
                code="veo_filtered", details={"operation": name, "filtered": filtered, "reasons": reasons})
        raise NodeExecutionError("Veo finished without a video", code="veo_empty", details={"operation": name})
    return response
