"""`providers.omnigen2_image`: OmniGen2 (open weights, Apache-2.0) text-to-image, instruction
editing and subject-driven generation with several reference images, through its `diffusers`
pipeline on this machine's GPU (the high tier). The weights are a folder named by
`AUTEUR_OMNIGEN2_DIR`; `diffusers` and `torch` are imported only when a run loads the pipeline,
which is kept in the runner's model cache (the seam a test injects a double through)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Literal

from nodes.sdk import (
    Input,
    MediaRef,
    MissingDependencyError,
    Node,
    NodeExecutionError,
    Output,
    Outputs,
    RunContext,
    check_picture,
    node,
)
from nodes.sdk.providers import PriceModel, check_budget, provenance_source
from nodes.sdk.takes import ShotCoords

from .settings import ProvidersSettings

PROVIDER = "omnigen2"
MAX_REFERENCES = 5
Mode = Literal["text_to_image", "edit", "subject"]


def pipeline_key(weights: Path) -> str:
    """The model cache's key for the pipeline loaded from `weights`."""
    return f"omnigen2:{weights.resolve()}"


def load_pipeline(weights: Path) -> Any:
    """The OmniGen2 `diffusers` pipeline from the weights folder, on the GPU when there is one."""
    try:
        import torch
        from diffusers import DiffusionPipeline
    except ImportError as exc:
        raise MissingDependencyError(
            "OmniGen2 needs `diffusers` (and torch) on this runner: install them on the high (GPU) tier "
            "(`pip install diffusers transformers accelerate`)") from exc
    device = "cuda" if torch.cuda.is_available() else "cpu"
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    pipeline = DiffusionPipeline.from_pretrained(str(weights), torch_dtype=dtype, trust_remote_code=True)
    return pipeline.to(device)


class OmniGen2Out(Outputs):
    image: MediaRef = Output(socket="IMAGE", description="The first image (a take of the shot)")
    images: list[MediaRef] = Output(socket="IMAGE", is_list=True, description="Every image made")
    paths: list[str] = Output(socket="TEXT", ui=True, description="The takes' paths inside the project")


