"""Settings of the providers pack (remote generation services)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from nodes.sdk import CommaList, PackSettings


class ProvidersSettings(PackSettings):
    """Where the remote services are, what they cost, and how patiently they are asked."""

    comfyui_remote_url: str | None = Field(None, description="A studio's own ComfyUI server used as a render worker by `providers.comfyui_remote` (e.g. `http://gpu-box:8188`)")
    comfyui_remote_allowed: CommaList = Field(default_factory=list, description="More ComfyUI server URLs a `providers.comfyui_remote` node may name, comma-separated (loopback servers are always allowed)")
    comfyui_remote_token: SecretStr | None = Field(None, description="Bearer token for the remote ComfyUI server (a principal's stored `comfyui` credential wins)")
    comfyui_remote_usd_per_run: float = Field(0.0, ge=0, description="Estimated price of one prompt on the remote ComfyUI server, counted against the project's budget")
    comfyui_remote_usd_per_run_by_tier: dict[str, float] = Field(default_factory=dict, description="The price of one remote ComfyUI prompt on a quality tier, as JSON (e.g. `{\"high\": 0.5}`); a tier not named costs `AUTEUR_COMFYUI_REMOTE_USD_PER_RUN`")
    comfyui_remote_timeout_s: float = Field(3600.0, gt=0, description="Seconds a remote ComfyUI prompt may take before the node fails")
    suno_api_url: str = Field("https://api.sunoapi.org", description="Base URL of a Suno API in the common third-party shape (`POST /api/v1/generate`, `GET /api/v1/generate/record-info?taskId=`)")
    suno_api_key: SecretStr | None = Field(None, description="API key of the Suno endpoint (a principal's stored `suno` credential wins)")
    suno_callback_url: str | None = Field(None, description="`callBackUrl` sent with each Suno request where the endpoint requires one (the node polls either way)")
    suno_usd_per_request: float = Field(0.12, ge=0, description="Estimated price of one Suno request (it returns two tracks), counted against the project's budget")
    suno_poll_s: float = Field(5.0, gt=0, description="Seconds before the first poll of a Suno task (doubling up to 30 s)")
    suno_timeout_s: float = Field(600.0, gt=0, description="Seconds a Suno task may take before the node fails")
    higgsfield_api_url: str = Field("https://api.higgsfield.ai", description="Base URL of Higgsfield's API (the shape of its official client `higgsfield-client`)")
    higgsfield_api_key: SecretStr | None = Field(None, description="Higgsfield credentials as `key-id:key-secret` (a principal's stored `higgsfield` credential wins)")
    higgsfield_usd_per_second: float = Field(0.10, ge=0, description="Estimated Higgsfield price per second of video, counted against the project's budget")
    higgsfield_poll_s: float = Field(2.0, gt=0, description="Seconds before the first poll of a Higgsfield request (doubling up to 30 s)")
    higgsfield_timeout_s: float = Field(900.0, gt=0, description="Seconds a Higgsfield request may take before the node fails")
    omnigen2_dir: Path | None = Field(None, description="Folder of the OmniGen2 weights (a `diffusers` pipeline, e.g. a download of OmniGen2/OmniGen2 from Hugging Face) for `providers.omnigen2_image`")
    omnigen2_usd_per_image: float = Field(0.0, ge=0, description="Estimated price of one OmniGen2 image (the GPU's time), counted against the project's budget")
    omnigen2_usd_per_image_by_tier: dict[str, float] = Field(default_factory=dict, description="The price of one OmniGen2 image on a quality tier, as JSON (e.g. `{\"high\": 0.02}`); a tier not named costs `AUTEUR_OMNIGEN2_USD_PER_IMAGE`")
    provider_retries: int = Field(3, ge=0, description="Retries of a provider request that failed transiently (unreachable, 429, 5xx), with exponential backoff")
    provider_backoff_s: float = Field(1.0, ge=0, description="First backoff in seconds between provider retries (doubling each retry)")
    provider_max_download_mb: int = Field(512, gt=0, description="Largest result file a provider may send, in MiB")
