"""The token store's contract, held by both documents (the workspace's tokens.json, one
PostgreSQL row): hashed at rest, names never reused, a token made or revoked by one process
applies at once in another, and two writers never overwrite each other."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from canvas_server.db import connect
from canvas_server.db.tokens import PgTokenDocument
from canvas_server.governance.tokens import TokenNameTakenError, TokensChangedError, TokenStore

OpenTokens = Callable[[], TokenStore]


@pytest.fixture(params=["file", "postgresql"])
def open_tokens(request: pytest.FixtureRequest, tmp_path: Path) -> OpenTokens:
    if request.param == "file":
        return lambda: TokenStore(tmp_path / "tokens.json")
    url = request.getfixturevalue("migrated_url")
    return lambda: TokenStore(PgTokenDocument(connect(url)))


def test_a_token_made_in_one_process_authenticates_in_another_until_revoked_there(open_tokens: OpenTokens) -> None:
    cli, server = open_tokens(), open_tokens()
    assert not server.has_tokens() and not server.locked()
    info, secret = cli.create("editor", "SUPERVISED", "creator")
    principal = server.authenticate(secret)
    assert principal is not None and (principal.name, principal.maturity, principal.token_id) == (
        "editor", "SUPERVISED", info.id)
    assert secret not in info.model_dump_json() and server.authenticate(secret + "x") is None
    cli.revoke("editor")
    assert server.authenticate(secret) is None and server.locked()
    with pytest.raises(TokenNameTakenError):
        server.create("editor", "STUDENT")  # a revoked token's name stays taken
    server.reset_local()
    assert not cli.locked()


def test_two_servers_writing_tokens_from_one_read_never_overwrite_each_other(migrated_url: str) -> None:
    first, second = PgTokenDocument(connect(migrated_url)), PgTokenDocument(connect(migrated_url))
    TokenStore(first).create("a", "STUDENT")
    document, other = first.load(), second.load()
    document.local_mode = True
    first.save(document)
    other.local_mode = False
    with pytest.raises(TokensChangedError):
        second.save(other)  # read before the first's write: refused, not lost
    assert [token.name for token in TokenStore(second).all()] == ["a"] and second.load().local_mode