@node(
    "providers.omnigen2_image",
    title="OmniGen2 Image",
    category="Providers/Image",
    version="1.0.0",
    maturity="SUPERVISED",
    runs_on="runner",
    output_node=True,
)
class OmniGen2Image(Node):
    """Make or edit pictures with OmniGen2: from text, by an instruction on one picture, or of the
    subjects of several reference pictures; each result is a take of the shot."""

    instruction: str = Input(description="The prompt, or the edit to make ('make her coat red')", multiline=True)
    mode: Mode = Input("text_to_image", description="text_to_image; edit (one picture); subject (1-5 references)")
    references: list[MediaRef] = Input([], socket="IMAGE", is_list=True,
                                       description="The picture to edit, or the subjects' pictures")
    negative_prompt: str = Input("(((deformed))), blurry, low quality, watermark", description="What to avoid")
    guidance_scale: float = Input(5.0, ge=1.0, le=20.0, description="How closely to follow the text")
    image_guidance_scale: float = Input(2.0, ge=1.0, le=10.0, description="How closely to keep the references")
    steps: int = Input(50, ge=1, le=200, description="Denoising steps")
    width: int = Input(1024, ge=256, le=2048, step=16, description="Width in pixels")
    height: int = Input(1024, ge=256, le=2048, step=16, description="Height in pixels")
    count: int = Input(1, ge=1, le=4, description="Images to make")
    seed: int = Input(0, ge=0, le=2**31 - 1, description="Random seed")
    shot_path: str = Input(description="The shot the images are takes of, e.g. Chapter_01/Scene_01/Shot_01")

    @classmethod
    def price(cls) -> PriceModel:
        """Per image made (the GPU's time, at the run's tier rate where one is set)."""
        settings = ProvidersSettings()
        return PriceModel(provider=PROVIDER, unit="image", usd=settings.omnigen2_usd_per_image,
                          by_tier=settings.omnigen2_usd_per_image_by_tier, counts=("count",))

    def run(self, ctx: RunContext) -> OmniGen2Out:
        coords = ShotCoords.parse(self.shot_path)
        self._check_mode()
        weights = ProvidersSettings().omnigen2_dir
        if weights is None or not weights.is_dir():
            raise MissingDependencyError(
                "OmniGen2's weights are not configured: download them (e.g. `huggingface-cli download "
                "OmniGen2/OmniGen2 --local-dir /models/omnigen2`) on the GPU runner and set "
                "AUTEUR_OMNIGEN2_DIR to that folder", details={"setting": "AUTEUR_OMNIGEN2_DIR"})
        estimate = self.price().estimate({"count": self.count}, ctx.tier, f"{self.count} image(s) on the GPU")
        check_budget(ctx.takes.project_root("OmniGen2 generation"), estimate)
        references = [self._picture(ctx, ref) for ref in self.references]
        ctx.progress(0.05, "load OmniGen2")
        pipeline = ctx.models.get_or_load(pipeline_key(weights), lambda: load_pipeline(weights))
        ctx.check_cancelled()
        ctx.progress(0.1, "generate")
        answer = pipeline(**self.call_arguments(references, ctx))
        ctx.check_cancelled()
        refs, paths = [], []
        for index, picture in enumerate(list(answer.images)[: self.count]):
            buffer = io.BytesIO()
            picture.save(buffer, format="PNG")
            take = ctx.takes.save(coords, buffer.getvalue(), suffix=".png",
                                  inputs=self.model_dump(mode="json", exclude={"references"}) | {
                                      "references": [ref.path for ref in self.references]},
                                  source=provenance_source(estimate, model="OmniGen2", mode=self.mode, seed=self.seed,
                                                           index=index),
                                  item=f"{self.seed}#{index}")
            refs.append(ctx.media_ref(take.file, kind="image", mime="image/png"))
            paths.append(take.path)
        if not refs:
            raise NodeExecutionError("OmniGen2 returned no image", code="omnigen2_empty")
        return OmniGen2Out(image=refs[0], images=refs, paths=paths)

    def call_arguments(self, references: list[Any], ctx: RunContext) -> dict[str, Any]:
        """The OmniGen2 pipeline's arguments (its `__call__`: text and image guidance scales,
        `input_images`, a seeded generator)."""
        import torch  # present wherever the pipeline loaded

        def step(_pipe: Any, index: int, _timestep: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
            ctx.check_cancelled()  # diffusers calls back between steps: a cancel stops here
            ctx.progress(0.1 + 0.85 * (index + 1) / self.steps, "denoise")
            return kwargs

        return {
            "prompt": self.instruction, "input_images": references or None, "negative_prompt": self.negative_prompt,
            "text_guidance_scale": self.guidance_scale, "image_guidance_scale": self.image_guidance_scale,
            "num_inference_steps": self.steps, "width": self.width, "height": self.height,
            "num_images_per_prompt": self.count, "generator": torch.Generator(device="cpu").manual_seed(self.seed),
            "output_type": "pil", "callback_on_step_end": step,
        }

    def _check_mode(self) -> None:
        count = len(self.references)
        wanted = {"text_to_image": (0, 0), "edit": (1, 1), "subject": (1, MAX_REFERENCES)}[self.mode]
        if not wanted[0] <= count <= wanted[1]:
            raise NodeExecutionError(f"{self.mode} takes {wanted[0]}-{wanted[1]} reference picture(s), not {count}",
                                     code="omnigen2_references")

    @staticmethod
    def _picture(ctx: RunContext, ref: MediaRef) -> Any:
        from PIL import Image

        path = ctx.media_path(ref)
        check_picture(path)
        with Image.open(path) as image:
            return image.convert("RGB")
