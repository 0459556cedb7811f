"""Media benchmark: each media/audio node, run exactly as a Function Runner runs it, against
the raw tool doing the same work on the same input in the same run — the ffmpeg CLI with the
node's own arguments, faster-whisper and demucs called directly (models warm on both sides).
Reported as node / raw ratios (target ≤ 1.05×)."""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .node_bench import NodeBench, timed

REPEATS = 3
SPEECH = "Please open the door and turn on the lights in the kitchen. " * 3


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def _make_inputs(root: Path) -> None:
    media = root / "media"
    media.mkdir(parents=True)
    _ffmpeg("-f", "lavfi", "-i", "testsrc=size=640x360:rate=25:duration=10",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=10",
            "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-shortest", str(media / "clip.mp4"))
    subprocess.run(["espeak-ng", "-w", str(media / "speech.wav"), SPEECH], check=True)
    _ffmpeg("-f", "lavfi", "-i", "sine=frequency=110:sample_rate=44100:duration=20",
            "-f", "lavfi", "-i", "anoisesrc=d=20:a=0.05:r=44100:c=pink",
            "-filter_complex", "[0][1]amix=inputs=2,volume=0.2", "-ac", "2", str(media / "music.wav"))


def _compare(name: str, node: Callable[[], object], raw: Callable[[], object]) -> tuple[str, float, float]:
    """Median of REPEATS interleaved runs of each (after one warm-up of each)."""
    node(), raw()
    node_times, raw_times = [], []
    for _ in range(REPEATS):
        node_times.append(timed(node))
        raw_times.append(timed(raw))
    return name, statistics.median(node_times), statistics.median(raw_times)


def _ffmpeg_cases(bench: NodeBench, clip: dict[str, Any]) -> list[tuple[str, Callable[[], object], Callable[[], object]]]:
    src = str(bench.root / "media" / "clip.mp4")
    low = bench.tiers.params_for("low", "media.convert")
    std = bench.tiers.params_for("standard", "media.convert")
    width = bench.tiers.params_for("standard", "media.thumbnail")["width"]
    return [
        ("media.trim (copy)",
         lambda: bench.node("media.trim", {"video": clip, "start": "2", "duration": "5"}),
         lambda: _ffmpeg("-ss", "2", "-i", src, "-t", "5", "-c", "copy", "-avoid_negative_ts",
                         "make_zero", str(bench.raw_dir() / "t.mp4"))),
        ("media.trim (accurate, low)",
         lambda: bench.node("media.trim", {"video": clip, "start": "2", "duration": "5",
                                           "accurate": True}, tier="low"),
         lambda: _ffmpeg("-ss", "2", "-i", src, "-t", "5", "-c:v", "libx264", "-preset",
                         low["preset"], "-crf", str(low["crf"]), "-pix_fmt", "yuv420p",
                         "-c:a", "aac", "-b:a", "160k", "-movflags", "+faststart",
                         str(bench.raw_dir() / "t.mp4"))),
        ("media.convert mp4 (standard)",
         lambda: bench.node("media.convert", {"video": clip, "format": "mp4"}),
         lambda: _ffmpeg("-i", src, "-c:v", "libx264", "-preset", std["preset"], "-crf",
                         str(std["crf"]), "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "160k",
                         "-movflags", "+faststart", str(bench.raw_dir() / "c.mp4"))),
        ("media.convert webm (low)",
         lambda: bench.node("media.convert", {"video": clip, "format": "webm"}, tier="low"),
         lambda: _ffmpeg("-i", src, "-c:v", "libvpx-vp9", "-crf", str(round(low["crf"] * 1.4)),
                         "-b:v", "0", "-deadline", "good", "-cpu-used", "6", "-row-mt", "1",
                         "-c:a", "libopus", "-b:a", "128k", str(bench.raw_dir() / "c.webm"))),
        ("media.thumbnail (standard)",
         lambda: bench.node("media.thumbnail", {"video": clip, "timestamp": "3"}),
         lambda: _ffmpeg("-ss", "3", "-i", src, "-frames:v", "1", "-vf", f"scale={width}:-2",
                         "-q:v", "2", str(bench.raw_dir() / "t.jpg"))),
        ("media.extract_audio mp3",
         lambda: bench.node("media.extract_audio", {"video": clip, "format": "mp3"}),
         lambda: _ffmpeg("-i", src, "-vn", "-map", "0:a:0", "-c:a", "libmp3lame", "-q:a", "2",
                         str(bench.raw_dir() / "a.mp3"))),
    ]


