"""`production.veo_generate`: a Veo payload → Vertex AI → the video(s) as takes of the shot.

Never generates twice for one payload (its seed included) and retake number: the takes
record the payload's hash, so re-running a finished shot reuses them, and a director who
wants another take of the same payload and seed raises `retake` (1, 2, …), each number
generated once (a counter, not a "regenerate" switch: the result cache would answer a
switch left on with the take it made the first time); the operation in flight is noted under the
project's `05_Cache/veo/`, so a run retried after a crash or a cancel resumes polling that
operation instead of paying for a second generation.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from nodes.sdk import (
    Input,
    MediaRef,
    Node,
    NodeExecutionError,
    Output,
    Outputs,
    RunContext,
    SavedTake,
    atomic_write_text,
    layout,
    node,
)
from nodes.sdk.providers import Estimate, PriceModel, check_budget, provenance_source
from nodes.sdk.takes import ShotCoords

from .domain import VeoPayload
from .settings import ProductionSettings

if TYPE_CHECKING:  # google-genai takes a second to import: only a run that calls Veo loads it
    from google.genai import types

    from .veo_client import VeoClient, VeoVideo

SOURCE_KIND = "veo_video"


def payload_key(payload: VeoPayload, retake: int = 0) -> str:
    """What makes two generations the same: the model, the request body (seed included) and
    the retake number (0 leaves the key as it was before retakes existed)."""
    body: dict[str, object] = {"model": payload.model, "request": payload.request.body()}
    if retake:
        body["retake"] = retake
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def veo_price(settings: ProductionSettings) -> PriceModel:
    """Per second of video, per sample; before the payload exists a clip counts as Veo's longest
    (8 s, what a shot with reference images always gets)."""
    return PriceModel(provider="veo", unit="second", usd=settings.veo_usd_per_second,
                      counts=("duration_seconds", "sample_count"), default_counts={"duration_seconds": 8})


def veo_estimate(payload: VeoPayload, settings: ProductionSettings, tier: str | None = None) -> Estimate:
    """The generation's price: seconds of video (per sample) at the configured rate."""
    params = payload.request.parameters
    return veo_price(settings).estimate(
        {"duration_seconds": params.duration_seconds, "sample_count": params.sample_count}, tier,
        f"{params.sample_count} × {params.duration_seconds} s of {payload.model}")


class VeoGenerateOut(Outputs):
    video: MediaRef = Output(socket="VIDEO", description="The first generated video (a take of the shot)")
    takes: list[MediaRef] = Output(socket="VIDEO", is_list=True, description="Every generated video")
    reused: bool = Output(socket="BOOLEAN", description="True when the takes already existed")
    paths: list[str] = Output(socket="TEXT", ui=True, description="The takes' paths inside the project")


