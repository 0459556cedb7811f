"""Breakdown of a ~120-page screenplay (built from the test scenes) and payload compilation
for every shot: time and shots per second."""

from __future__ import annotations

import time
from pathlib import Path

from nodes.production.domain import VeoInstance, VeoParameters, VeoRequest, snap_duration
from nodes.production.prompting import prompt_sections, prompt_text
from nodes.production.screenplay import break_down, parse_screenplay

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "screenplays"
LINES_PER_PAGE = 56


def long_script(pages: int = 120) -> str:
    """The test screenplays' scenes, repeated (numbered apart) until the script has `pages` pages."""
    body = "\n\n".join(p.read_text().split("\n\n", 1)[1] for p in sorted(DATA.glob("*.fountain")))
    parts: list[str] = []
    round_ = 0
    while sum(part.count("\n") for part in parts) < pages * LINES_PER_PAGE:
        round_ += 1
        parts.append(body.replace(" - ", f" {round_} - "))
    return "Title: Bench\n\n" + "\n\n".join(parts)


def main() -> None:
    script = long_script()
    started = time.perf_counter()
    breakdown = break_down(parse_screenplay(script))
    parsed = time.perf_counter() - started
    started = time.perf_counter()
    for shot in breakdown.shots:
        VeoRequest(instances=[VeoInstance(prompt=prompt_text(prompt_sections(shot)))],
                   parameters=VeoParameters(duration_seconds=snap_duration(shot.duration)))
    compiled = time.perf_counter() - started
    shots = len(breakdown.shots)
    print(f"screenplay: {script.count(chr(10)) // LINES_PER_PAGE} pages, {len(breakdown.scenes)} scenes, {shots} shots")
    print(f"breakdown   {parsed:8.3f} s  {shots / parsed:10.0f} shots/s")
    print(f"payloads    {compiled:8.3f} s  {shots / compiled:10.0f} shots/s")
