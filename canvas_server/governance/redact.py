"""Secrets never reach a log line: API tokens in a query (`?token=`), an `Authorization` value
or a WebSocket subprotocol (`auteur.bearer.<token>`), and anything shaped like an Auteur token."""

from __future__ import annotations

import logging
import re

from .tokens import TOKEN_PREFIX

REDACTED = "[redacted]"
_PATTERNS = (
    re.compile(r"(?i)([?&;](?:access_)?token=)[^&;#\s\"']+"),
    re.compile(r"(?i)(bearer[ .])[^\s,\"']+"),
    re.compile(rf"({re.escape(TOKEN_PREFIX)})[A-Za-z0-9_-]+"),
)


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(lambda match: match.group(1) + REDACTED, text)
    return text


class RedactSecrets(logging.Filter):
    """A logging filter that redacts the message and each string argument in place. The
    arguments keep their positions: uvicorn's access formatter unpacks them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


SERVER_LOGGERS = ("uvicorn.access", "uvicorn.error")


def redact_server_logs() -> None:
    """Install the filter on uvicorn's loggers (the access log holds every request's query; the
    error logger names every WebSocket's path with its query)."""
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, RedactSecrets) for existing in logger.filters):
            logger.addFilter(RedactSecrets())
