"""Signed media URLs and the keys behind them (nodes/sdk/_signed_url.py, _secrets.py)."""

from __future__ import annotations

import stat
from pathlib import Path

from cryptography.fernet import Fernet
from pydantic import SecretStr

from nodes.sdk import SIGNED_MEDIA_PREFIX as ROUTE_PREFIX
from nodes.sdk import fernet_for, master_secret, signed_path, url_signing_key
from nodes.sdk import verify_signed_path as verify

KEY = url_signing_key(b"test secret")


def _parts(url_path: str) -> tuple[int, str, str]:
    expires, signature, path = url_path.removeprefix(ROUTE_PREFIX + "/").split("/", 2)
    return int(expires), signature, path


def test_a_signed_path_verifies_until_it_expires() -> None:
    expires, signature, path = _parts(signed_path(KEY, "Projects/A/take 1.wav", 60, now=1000))
    assert path == "Projects/A/take%201.wav" and expires == 1060
    assert verify(KEY, expires, signature, "Projects/A/take 1.wav", now=1059) is None
    assert verify(KEY, expires, signature, "Projects/A/take 1.wav", now=1061) == "expired"


def test_another_path_expiry_or_key_is_forged() -> None:
    expires, signature, _ = _parts(signed_path(KEY, "a.wav", 60, now=1000))
    assert verify(KEY, expires, signature, "b.wav", now=1000) == "forged"
    assert verify(KEY, expires + 1, signature, "a.wav", now=1000) == "forged"
    assert verify(url_signing_key(b"other"), expires, signature, "a.wav", now=1000) == "forged"


def test_the_generated_key_file_is_0600_and_stable(tmp_path: Path) -> None:
    first = master_secret(tmp_path, None)
    assert master_secret(tmp_path, None) == first
    assert stat.S_IMODE((tmp_path / "secret.key").stat().st_mode) == 0o600
    assert master_secret(tmp_path, SecretStr("configured")) == b"configured"


def test_any_secret_gives_a_fernet_and_a_distinct_url_key() -> None:
    sealed = fernet_for(b"not a fernet key").encrypt(b"x")
    assert fernet_for(b"not a fernet key").decrypt(sealed) == b"x"
    key = Fernet.generate_key()
    assert fernet_for(key).decrypt(Fernet(key).encrypt(b"y")) == b"y"
    assert url_signing_key(key) != key