@node(
    "production.veo_generate",
    title="Veo Generate",
    category="Production/Veo",
    version="1.1.0",
    maturity="AUTONOMOUS",  # spends money on a cloud account
    runs_on="runner",
    output_node=True,
)
class VeoGenerate(Node):
    """Send a Veo 3.1 payload to Vertex AI, wait for the operation, and save each video as a
    take of the payload's shot with the payload as its provenance. A shot already generated
    from the same payload and seed reuses its takes; raise `retake` for another one."""

    payload: VeoPayload = Input(description="From production.veo_payload", socket="VEO_PAYLOAD")
    retake: int = Input(0, ge=0, le=999, description="0: this payload's takes (generated once, then reused); "
                        "1, 2, …: a fresh generation of the same payload and seed, each number generated once")

    @classmethod
    def price(cls) -> PriceModel:
        return veo_price(ProductionSettings())

    def run(self, ctx: RunContext) -> VeoGenerateOut:
        root = ctx.takes.project_root("Veo generation")
        # Before anything is spent: the shot this payload is for, wherever project.json holds it now.
        coords = ctx.takes.target(ShotCoords.parse(self.payload.shot_path), self.payload.shot_id, "Veo generation")
        key = payload_key(self.payload, self.retake)
        existing = self._existing(ctx, coords, key)
        if existing:
            ctx.progress(1.0, "reused the takes of this payload")
            return self._outputs(ctx, existing, reused=True)
        from .veo_client import VeoClient

        settings = ProductionSettings()
        pending = root / layout.VEO_PENDING_DIR / f"{key}.json"
        name = self._pending(pending)
        estimate = veo_estimate(self.payload, settings, ctx.tier)
        if name is None:  # an operation already paid for is resumed whatever the budget says now
            check_budget(root, estimate)
        client = VeoClient(settings, ctx.cancelled)
        try:
            response = self._generate(ctx, client, pending, name, coords)
        except Exception:
            if not ctx.cancelled():
                pending.unlink(missing_ok=True)  # failed for good: a re-run submits afresh
            raise
        ctx.progress(0.9, "download the video(s)")
        videos = [client.fetch(item.video) for item in response.generated_videos or [] if item.video]
        # The operation the videos came from (the resumed one, or the one just submitted).
        operation = self._pending(pending) or name or ""
        saved = [self._save(ctx, coords, key, operation, index, video, estimate if index == 0 else None)
                 for index, video in enumerate(videos)]
        pending.unlink(missing_ok=True)
        return self._outputs(ctx, saved, reused=False)

    def _generate(self, ctx: RunContext, client: VeoClient, pending: Path, name: str | None,
                  coords: ShotCoords) -> types.GenerateVideosResponse:
        """Resume the noted operation (unless Vertex no longer knows it), else submit."""
        def progress(elapsed: float) -> None:
            ctx.progress(0.05 + 0.85 * min(1.0, elapsed / 120), "Veo is generating")

        if name is not None:
            try:
                return client.wait(name, progress)
            except NodeExecutionError as exc:
                if (exc.details or {}).get("status") != 404:
                    raise
        ctx.progress(0.02, "submit to Veo")
        name = client.submit(self.payload)
        atomic_write_text(pending, json.dumps({"operation": name, "shot": coords.key, "run_id": ctx.run_id}))
        return client.wait(name, progress)

    @staticmethod
    def _pending(path: Path) -> str | None:
        try:
            return str(json.loads(path.read_text(encoding="utf-8"))["operation"])
        except (OSError, ValueError, KeyError):
            return None

    @staticmethod
    def _existing(ctx: RunContext, coords: ShotCoords, key: str) -> list[SavedTake]:
        """This payload's takes, one per sample, in sample order."""
        by_sample: dict[int, SavedTake] = {}
        for take in ctx.takes.list(coords):
            for run in take.provenance.runs:  # an identical video may have come from another payload first
                source = run.source
                if source.get("kind") == SOURCE_KIND and source.get("payload_sha256") == key:
                    by_sample.setdefault(int(source.get("sample", 0)), take)
        return [by_sample[sample] for sample in sorted(by_sample)]

    def _save(self, ctx: RunContext, coords: ShotCoords, key: str, operation: str, index: int,
              video: VeoVideo, estimate: Estimate | None) -> SavedTake:
        # The operation's whole price is counted once, on its first sample's take.
        spend = provenance_source(estimate) if estimate is not None else {}
        return ctx.takes.save(
            coords, video.data, suffix=".mp4", shot_id=self.payload.shot_id,
            inputs=self.payload.model_dump(mode="json", by_alias=True, exclude_none=True),
            source={**spend, "kind": SOURCE_KIND, "payload_sha256": key, "operation": operation, "sample": index,
                    "uri": video.uri, "model": self.payload.model, "retake": self.retake},
            item=f"{key[:12]}#{index}",  # one node fans out over many shots and samples: each keeps its own take
        )

    @staticmethod
    def _outputs(ctx: RunContext, takes: list[SavedTake], *, reused: bool) -> VeoGenerateOut:
        refs = [ctx.media_ref(take.file, kind="video", mime="video/mp4") for take in takes]
        return VeoGenerateOut(video=refs[0], takes=refs, reused=reused, paths=[take.path for take in takes])
