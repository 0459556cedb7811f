"""`providers.higgsfield_video`: video clips from Higgsfield, speaking the HTTP API of its official
client (`higgsfield-client` 0.2.0, read, not installed): `POST {base}/{application}` with
`Authorization: Key <id:secret>` and the arguments as JSON answers `{request_id, status_url,
cancel_url}`; `GET …/requests/{id}/status` answers `status` (`queued`, `in_progress`,
`completed`, `failed`, `nsfw`, `canceled`) and, once completed, the result (`video.url`,
`videos[].url`); `POST …/requests/{id}/cancel` cancels a request that has not started."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import httpx

from nodes.sdk import Input, MediaRef, Node, NodeExecutionError, Output, Outputs, RunContext, node
from nodes.sdk.preproduction import Shot
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

PROVIDER = "higgsfield"
WAITING = frozenset({"queued", "in_progress"})


class HiggsfieldOut(Outputs):
    video: MediaRef = Output(socket="VIDEO", description="The clip (a take of the shot)")
    path: str = Output(socket="TEXT", ui=True, description="The take's path inside the project")
    request_id: str = Output(socket="TEXT", description="Higgsfield's request id")


@node(
    "providers.higgsfield_video",
    title="Higgsfield Video",
    category="Providers/Video",
    version="1.0.0",
    maturity="AUTONOMOUS",  # spends Higgsfield credits
    runs_on="runner",
    output_node=True,
)
class HiggsfieldVideo(Node):
    """Generate a video clip on Higgsfield and keep it as a take of the shot, with the request as
    provenance. Cancelling the run cancels the request there when it has not started."""

    prompt: str = Input("", description="What happens in the clip (with a shot: the style, before its description)",
                        multiline=True)
    shot: Shot | None = Input(None, socket="SHOT", description="A shot: its description, length and place "
                              "(chapter/scene/shot) decide the clip's prompt, duration and take")
    application: str = Input("higgsfield-ai/dop/standard", pattern=r"^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*$",
                             description="Higgsfield's application (model) path")
    duration: int = Input(5, ge=1, le=30, description="Seconds of video")
    image_url: str = Input("", description="A start frame Higgsfield can fetch (https), or empty")
    arguments: str = Input("{}", description="More of the application's arguments, as a JSON object")
    shot_path: str = Input("", description="The shot the clip is a take of, e.g. Chapter_01/Scene_01/Shot_01 "
                           "(with a shot: its own)")

    @classmethod
    def price(cls) -> PriceModel:
        """Per second of video (the shot's length when a shot is linked)."""
        return PriceModel(provider=PROVIDER, unit="second", usd=ProvidersSettings().higgsfield_usd_per_second,
                          counts=("duration",), replaced_by={"duration": "shot"})

    def run(self, ctx: RunContext) -> HiggsfieldOut:
        settings = ProvidersSettings()
        if self.shot is not None:
            coords = ShotCoords(self.shot.chapter, self.shot.scene, self.shot.number)
        elif self.shot_path:
            coords = ShotCoords.parse(self.shot_path)
        else:
            raise NodeExecutionError("give a shot or a shot_path for the clip's take", code="higgsfield_no_shot")
        body = self.request_body()
        root = ctx.takes.project_root("Higgsfield generation")
        seconds = int(body["duration"])
        estimate = self.price().estimate({"duration": seconds}, ctx.tier, f"{seconds} s of {self.application}")
        check_budget(root, estimate)
        key = CredentialStore.for_workspace(ctx.workspace_root).require(
            ctx.principal, PROVIDER, settings.higgsfield_api_key,
            "store a `higgsfield` credential (key-id:key-secret) for this principal, or set AUTEUR_HIGGSFIELD_API_KEY")
        base = settings.higgsfield_api_url.rstrip("/")
        watch = Watch(ctx.cancelled, "Higgsfield")
        jobs = JobApi(watch, Backoff(settings.provider_retries, settings.provider_backoff_s), base, PROVIDER)
        with httpx.Client(timeout=60.0, headers={"Authorization": f"Key {key.get_secret_value()}"}) as api, \
                httpx.Client(timeout=60.0) as fetcher:
            def call(method: str, url: str, **kwargs: Any) -> dict[str, Any]:
                return _json(jobs.send(lambda: api.request(method, url, **kwargs), "answer"))

            ctx.progress(0.02, "submit to Higgsfield")
            submitted = call("POST", f"{base}/{self.application}", json=body)
            request_id = str(submitted.get("request_id") or "")
            if not request_id:
                raise NodeExecutionError("Higgsfield answered without a request_id", code="higgsfield_error")
            # The key goes only to this API: URLs the answer names elsewhere are not followed.
            status_url = _same_origin(submitted.get("status_url"), base) or f"{base}/requests/{request_id}/status"
            cancel_url = _same_origin(submitted.get("cancel_url"), base) or f"{base}/requests/{request_id}/cancel"

            def cancel() -> None:  # Higgsfield cancels only a request that has not started
                jobs.checked(api.post(cancel_url))

            watch.on_cancel = cancel
            result = jobs.wait(lambda: call("GET", status_url), lambda answer: str(answer.get("status")), WAITING,
                               Polling(settings.higgsfield_poll_s, 30.0, settings.higgsfield_timeout_s),
                               request_id, ctx.progress, expected_s=180)
            watch.on_cancel = None
            url = _video_url(result, request_id)
            ctx.progress(0.9, "download the clip")
            data, suffix = jobs.fetch(
                lambda: download(fetcher, url, "video", source="Higgsfield's clip",
                                 max_bytes=settings.provider_max_download_mb * 1024 * 1024), "download the clip")
        take = ctx.takes.save(coords, data, suffix=suffix, inputs={"application": self.application, **body},
                              source=provenance_source(estimate, requestId=request_id, application=self.application),
                              item=request_id)
        return HiggsfieldOut(video=ctx.media_ref(take.file, kind="video"), path=take.path, request_id=request_id)

    def request_body(self) -> dict[str, Any]:
        try:
            extra = json.loads(self.arguments or "{}")
        except ValueError as exc:
            raise NodeExecutionError(f"arguments is not JSON: {exc}", code="higgsfield_arguments_invalid") from exc
        if not isinstance(extra, dict):
            raise NodeExecutionError("arguments must be a JSON object", code="higgsfield_arguments_invalid")
        prompt, duration = self.prompt, self.duration
        if self.shot is not None:  # the shot's own words and length (whole seconds, at least one)
            prompt = ". ".join(part for part in (self.prompt.strip(), self.shot.description.strip()) if part)
            duration = max(1, min(30, round(self.shot.duration)))
        if not prompt.strip():
            raise NodeExecutionError("the clip needs a prompt (or a shot with a description)",
                                     code="higgsfield_arguments_invalid")
        body: dict[str, Any] = {**extra, "prompt": prompt, "duration": duration}
        if self.image_url:
            if urlsplit(self.image_url).scheme != "https":
                raise NodeExecutionError("image_url must be an https URL Higgsfield can fetch",
                                         code="higgsfield_arguments_invalid")
            body["image_url"] = self.image_url
        return body


def _same_origin(url: object, base: str) -> str | None:
    if not isinstance(url, str):
        return None
    mine, theirs = urlsplit(base), urlsplit(url)
    return url if (theirs.scheme, theirs.netloc) == (mine.scheme, mine.netloc) else None


def _json(answer: httpx.Response) -> dict[str, Any]:
    try:
        data: Any = answer.json()
    except ValueError:
        data = None
    if answer.status_code >= 400 or not isinstance(data, dict):
        detail = (data or {}).get("detail") if isinstance(data, dict) else answer.text[:300]
        status = answer.status_code
        raise NodeExecutionError(
            f"Higgsfield answered {status}: {str(detail)[:300]}"
            + (" (check the higgsfield credential or AUTEUR_HIGGSFIELD_API_KEY)" if status in (401, 403) else ""),
            code="higgsfield_auth_failed" if status in (401, 403) else "higgsfield_error", details={"status": status})
    return data


def _video_url(result: dict[str, Any], request_id: str) -> str:
    status = str(result.get("status"))
    if status != "completed":
        code = "higgsfield_nsfw" if status == "nsfw" else "higgsfield_failed"
        raise NodeExecutionError(f"Higgsfield request {request_id} ended {status}: {result.get('error') or ''}".strip(),
                                 code=code, details={"requestId": request_id, "status": status})
    video = result.get("video")
    videos = result.get("videos") or []
    url = (video or {}).get("url") if isinstance(video, dict) else None
    url = url or next((item.get("url") for item in videos if isinstance(item, dict) and item.get("url")), None)
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
        raise NodeExecutionError(f"Higgsfield request {request_id} completed without a video URL",
                                 code="higgsfield_empty", details={"requestId": request_id})
    return url
