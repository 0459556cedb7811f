"""The workspace's templates (`server.template_store.TemplateRecords`) and each principal's
ComfyUI settings (`server.user_settings.UserSettings`) in PostgreSQL, shared by every replica: a
template saved or a setting changed on one is what every other one reads next. Each write is
one statement, so two replicas writing at once never lose either's change."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from ..governance import Principal
from ..server.template_store import parse_template
from .engine import autocommit

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


class PgTemplates:
    def __init__(self, engine: Engine) -> None:
        self._single = autocommit(engine)

    def _rows(self, sql: str, **params: Any) -> list[Any]:
        from sqlalchemy import text

        with self._single.connect() as db:
            return list(db.execute(text(sql), params).all())

    def all(self) -> list[tuple[str, dict[str, Any]]]:
        return [(str(row[0]), json.loads(row[1])) for row in self._rows("SELECT id, doc FROM templates ORDER BY id")]

    def get(self, template_id: str) -> dict[str, Any] | None:
        rows = self._rows("SELECT doc FROM templates WHERE id = :id", id=template_id)
        return parse_template(rows[0][0], template_id) if rows else None

    def put(self, template_id: str, data: dict[str, Any], author: str | None) -> None:
        self._rows("INSERT INTO templates (id, doc, author, saved_at) VALUES (:id, :doc, :author, :now) "
                   "ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, saved_at = excluded.saved_at, "
                   "author = COALESCE(templates.author, excluded.author) RETURNING id",  # the first saver stays
                   id=template_id, doc=json.dumps(data), author=author, now=time.time())

    def author(self, template_id: str) -> str | None:
        rows = self._rows("SELECT author FROM templates WHERE id = :id", id=template_id)
        return str(rows[0][0]) if rows and rows[0][0] is not None else None


class PgUserSettings:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._single = autocommit(engine)

    def read(self, principal: Principal) -> dict[str, Any]:
        from sqlalchemy import text

        with self._single.connect() as db:
            doc = db.execute(text("SELECT doc FROM user_settings WHERE principal = :p"),
                             {"p": principal.name}).scalar_one_or_none()
        return _settings(doc)

    def update(self, principal: Principal, changes: dict[str, Any]) -> None:
        from sqlalchemy import text

        with self._engine.begin() as db:  # the row locked from read to write: concurrent changes both stay
            db.execute(text("INSERT INTO user_settings (principal, doc) VALUES (:p, '{}') ON CONFLICT DO NOTHING"),
                       {"p": principal.name})
            doc = db.execute(text("SELECT doc FROM user_settings WHERE principal = :p FOR UPDATE"),
                             {"p": principal.name}).scalar_one()
            db.execute(text("UPDATE user_settings SET doc = :d WHERE principal = :p"),
                       {"p": principal.name, "d": json.dumps({**_settings(doc), **changes})})


def _settings(doc: str | None) -> dict[str, Any]:
    loaded = json.loads(doc) if doc else {}
    return loaded if isinstance(loaded, dict) else {}
