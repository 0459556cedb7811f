"""providers.omnigen2_image against a double of OmniGen2's diffusers pipeline interface, injected
through the runner's model cache (the SDK seam the real pipeline is loaded through): the call's
arguments, references, progress and cancellation between steps, takes and provenance, and the
error that says how to provide the weights."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from nodes.providers.omnigen2 import pipeline_key
from nodes.sdk import ModelCache, NodeRegistry
from nodes.sdk.takes import read_provenances

from .conftest import SHOT, run_node


@dataclass
class PipelineDouble:
    """OmniGen2Pipeline's calling convention: keyword arguments in, `.images` (PIL) out, and
    `callback_on_step_end(pipe, step, timestep, kwargs)` after every step."""

    calls: list[dict[str, Any]] = field(default_factory=list)
    step_started: threading.Event = field(default_factory=threading.Event)

    def __call__(self, **kwargs: Any) -> Any:
        self.calls.append(kwargs)
        for index in range(kwargs["num_inference_steps"]):
            self.step_started.set()
            kwargs["callback_on_step_end"](self, index, 1000 - index, {})
        colour = (200, 30, 40) if kwargs["input_images"] else (20, 90, 200)
        images = [Image.new("RGB", (kwargs["width"], kwargs["height"]), (colour[0], colour[1], colour[2] + n))
                  for n in range(kwargs["num_images_per_prompt"])]
        return type("Output", (), {"images": images})()


@pytest.fixture
def weights(studio: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = studio / "models" / "omnigen2"
    folder.mkdir(parents=True)
    monkeypatch.setenv("AUTEUR_OMNIGEN2_DIR", str(folder))
    return folder


def picture(studio: Path, registry: NodeRegistry, name: str, colour: tuple[int, int, int]) -> dict[str, Any]:
    path = studio / "Projects" / "Film" / "01_Assets" / "Characters" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (96, 64), colour).save(path)
    loaded = run_node(studio, registry, "media.load", {"path": f"01_Assets/Characters/{name}"})
    assert loaded.error is None, loaded.error
    return loaded.outputs["media"]  # type: ignore[index,no-any-return]


def test_subject_driven_generation_sends_the_references_and_guidance_and_keeps_the_images_as_takes(
    studio: Path, providers: NodeRegistry, weights: Path
) -> None:
    double, models = PipelineDouble(), ModelCache()
    models.get_or_load(pipeline_key(weights), lambda: double)
    refs = [picture(studio, providers, "mara.png", (255, 0, 0)), picture(studio, providers, "dog.png", (0, 255, 0))]
    progress: list[float] = []
    result = run_node(studio, providers, "providers.omnigen2_image", {
        "instruction": "Mara walks the dog in the market", "mode": "subject", "references": refs,
        "negative_prompt": "blurry", "guidance_scale": 6.5, "image_guidance_scale": 2.5, "steps": 4,
        "width": 256, "height": 320, "count": 2, "seed": 42, "shot_path": SHOT}, models=models, progress=progress)
    assert result.error is None, result.error
    [call] = double.calls
    assert call["prompt"] == "Mara walks the dog in the market" and call["negative_prompt"] == "blurry"
    assert call["text_guidance_scale"] == 6.5 and call["image_guidance_scale"] == 2.5
    assert (call["num_inference_steps"], call["width"], call["height"], call["num_images_per_prompt"]) == (4, 256, 320, 2)
    assert [image.getpixel((0, 0)) for image in call["input_images"]] == [(255, 0, 0), (0, 255, 0)]
    assert call["generator"].initial_seed() == 42
    shot_dir = studio / "Projects" / "Film" / "03_Renders" / SHOT
    records = read_provenances(shot_dir)
    assert len(records) == 2 and records[0].source["provider"] == "omnigen2"
    assert records[0].inputs["references"] == [ref["path"] for ref in refs]
    with Image.open(studio / "Projects" / "Film" / result.outputs["paths"][0]) as made:  # type: ignore[index]
        assert made.size == (256, 320) and made.getpixel((0, 0)) == (200, 30, 40)
    assert len(progress) >= 6 and progress == sorted(progress)  # load, generate, one per step


def test_an_edit_takes_exactly_one_picture_and_text_to_image_none(
    studio: Path, providers: NodeRegistry, weights: Path
) -> None:
    refs = [picture(studio, providers, "a.png", (1, 2, 3)), picture(studio, providers, "b.png", (4, 5, 6))]
    edit = run_node(studio, providers, "providers.omnigen2_image",
                    {"instruction": "make it red", "mode": "edit", "references": refs, "shot_path": SHOT})
    assert edit.error is not None and edit.error.code == "omnigen2_references"
    text = run_node(studio, providers, "providers.omnigen2_image",
                    {"instruction": "a cat", "references": refs[:1], "shot_path": SHOT})
    assert text.error is not None and text.error.code == "omnigen2_references"


def test_cancelling_stops_between_denoising_steps(studio: Path, providers: NodeRegistry, weights: Path) -> None:
    double, models = PipelineDouble(), ModelCache()
    models.get_or_load(pipeline_key(weights), lambda: double)
    result = run_node(studio, providers, "providers.omnigen2_image",
                      {"instruction": "a cat", "steps": 200, "width": 256, "height": 256, "shot_path": SHOT},
                      models=models, is_cancelled=double.step_started.is_set)
    assert result.error is not None and result.error.code == "cancelled"
    assert not (studio / "Projects" / "Film" / "03_Renders").exists()


def test_without_weights_the_error_says_how_to_provide_them(
    studio: Path, providers: NodeRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AUTEUR_OMNIGEN2_DIR", raising=False)
    result = run_node(studio, providers, "providers.omnigen2_image", {"instruction": "a cat", "shot_path": SHOT})
    assert result.error is not None and result.error.code == "dependency_missing"
    assert "AUTEUR_OMNIGEN2_DIR" in result.error.message and "OmniGen2/OmniGen2" in result.error.message
