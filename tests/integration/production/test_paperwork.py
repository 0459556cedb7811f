"""Paperwork read back from the PDFs: the shot list, the storyboard (each panel the shot's
approved take — an image take, a video take's frame — or blank) and the screenplay in standard
layout (text and where it sits on the page)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pypdf
import pytest
from PIL import Image

from nodes.sdk import NodeRegistry, discover, layout
from nodes.sdk.takes import Provenance, ShotCoords, promote

from ..media.media_fixtures import outputs_of, run_node

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "screenplays" / "brick_and_steel.fountain"
SCRIPT = f"{layout.SCRIPTS_DIR}/brick_and_steel.fountain"
RED, GREEN, BLUE = (220, 30, 30), (30, 200, 30), (0, 0, 255)


@pytest.fixture(scope="module")
def registry() -> NodeRegistry:
    return discover(only=["core", "production"])


def take(project: Path, key: str, media: bytes, suffix: str) -> None:
    coords = ShotCoords.parse(key)
    record = Provenance(take_number=0, shot=coords.key, run_id="r", node_id=f"n{len(media)}", tier="standard")
    promote(media, project / coords.folder, coords, record, suffix)


def png(color: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 180), color).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Scene 2's shot has two image takes, the first approved (activeTake 1); scene 3's shot a
    blue video take; scenes 1 and 4 no take."""
    root = tmp_path_factory.mktemp("film")
    (root / layout.SCRIPTS_DIR).mkdir(parents=True)
    shutil.copy(SAMPLE, root / SCRIPT)
    chosen = {"chapters": [{"number": 1, "scenes": [{"number": 2, "shots": [{"number": 1, "activeTake": 1}]}]}]}
    (root / layout.MANIFEST).write_text(json.dumps({"narrative": chosen}), encoding="utf-8")
    take(root, "Chapter_01/Scene_02/Shot_01", png(GREEN), ".png")
    take(root, "Chapter_01/Scene_02/Shot_01", png(RED), ".png")
    clip = root / "clip.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=blue:size=320x180:rate=10:duration=1",
                    "-pix_fmt", "yuv420p", str(clip)], check=True)
    take(root, "Chapter_01/Scene_03/Shot_01", clip.read_bytes(), ".mp4")
    return root


def paperwork(project: Path, registry: NodeRegistry, document: str, **inputs: Any) -> Path:
    out = outputs_of(run_node(project, registry, "production.paperwork",
                              {"script": SCRIPT, "document": document, **inputs}))
    return project / out["file"]


def mean_color(image: Image.Image) -> tuple[int, ...]:
    small = image.convert("RGB").resize((1, 1))
    return tuple(small.getpixel((0, 0)))  # type: ignore[arg-type]


def close(color: tuple[int, ...], expected: tuple[int, int, int]) -> bool:
    return all(abs(a - b) < 40 for a, b in zip(color, expected, strict=True))


def test_the_storyboard_carries_each_approved_take_as_its_panel(project: Path, registry: NodeRegistry) -> None:
    path = paperwork(project, registry, "storyboard_pdf")
    assert path == project / layout.SHOTLISTS_DIR / "brick_and_steel.storyboard.pdf"
    page = pypdf.PdfReader(path).pages[0]
    text = page.extract_text()
    for expected in ("Storyboard: BRICK & STEEL", "Shot 1.1", "Shot 12.1", "Shot 12A.1", "Shot 13.1",
                     "Rain hammers a corrugated roof", "(sung) Happy birthday to you", 'BRICK: "Make a wish, old man."',
                     "11.5 s", "wide shot, eye level, static, 35mm"):
        assert expected in text
    assert text.count("no picture yet") == 2  # the cold open and the gates have no take
    colors = [mean_color(image.image) for image in page.images]
    assert len(colors) == 2
    assert any(close(c, GREEN) for c in colors), colors  # the approved take, not the newer red one
    assert any(close(c, BLUE) for c in colors), colors  # the video take's frame
    assert not any(close(c, RED) for c in colors)
    assert text.index("Shot 12.1") < text.index("Shot 12A.1")


def test_a_scenes_storyboard_holds_only_that_scene(project: Path, registry: NodeRegistry) -> None:
    path = paperwork(project, registry, "storyboard_pdf", scene=3)
    assert path.name == "brick_and_steel.storyboard.scene03.pdf"
    page = pypdf.PdfReader(path).pages[0]
    assert "Shot 12A.1" in page.extract_text() and "Shot 12.1 " not in page.extract_text()
    assert [close(mean_color(image.image), BLUE) for image in page.images] == [True]


def test_the_shot_list_as_csv_and_as_pdf(project: Path, registry: NodeRegistry) -> None:
    rows = list(csv.DictReader(paperwork(project, registry, "shot_list_csv").read_text(encoding="utf-8").splitlines()))
    assert [(r["scene"], r["shot"], r["slugline"]) for r in rows] == [
        ("1", "1", "COLD OPEN"), ("2", "1", "INT. BRICK'S PATIO - NIGHT"),
        ("3", "1", "FLASHBACK - THE FOUNDRY FLOOR - NIGHT"), ("4", "1", "EXT. FOUNDRY GATES - DAY")]
    pdf = paperwork(project, registry, "shot_list_pdf")
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    assert "Shot list: BRICK & STEEL" in text
    for expected in ("12A", "INT. BRICK'S PATIO - NIGHT", "Sparks fall like snow around young Brick.", "11.5 s", "BRICK"):
        assert expected in text


def test_the_screenplay_pdf_is_in_standard_screenplay_layout(project: Path, registry: NodeRegistry) -> None:
    pdf = pypdf.PdfReader(paperwork(project, registry, "screenplay_pdf"))
    title = pdf.pages[0].extract_text()
    assert "BRICK & STEEL" in title and "Test Writer" in title and "1 June 2025" in title
    placed: dict[str, float] = {}

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if text.strip():
            placed.setdefault(text.strip(), tm[4] / 72)  # x in inches

    body = pdf.pages[1].extract_text(visitor_text=visit)
    for expected in ("COLD OPEN", "INT. BRICK'S PATIO - NIGHT", "BRICK", "(to no one)", "Make a wish, old man.",
                     "Happy birthday to you,"):
        assert expected in body
    for written_for_readers in ("=", "~", "ACT ONE", "writer cut", "*"):
        assert written_for_readers not in body
    assert placed["INT. BRICK'S PATIO - NIGHT"] == pytest.approx(1.5)
    assert placed["BRICK"] == pytest.approx(3.7)
    assert placed["(to no one)"] == pytest.approx(3.1)
    assert placed["Make a wish, old man."] == pytest.approx(2.5)
    assert placed["12A"] < 1.5  # the scene number in the left margin (and the right)
