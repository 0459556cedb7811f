"""`providers.comfyui_remote`: a studio's own ComfyUI server as a render worker. The node queues
an API-format prompt there, follows its `/ws` progress, fetches every output file with `/view`
and saves each as a take of the shot, with the prompt and the server's prompt id as provenance.
Cancelling the run interrupts the prompt there (and takes it off its queue)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from nodes.sdk import (
    Input,
    MediaKind,
    MediaRef,
    Node,
    NodeExecutionError,
    Output,
    Outputs,
    RunContext,
    is_loopback_host,
    node,
)
from nodes.sdk.providers import (
    Backoff,
    CredentialStore,
    PriceModel,
    Watch,
    check_budget,
    provenance_source,
)
from nodes.sdk.takes import ShotCoords

from .comfyui_client import ComfyRemote
from .settings import ProvidersSettings

PROVIDER = "comfyui"
MAX_PROMPT_NODES = 2000


def server_url(requested: str, settings: ProvidersSettings) -> str:
    """The server a node may use: the configured one when the node names none; else one the
    settings allow, or a loopback one (a graph never points the worker at an arbitrary host)."""
    url = (requested or settings.comfyui_remote_url or "").strip().rstrip("/")
    if not url:
        raise NodeExecutionError("no remote ComfyUI server: set AUTEUR_COMFYUI_REMOTE_URL (e.g. http://gpu-box:8188)",
                                 code="comfyui_not_configured")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.query:
        raise NodeExecutionError("a remote ComfyUI server is an http(s) URL without credentials or query",
                                 code="comfyui_url_refused")
    allowed = {item.rstrip("/") for item in [settings.comfyui_remote_url or "", *settings.comfyui_remote_allowed]}
    if url in allowed or is_loopback_host(parts.hostname):
        return url
    raise NodeExecutionError("this ComfyUI server is not allowed: name it in AUTEUR_COMFYUI_REMOTE_ALLOWED",
                             code="comfyui_url_refused", details={"allowed": sorted(a for a in allowed if a)})


def parse_prompt(text: str) -> dict[str, Any]:
    """ComfyUI's API format: node id → {class_type, inputs}."""
    try:
        prompt = json.loads(text)
    except ValueError as exc:
        raise NodeExecutionError(f"the prompt is not JSON: {exc}", code="comfyui_prompt_invalid") from exc
    if (not isinstance(prompt, dict) or not prompt or len(prompt) > MAX_PROMPT_NODES
            or not all(isinstance(item, dict) and isinstance(item.get("class_type"), str) for item in prompt.values())):
        raise NodeExecutionError("the prompt must be ComfyUI's API format: {node id: {class_type, inputs}}",
                                 code="comfyui_prompt_invalid")
    return prompt


class ComfyRemoteOut(Outputs):
    takes: list[MediaRef] = Output(socket="*", is_list=True, description="Every output file, each a take of the shot")
    paths: list[str] = Output(socket="TEXT", ui=True, description="The takes' paths inside the project")
    prompt_id: str = Output(socket="TEXT", description="The prompt's id on the remote server")


@node(
    "providers.comfyui_remote",
    title="Remote ComfyUI",
    category="Providers/ComfyUI",
    version="1.0.0",
    maturity="AUTONOMOUS",  # spends a render box's (or a budget's) time
    runs_on="runner",
    output_node=True,
)
class ComfyRemoteNode(Node):
    """Render an API-format prompt on a studio's own ComfyUI server and keep its outputs as takes
    of the shot: progress from its /ws, outputs from /view, cancel by /interrupt."""

    prompt: str = Input(description="The prompt in ComfyUI's API format (Export (API) in ComfyUI)", multiline=True)
    shot_path: str = Input(description="The shot the outputs are takes of, e.g. Chapter_01/Scene_01/Shot_01")
    server: str = Input("", description="Empty: AUTEUR_COMFYUI_REMOTE_URL; else a server the settings allow (or loopback)")

    @classmethod
    def price(cls) -> PriceModel:
        """Per prompt, at the rate of the run's quality tier where one is set."""
        settings = ProvidersSettings()
        return PriceModel(provider=PROVIDER, unit="call", usd=settings.comfyui_remote_usd_per_run,
                          by_tier=settings.comfyui_remote_usd_per_run_by_tier)

    def run(self, ctx: RunContext) -> ComfyRemoteOut:
        settings = ProvidersSettings()
        url = server_url(self.server, settings)
        prompt = parse_prompt(self.prompt)
        coords = ShotCoords.parse(self.shot_path)
        root = ctx.takes.project_root("A remote ComfyUI render")
        estimate = self.price().estimate({}, ctx.tier, f"one prompt of {len(prompt)} nodes")
        check_budget(root, estimate)
        token = CredentialStore.for_workspace(ctx.workspace_root).get(ctx.principal, PROVIDER) \
            or settings.comfyui_remote_token
        watch = Watch(ctx.cancelled, "ComfyUI")
        remote = ComfyRemote(url, token, watch, Backoff(settings.provider_retries, settings.provider_backoff_s),
                             settings.provider_max_download_mb * 1024 * 1024)
        try:
            with remote.open_socket() as socket:
                ctx.progress(0.01, "queue the prompt")
                prompt_id = remote.queue(prompt)
                watch.on_cancel = lambda: remote.cancel(prompt_id)
                remote.follow(socket, prompt_id, lambda f, step: ctx.progress(0.02 + 0.88 * f, step), len(prompt),
                              settings.comfyui_remote_timeout_s)
            watch.on_cancel = None
            ctx.progress(0.9, "fetch the outputs")
            files = remote.outputs(prompt_id)
            if not files:
                raise NodeExecutionError(f"prompt {prompt_id} finished without an output file (no save node?)",
                                         code="comfyui_no_outputs", details={"promptId": prompt_id})
            refs, paths = [], []
            for index, item in enumerate(files):
                data, suffix = remote.fetch(item)
                cost = estimate if index == 0 else estimate.model_copy(update={"usd": 0.0})
                take = ctx.takes.save(
                    coords, data, suffix=suffix, inputs={"prompt": prompt},
                    source=provenance_source(cost, server=url, promptId=prompt_id, node=item.node,
                                             filename=item.filename),
                    item=f"{prompt_id}:{index}")
                kind: MediaKind = item.kinds[0] if suffix not in (".png", ".jpg", ".webp") else "image"
                refs.append(ctx.media_ref(take.file, kind=kind))
                paths.append(take.path)
        finally:
            remote.close()
        return ComfyRemoteOut(takes=refs, paths=paths, prompt_id=prompt_id)
