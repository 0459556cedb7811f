"""Keep OAuth tokens out of every log line.

spotipy logs request headers (`Authorization: Bearer …`) and token request bodies at DEBUG;
its loggers are held at WARNING and every record they emit is scrubbed of bearer tokens and
of the token values we have seen.
"""

from __future__ import annotations

import logging
import re

SPOTIPY_LOGGERS = ("spotipy", "spotipy.client", "spotipy.oauth2", "spotipy.cache_handler")
_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+")
_SECRETS: set[str] = set()


def remember(*values: str | None) -> None:
    """Token values to scrub from any spotipy log record from now on."""
    _SECRETS.update(value for value in values if value)


def scrub(text: str) -> str:
    text = _BEARER.sub(r"\1[redacted]", text)
    for secret in _SECRETS:
        text = text.replace(secret, "[redacted]")
    return text


class RedactTokens(logging.Filter):
    """Rewrites a record's message with tokens removed."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = scrub(record.getMessage()), None
        return True


def quiet_spotipy_logs() -> None:
    """Idempotent: WARNING level and the redacting filter on spotipy's loggers."""
    for name in SPOTIPY_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.WARNING)
        if not any(isinstance(item, RedactTokens) for item in logger.filters):
            logger.addFilter(RedactTokens())
