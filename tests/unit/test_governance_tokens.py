"""API tokens: hashed at rest, authenticated, revoked; the loopback rule."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from canvas_server.governance import LOCAL_PRINCIPAL, TokenStore
from canvas_server.governance.auth import (
    Authenticator,
    InsecureBindError,
    UnauthorizedError,
    check_bind,
    is_loopback,
)
from canvas_server.governance.tokens import TokenNameTakenError, TokensActiveError


def test_a_token_is_stored_only_as_its_hash_in_a_private_file(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    info, secret = TokenStore(path).create("ci", "SUPERVISED")
    text = path.read_text()
    assert secret not in text and info.sha256 in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    principal = TokenStore(path).authenticate(secret)
    assert principal is not None and (principal.name, principal.maturity) == ("ci", "SUPERVISED")


def test_a_revoked_token_no_longer_authenticates(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "tokens.json")
    info, secret = store.create("temp", "INTERN")
    store.revoke(info.id)
    assert store.authenticate(secret) is None and not store.has_tokens()


def test_without_tokens_everyone_is_the_local_autonomous_user(tmp_path: Path) -> None:
    auth = Authenticator(TokenStore(tmp_path / "tokens.json"))
    assert auth.principal(None) == LOCAL_PRINCIPAL and LOCAL_PRINCIPAL.maturity == "AUTONOMOUS"


def test_with_tokens_a_bearer_header_is_required(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "tokens.json")
    _, secret = store.create("ui", "AUTONOMOUS")
    auth = Authenticator(store)
    assert auth.principal(f"Bearer {secret}").name == "ui"
    for header in (None, "", secret, f"Basic {secret}", "Bearer wrong"):
        with pytest.raises(UnauthorizedError):
            auth.principal(header)


def test_a_network_bind_needs_tokens_but_loopback_does_not(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "tokens.json")
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    check_bind("127.0.0.1", store)
    with pytest.raises(InsecureBindError, match="auteur tokens create"):
        check_bind("0.0.0.0", store)
    store.create("remote", "SUPERVISED")
    check_bind("0.0.0.0", store)


def test_revoking_the_last_token_on_loopback_locks_the_api_until_reset_local(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    store = TokenStore(path)
    auth = Authenticator(store)
    assert auth.principal(None) == LOCAL_PRINCIPAL  # never had tokens: the local user
    info, _ = store.create("ana", "AUTONOMOUS", "admin")
    with pytest.raises(TokensActiveError):
        store.reset_local()  # not while a token is active
    store.revoke(info.id)
    with pytest.raises(UnauthorizedError, match="reset-local"):
        Authenticator(TokenStore(path)).principal(None)
    store.reset_local()
    assert Authenticator(TokenStore(path)).principal(None) == LOCAL_PRINCIPAL
    other, _ = store.create("bo", "INTERN")
    store.revoke(other.id)  # tokens again, then none: locked again until the next reset
    with pytest.raises(UnauthorizedError):
        Authenticator(TokenStore(path)).principal(None)


def test_a_revoked_token_s_name_is_never_given_to_a_new_token(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "tokens.json")
    first, _ = store.create("ana", "AUTONOMOUS")
    store.revoke(first.id)
    with pytest.raises(TokenNameTakenError, match="revoked"):
        store.create("ana", "AUTONOMOUS")
    assert [token.name for token in store.all()] == ["ana"]


def test_no_token_may_take_the_local_user_s_name(tmp_path: Path) -> None:
    """`local` owns what was made without tokens; a token of that name would inherit it."""
    with pytest.raises(TokenNameTakenError, match="local user"):
        TokenStore(tmp_path / "tokens.json").create(LOCAL_PRINCIPAL.name, "INTERN", "viewer")
