"""Animatic benchmark.

1. `production.animatic` on 100 stills with a soundtrack, run as a Function Runner runs it,
   against the single ffmpeg command line a person would write for the same job (the same
   100 looped stills concatenated, the soundtrack cut to length and loudness-normalised in one
   pass, the same encoder settings). Reported as node / raw (target ≤ 1.2×).
2. The audio-to-animatic pipeline on 10 spoken sentences, end to end, per stage.
"""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from nodes.sdk._tier_params import resolve_tier_params
from nodes.sdk.ffmpeg.tier_params import EncodeParams

from .node_bench import NodeBench, timed

STILLS = 100
SHOT_S = 0.5
FPS = 24
SIZE = (640, 360)
REPEATS = 3
SENTENCES = [
    "The harbour is quiet at dawn.", "A boat drifts past the lighthouse.", "Somewhere a bell begins to ring.",
    "Gulls circle over the grey water.", "An old man mends a net on the pier.", "The fog lifts slowly.",
    "A child runs along the sea wall.", "The first ferry sounds its horn.", "Light spills over the rooftops.",
    "The town wakes up.",
]


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def _stills(root: Path, runner: NodeBench) -> list[dict[str, Any]]:
    media = root / "media"
    media.mkdir(parents=True, exist_ok=True)
    refs = []
    for index in range(STILLS):
        path = media / f"still{index:03d}.png"
        _ffmpeg("-f", "lavfi", "-i", f"color=c=0x{(index * 2_654_435) % 0xFFFFFF:06x}:s={SIZE[0]}x{SIZE[1]}",
                "-frames:v", "1", str(path))
        refs.append(runner.node("media.load", {"path": path.relative_to(root).as_posix()})["media"])
    total = STILLS * SHOT_S
    _ffmpeg("-f", "lavfi", "-i", f"sine=frequency=220:sample_rate=44100:duration={total + 2}",
            "-af", "volume=-20dB", str(media / "track.wav"))
    return refs


def _raw_animatic(root: Path, out: Path, preset: str, crf: int) -> None:
    """The one command line: looped stills → concat, soundtrack → cut + one-pass loudnorm."""
    total = STILLS * SHOT_S
    args: list[str] = []
    for index in range(STILLS):
        args += ["-loop", "1", "-framerate", str(FPS), "-t", f"{SHOT_S}", "-i", str(root / "media" / f"still{index:03d}.png")]
    args += ["-i", str(root / "media" / "track.wav")]
    scaled = ";".join(f"[{i}:v]scale={SIZE[0]}:{SIZE[1]},setsar=1,format=yuv420p[c{i}]" for i in range(STILLS))
    graph = (f"{scaled};{''.join(f'[c{i}]' for i in range(STILLS))}concat=n={STILLS}:v=1:a=0[v];"
             f"[{STILLS}:a]atrim=duration={total},loudnorm=I=-16:TP=-1.5:LRA=11,aresample=48000,aformat=channel_layouts=stereo[a]")
    _ffmpeg(*args, "-filter_complex", graph, "-map", "[v]", "-map", "[a]", "-c:v", "libx264", "-preset", preset,
            "-crf", str(crf), "-r", str(FPS), "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "160k",
            "-movflags", "+faststart", "-t", f"{total}", str(out))


def bench_hundred_stills(root: Path, runner: NodeBench) -> None:
    refs = _stills(root, runner)
    track = runner.node("media.load", {"path": "media/track.wav"})["media"]
    shots = [{"id": f"s{i}", "number": i + 1, "duration": SHOT_S} for i in range(STILLS)]
    encode = resolve_tier_params(EncodeParams, runner.tiers.params_for("standard", "production.animatic"))
    preset, crf = encode.preset, encode.crf
    inputs = {"shots": shots, "pictures": refs, "soundtrack": track, "fps": FPS, "width": SIZE[0],
              "height": SIZE[1], "labels": False, "find_pictures": False, "save_take": False}
    node_s, raw_s = [], []
    for _ in range(REPEATS):
        node_s.append(timed(lambda: runner.node("production.animatic", inputs)))
        raw_s.append(timed(lambda: _raw_animatic(root, root / "raw.mp4", preset, crf)))
    node, raw = statistics.median(node_s), statistics.median(raw_s)
    print(f"animatic, {STILLS} stills × {SHOT_S} s + soundtrack at {SIZE[0]}×{SIZE[1]} {FPS} fps "
          f"(preset {preset}, crf {crf}): node {node:.2f} s, raw ffmpeg {raw:.2f} s, "
          f"ratio {node / raw:.2f}× (target ≤ 1.2×; median of {REPEATS})")


def bench_pipeline(root: Path, runner: NodeBench) -> None:
    media = root / "media"
    parts = []
    for index, sentence in enumerate(SENTENCES):
        part = media / f"line{index}.wav"
        subprocess.run(["espeak-ng", "-w", str(part), sentence], check=True)
        parts += ["-i", str(part), "-f", "lavfi", "-t", "0.7", "-i", "anullsrc=r=22050:cl=mono"]
    count = 2 * len(SENTENCES)
    _ffmpeg(*parts, "-filter_complex", "".join(f"[{i}:a]" for i in range(count)) + f"concat=n={count}:v=0:a=1",
            str(media / "voice.wav"))
    stages: dict[str, float] = {}
    found: dict[str, Any] = {}

    def stage(name: str, call: Any) -> None:
        started = time.perf_counter()
        found[name] = call()
        stages[name] = time.perf_counter() - started

    stage("media.load", lambda: runner.node("media.load", {"path": "media/voice.wav"})["media"])
    stage("audio.transcribe (model load included)",
          lambda: runner.node("audio.transcribe", {"audio": found["media.load"]})["transcript"])
    stage("production.segments_to_shots", lambda: runner.node(
        "production.segments_to_shots", {"transcript": found["audio.transcribe (model load included)"]})["shots"])
    shots = found["production.segments_to_shots"]
    stage(f"production.veo_payload × {len(shots)}", lambda: [runner.node(
        "production.veo_payload", {"shot": shot, "aspect_ratio": "16:9", "save_take": False}) for shot in shots])
    stage("production.animatic (title cards, 1280×720)", lambda: runner.node("production.animatic", {
        "shots": shots, "soundtrack": found["media.load"], "width": 1280, "height": 720})["video"])
    stage("production.platform_variants (1080: 1920×1080, 1080×1920, 1080×1350)", lambda: runner.node(
        "production.platform_variants", {"video": found["production.animatic (title cards, 1280×720)"]}))
    print(f"audio-to-animatic, {len(SENTENCES)} sentences → {len(shots)} shots, "
          f"{sum(s['duration'] for s in shots):.1f} s of audio:")
    for name, seconds in stages.items():
        print(f"  {name:<75} {seconds:7.2f} s")
    print(f"  {'total':<75} {sum(stages.values()):7.2f} s")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-animatic-") as tmp:
        root = Path(tmp)
        runner = NodeBench(root, ["core", "media", "audio", "production"])
        bench_hundred_stills(root, runner)
        bench_pipeline(root, runner)


if __name__ == "__main__":
    main()
