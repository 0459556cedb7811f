"""The Vertex AI Veo 3.1 request: `POST .../models/{model}:predictLongRunning`.

`VeoRequest` is the request body (`instances`, `parameters`) with Vertex's camelCase keys;
`VeoPayload` adds the model and the shot it was compiled for. The cross-field rules of Veo 3.1
are validators, so an invalid combination fails when the payload is built, not at Google.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

VeoModel = Literal["veo-3.1-generate-001", "veo-3.1-fast-generate-001"]
VEO_MODELS: tuple[VeoModel, ...] = ("veo-3.1-generate-001", "veo-3.1-fast-generate-001")
VEO_DURATIONS = (4, 6, 8)
MAX_SEED = 4_294_967_295


def snap_duration(seconds: float) -> Literal[4, 6, 8]:
    """The Veo duration nearest to a shot's length (ties go to the longer clip)."""
    best = min(VEO_DURATIONS, key=lambda option: (abs(option - seconds), -option))
    return best  # type: ignore[return-value]


class _Vertex(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )

    def body(self) -> dict[str, object]:
        """The JSON Vertex expects: camelCase keys, unset options left out."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class VeoImage(_Vertex):
    """An image, inline (base64) or in Cloud Storage; exactly one of the two."""

    bytes_base64_encoded: str | None = None
    gcs_uri: str | None = Field(None, pattern=r"^gs://[^/]+/.+")
    mime_type: Literal["image/png", "image/jpeg", "image/webp"]

    @model_validator(mode="after")
    def _one_source(self) -> VeoImage:
        if (self.bytes_base64_encoded is None) == (self.gcs_uri is None):
            raise ValueError("an image needs exactly one of bytesBase64Encoded and gcsUri")
        return self


class VeoReferenceImage(_Vertex):
    """A subject/asset reference (Veo 3.1 takes `asset` references only)."""

    image: VeoImage
    reference_type: Literal["asset"] = "asset"


class VeoInstance(_Vertex):
    """`instances[0]`: the prompt and the optional images."""

    prompt: str = Field(min_length=1)
    image: VeoImage | None = None
    last_frame: VeoImage | None = None
    reference_images: list[VeoReferenceImage] | None = Field(None, min_length=1, max_length=3)

    @model_validator(mode="after")
    def _image_rules(self) -> VeoInstance:
        if self.last_frame is not None and self.image is None:
            raise ValueError("lastFrame needs image (the first frame) as well")
        if self.reference_images and (self.image is not None or self.last_frame is not None):
            raise ValueError("referenceImages cannot be combined with image or lastFrame")
        return self


class VeoParameters(_Vertex):
    """`parameters`: the generation options."""

    aspect_ratio: Literal["16:9", "9:16"] = "16:9"
    resolution: Literal["720p", "1080p"] = "720p"
    duration_seconds: Literal[4, 6, 8] = 8
    generate_audio: bool = True
    negative_prompt: str | None = None
    seed: int | None = Field(None, ge=0, le=MAX_SEED)
    sample_count: int = Field(1, ge=1, le=4)
    person_generation: Literal["allow_adult", "dont_allow", "allow_all"] = "allow_adult"
    storage_uri: str | None = Field(None, pattern=r"^gs://[^/]+(/.*)?$")


class VeoRequest(_Vertex):
    """The `predictLongRunning` body: one instance and its parameters."""

    instances: list[VeoInstance] = Field(min_length=1, max_length=1)
    parameters: VeoParameters

    @model_validator(mode="after")
    def _cross_rules(self) -> VeoRequest:
        instance, params = self.instances[0], self.parameters
        if params.resolution == "1080p" and params.duration_seconds != 8:
            raise ValueError("1080p is generated at durationSeconds 8 only")
        if instance.reference_images and params.duration_seconds != 8:
            raise ValueError("referenceImages need durationSeconds 8")
        has_images = instance.image is not None or bool(instance.reference_images)
        if has_images and params.person_generation == "allow_all":
            raise ValueError("with image inputs personGeneration must be allow_adult or dont_allow")
        return self


class VeoPayload(BaseModel):
    """What travels on a VEO_PAYLOAD socket and is saved as a take: model, shot and body."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: VeoModel = "veo-3.1-generate-001"
    shot_id: str
    shot_path: str = Field(description="Chapter_01/Scene_01/Shot_01")
    prompt_sections: dict[str, str] = Field(default_factory=dict)
    refined_by: str | None = None
    request: VeoRequest

    def endpoint(self, project: str, location: str = "us-central1") -> str:
        """The Vertex AI URL path this payload is posted to."""
        return (
            f"projects/{project}/locations/{location}/publishers/google/models/"
            f"{self.model}:predictLongRunning"
        )
