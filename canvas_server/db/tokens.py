"""The API tokens in PostgreSQL (`governance.tokens.TokenDocument`): the same document as
`tokens.json`, one row, read fresh on every use (a token created or revoked on any replica or by
the CLI applies at once) and written only over the version that was read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..governance.tokens import TokenFile, TokensChangedError
from .engine import autocommit, connect, reachable

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


class PgTokenDocument:
    def __init__(self, engine: Engine) -> None:
        self._single = autocommit(engine)
        self._version: int | None = None  # of the document last read (None: there was none)

    @classmethod
    def at(cls, url: str) -> PgTokenDocument:
        return cls(connect(url))

    def load(self) -> TokenFile:
        from sqlalchemy import text

        with reachable(), self._single.connect() as db:
            row = db.execute(text("SELECT doc, version FROM token_document WHERE id = 1")).first()
        self._version = int(row[1]) if row is not None else None
        return TokenFile.model_validate_json(row[0]) if row is not None else TokenFile()

    def save(self, data: TokenFile) -> None:
        from sqlalchemy import text

        doc = data.model_dump_json()
        with reachable(), self._single.connect() as db:
            if self._version is None:
                written = db.execute(text("INSERT INTO token_document (id, doc, version) VALUES (1, :d, 1) "
                                          "ON CONFLICT (id) DO NOTHING"), {"d": doc}).rowcount
            else:
                written = db.execute(text("UPDATE token_document SET doc = :d, version = version + 1 "
                                          "WHERE id = 1 AND version = :v"), {"d": doc, "v": self._version}).rowcount
        self._version = None
        if not written:
            raise TokensChangedError("the tokens were changed by another server meanwhile; nothing was written: "
                                     "try again", details={})
