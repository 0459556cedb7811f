"""`providers.suno_generate`: music from a Suno endpoint. Suno has no official API; the common
third-party ones share one shape, which this speaks: `POST /api/v1/generate` (Bearer key) answers
`{code, msg, data: {taskId}}`, `GET /api/v1/generate/record-info?taskId=` answers the task's
`status` (`PENDING`, `TEXT_SUCCESS`, `FIRST_SUCCESS`, `SUCCESS`, or a failure) and, when done,
`response.sunoData[]` with each track's `audioUrl`. Those APIs cannot cancel a task: a cancelled
run abandons it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from nodes.sdk import Input, MediaRef, Node, NodeExecutionError, Output, Outputs, RunContext, node
from nodes.sdk.providers import (
    Backoff,
    CredentialStore,
    JobApi,
    Polling,
    PriceModel,
    Watch,
    check_budget,
    download,
    provenance_source,
)
from nodes.sdk.takes import ShotCoords

from .settings import ProvidersSettings

PROVIDER = "suno"
DONE = "SUCCESS"
WAITING = frozenset({"PENDING", "TEXT_SUCCESS", "FIRST_SUCCESS"})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})  # the third-party APIs answer 408 to a bad request


class SunoOut(Outputs):
    tracks: list[MediaRef] = Output(socket="AUDIO", is_list=True, description="Every returned track, each a take")
    paths: list[str] = Output(socket="TEXT", ui=True, description="The takes' paths inside the project")
    task_id: str = Output(socket="TEXT", description="The Suno task's id")


@node(
    "providers.suno_generate",
    title="Suno Music",
    category="Providers/Music",
    version="1.0.0",
    maturity="AUTONOMOUS",  # spends money on a Suno account
    runs_on="runner",
    output_node=True,
)
class SunoGenerate(Node):
    """Generate songs on a Suno endpoint from a style prompt and lyrics; each returned track is a
    take of the shot (the music bed), with the request and the task as its provenance."""

    prompt: str = Input(description="Style and mood (Suno's `style`), e.g. 'dream pop, 90 bpm, female vocals'",
                        multiline=True)
    lyrics: str = Input("", description="The lyrics to sing (empty: Suno writes them from the prompt)", multiline=True)
    title: str = Input("Untitled", description="The song's title")
    instrumental: bool = Input(False, description="No vocals")
    model: str = Input("V4_5", description="The endpoint's model name")
    shot_path: str = Input(description="The shot the tracks are takes of, e.g. Chapter_01/Scene_01/Shot_01")

    @classmethod
    def price(cls) -> PriceModel:
        """Per request (a call returns two tracks)."""
        return PriceModel(provider=PROVIDER, unit="call", usd=ProvidersSettings().suno_usd_per_request)

    def run(self, ctx: RunContext) -> SunoOut:
        settings = ProvidersSettings()
        coords = ShotCoords.parse(self.shot_path)
        root = ctx.takes.project_root("Suno generation")
        estimate = self.price().estimate({}, ctx.tier, f"one {self.model} request (two tracks)")
        check_budget(root, estimate)
        key = CredentialStore.for_workspace(ctx.workspace_root).require(
            ctx.principal, PROVIDER, settings.suno_api_key,
            "store a `suno` credential for this principal, or set AUTEUR_SUNO_API_KEY")
        base = settings.suno_api_url.rstrip("/")
        jobs = JobApi(Watch(ctx.cancelled, "Suno"), Backoff(settings.provider_retries, settings.provider_backoff_s),
                      base, PROVIDER, RETRY_STATUSES)
        # The key goes to the endpoint only: tracks come from whatever host the answer names.
        with httpx.Client(timeout=60.0, headers={"Authorization": f"Bearer {key.get_secret_value()}"}) as http, \
                httpx.Client(timeout=60.0) as fetcher:
            def call(what: str, request: Callable[[], httpx.Response]) -> dict[str, Any]:
                return _body(jobs.send(request, what), what)

            body = self.request_body(settings)
            ctx.progress(0.02, "submit to Suno")
            task_id = str((call("submit", lambda: http.post(f"{base}/api/v1/generate", json=body))
                           .get("data") or {}).get("taskId") or "")
            if not task_id:
                raise NodeExecutionError("the Suno endpoint answered without a taskId", code="suno_error")
            record = jobs.wait(
                lambda: call("poll", lambda: http.get(f"{base}/api/v1/generate/record-info",
                                                      params={"taskId": task_id})),
                _status, WAITING, Polling(settings.suno_poll_s, 30.0, settings.suno_timeout_s), task_id,
                ctx.progress, expected_s=120)
            tracks = _tracks(record, task_id)
            ctx.progress(0.9, "download the tracks")
            refs, paths = [], []
            for index, track in enumerate(tracks):
                url = str(track["audioUrl"])
                data, suffix = jobs.fetch(
                    lambda url=url: download(fetcher, url, "audio", source="Suno's track",  # type: ignore[misc]
                                             max_bytes=settings.provider_max_download_mb * 1024 * 1024),
                    "download")
                cost = estimate if index == 0 else estimate.model_copy(update={"usd": 0.0})
                take = ctx.takes.save(
                    coords, data, suffix=suffix, inputs=body,
                    source=provenance_source(cost, taskId=task_id, trackId=track.get("id"), title=track.get("title"),
                                             duration=track.get("duration"), model=self.model),
                    item=f"{task_id}:{index}")
                refs.append(ctx.media_ref(take.file, kind="audio"))
                paths.append(take.path)
        return SunoOut(tracks=refs, paths=paths, task_id=task_id)

    def request_body(self, settings: ProvidersSettings) -> dict[str, Any]:
        """Custom mode (style, title, the lyrics as the prompt) when lyrics are given, else the
        description mode (the prompt alone)."""
        custom = bool(self.lyrics.strip()) or self.instrumental
        body: dict[str, Any] = {"customMode": custom, "instrumental": self.instrumental, "model": self.model,
                                "prompt": self.lyrics if custom else self.prompt}
        if custom:
            body.update(style=self.prompt, title=self.title)
        if settings.suno_callback_url:
            body["callBackUrl"] = settings.suno_callback_url
        return body


def _body(answer: httpx.Response, what: str) -> dict[str, Any]:
    """The JSON answer; HTTP and in-body (`code`) errors as node errors."""
    try:
        data: Any = answer.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise NodeExecutionError(f"the Suno endpoint answered {answer.status_code} to {what} without JSON",
                                 code="suno_error", details={"status": answer.status_code})
    code = data.get("code", answer.status_code)
    if answer.status_code >= 400 or (isinstance(code, int) and code >= 400):
        status = answer.status_code if answer.status_code >= 400 else code
        hint = " (check the suno credential or AUTEUR_SUNO_API_KEY)" if status in (401, 403) else ""
        raise NodeExecutionError(f"the Suno endpoint refused to {what}: {status} {str(data.get('msg', ''))[:300]}{hint}",
                                 code="suno_auth_failed" if status in (401, 403) else "suno_error",
                                 details={"status": status})
    return data


def _status(record: dict[str, Any]) -> str:
    return str((record.get("data") or {}).get("status") or "PENDING")


def _tracks(record: dict[str, Any], task_id: str) -> list[dict[str, Any]]:
    data = record.get("data") or {}
    if _status(record) != DONE:
        raise NodeExecutionError(f"Suno task {task_id} failed: {_status(record)} {data.get('errorMessage') or ''}".strip(),
                                 code="suno_failed", details={"taskId": task_id, "status": _status(record)})
    tracks = [item for item in ((data.get("response") or {}).get("sunoData") or [])
              if isinstance(item, dict) and item.get("audioUrl")]
    if not tracks:
        raise NodeExecutionError(f"Suno task {task_id} finished without a track", code="suno_empty",
                                 details={"taskId": task_id})
    return tracks
