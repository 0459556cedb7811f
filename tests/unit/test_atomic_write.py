"""The one atomic writer (`nodes.sdk.atomic`): a reader sees the old file or the new one, whole."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from nodes.sdk import atomic as atomic_module
from nodes.sdk import atomic_create_bytes, atomic_publish, atomic_write_bytes, atomic_write_text

SIZE = 4 * 1024 * 1024


@pytest.fixture
def umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.endswith(".tmp"))


def test_a_write_that_fails_midway_leaves_the_old_file_whole_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "project.json"
    atomic_write_text(target, '{"version": 1}\n')

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic_module.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        atomic_write_text(target, '{"version": 2}\n')
    assert target.read_text() == '{"version": 1}\n'
    assert leftovers(tmp_path) == []


def test_a_writer_killed_at_any_moment_leaves_either_the_old_or_the_new_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "big.bin"
    atomic_write_bytes(target, b"A" * SIZE)
    script = (
        "import sys\nfrom pathlib import Path\nfrom nodes.sdk import atomic_write_bytes\n"
        f"target = Path({str(target)!r})\n"
        "print('ready', flush=True)\n"
        f"while True:\n    atomic_write_bytes(target, b'B' * {SIZE})\n    atomic_write_bytes(target, b'A' * {SIZE})\n"
    )
    for delay in (0.05, 0.15, 0.3):
        writer = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                                  env={**os.environ, "PYTHONPATH": os.getcwd()})
        assert writer.stdout is not None and writer.stdout.readline() == b"ready\n"
        time.sleep(delay)
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        content = target.read_bytes()
        assert len(content) == SIZE and content in (b"A" * SIZE, b"B" * SIZE)


@pytest.mark.usefixtures("umask")
def test_a_secret_gets_exactly_its_mode_whatever_the_umask(tmp_path: Path) -> None:
    secret = tmp_path / "tokens.json"
    atomic_write_text(secret, "{}", mode=0o600)
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    os.umask(0o000)  # a permissive umask must not loosen it either
    atomic_write_text(secret, "{}", mode=0o600)
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600


@pytest.mark.usefixtures("umask")
def test_an_ordinary_file_gets_the_usual_mode_and_replacing_a_secret_does_not_widen_it(tmp_path: Path) -> None:
    plain = tmp_path / "canvas.json"
    atomic_write_text(plain, "{}")
    assert stat.S_IMODE(plain.stat().st_mode) == 0o644
    atomic_write_text(plain, "{}", mode=0o600)
    assert stat.S_IMODE(plain.stat().st_mode) == 0o600


def test_missing_folders_are_created_and_the_text_is_utf8(tmp_path: Path) -> None:
    target = tmp_path / "02_Source_Creative" / "ShotLists" / "pilot.md"
    atomic_write_text(target, "Mara — north\n")
    assert target.read_bytes() == "Mara — north\n".encode()


def test_publishing_a_finished_file_replaces_the_target_in_one_step(tmp_path: Path) -> None:
    target = tmp_path / "clip.mp4"
    target.write_bytes(b"old")
    staged = tmp_path / ".clip.partial.mp4"
    staged.write_bytes(b"new")
    atomic_publish(staged, target)
    assert target.read_bytes() == b"new" and not staged.exists()


def test_creating_never_replaces_and_the_first_creator_wins_whole(tmp_path: Path) -> None:
    key = tmp_path / ".auteur" / "secret.key"
    atomic_create_bytes(key, b"first", mode=0o600)
    with pytest.raises(FileExistsError):
        atomic_create_bytes(key, b"second", mode=0o600)
    assert key.read_bytes() == b"first" and stat.S_IMODE(key.stat().st_mode) == 0o600
    assert leftovers(key.parent) == []


def test_a_create_that_fails_midway_leaves_no_file_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic_module.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        atomic_create_bytes(tmp_path / "secret.key", b"key")
    assert list(tmp_path.iterdir()) == []