def _raw_loudnorm(src: str, out: Path) -> None:
    base = "loudnorm=I=-16.0:TP=-1.5:LRA=11.0"
    done = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", src, "-af",
                           f"{base}:print_format=json", "-vn", "-f", "null", "-"],
                          check=True, capture_output=True, text=True)
    found = json.loads(done.stderr[done.stderr.rfind("{"): done.stderr.rfind("}") + 1])
    second = (f"{base}:measured_I={found['input_i']}:measured_TP={found['input_tp']}"
              f":measured_LRA={found['input_lra']}:measured_thresh={found['input_thresh']}"
              f":offset={found['target_offset']}:linear=true:print_format=json")
    _ffmpeg("-i", src, "-af", second, "-ar", "48000", "-vn", "-c:a", "pcm_s16le", str(out))


def _model_cases(bench: NodeBench, speech: dict[str, Any], music: dict[str, Any]) -> list[tuple[str, Callable[[], object], Callable[[], object]]]:
    from demucs.api import Separator
    from demucs.audio import save_audio
    from faster_whisper import WhisperModel

    from nodes.audio.whisper_model import resolve_model_dir

    whisper_params = bench.tiers.params_for("standard", "audio.transcribe")
    whisper = WhisperModel(str(resolve_model_dir(whisper_params["model_size"])), device="cpu",
                           compute_type=whisper_params["compute_type"])
    speech_path = str(bench.root / "media" / "speech.wav")

    def raw_transcribe() -> None:
        segments, _info = whisper.transcribe(speech_path, beam_size=whisper_params["beam_size"],
                                             word_timestamps=True)
        list(segments)

    stems_params = bench.tiers.params_for("low", "audio.stems")
    separator = Separator(model="demucs_unittest", shifts=stems_params["shifts"],
                          overlap=stems_params["overlap"], segment=stems_params["segment"])
    music_path = bench.root / "media" / "music.wav"

    def raw_stems() -> None:
        folder = bench.raw_dir()
        _wav, stems = separator.separate_audio_file(music_path)
        for name, tensor in stems.items():
            save_audio(tensor, folder / f"{name}.wav", samplerate=separator.samplerate)

    return [
        ("audio.normalize (2-pass)",
         lambda: bench.node("audio.normalize", {"audio": music}),
         lambda: _raw_loudnorm(str(music_path), bench.raw_dir() / "n.wav")),
        ("audio.transcribe (standard, warm)",
         lambda: bench.node("audio.transcribe", {"audio": speech}), raw_transcribe),
        ("audio.stems (demucs_unittest, low)",
         lambda: bench.node("audio.stems", {"audio": music, "model": "demucs_unittest"}, tier="low"),
         raw_stems),
    ]


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="auteur-bench-media-"))
    try:
        _make_inputs(root)
        bench = NodeBench(root, ["core", "media", "audio"])
        refs = {name: bench.node("media.load", {"path": f"media/{name}"})["media"]
                for name in ("clip.mp4", "speech.wav", "music.wav")}
        cases = _ffmpeg_cases(bench, refs["clip.mp4"])
        cases += _model_cases(bench, refs["speech.wav"], refs["music.wav"])
        print(f"{'node':38} {'node s':>8} {'raw s':>8} {'ratio':>7}")
        for name, node, raw in cases:
            label, node_s, raw_s = _compare(name, node, raw)
            print(f"{label:38} {node_s:8.3f} {raw_s:8.3f} {node_s / raw_s:6.2f}x", flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
