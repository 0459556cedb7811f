"""What spotipy raises, turned into errors that tell the user what to do."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import requests
from spotipy.exceptions import SpotifyException, SpotifyOauthError

from ..errors import (
    NoActiveDeviceError,
    PremiumRequiredError,
    SpotifyError,
    SpotifyLoginRequiredError,
    SpotifyRequestError,
    SpotifyUnavailableError,
)

LOGIN_AGAIN = "log in to Spotify again (`auteur spotify login`)"


def translate(exc: SpotifyException) -> SpotifyError:
    status, reason, message = exc.http_status, exc.reason or "", str(exc.msg).split("\n")[-1].strip()
    if "Max Retries" in str(exc.msg):
        return SpotifyUnavailableError(
            "Spotify is unavailable (it kept answering 503 after every retry); try again in a minute",
            details={"reason": str(reason)},
        )
    if reason == "NO_ACTIVE_DEVICE" or (status == 404 and "device" in message.lower()):
        return NoActiveDeviceError(
            "no active Spotify device: open Spotify on a phone, computer or speaker, or choose a "
            "device_id (Spotify Devices lists them)", details={"status": status},
        )
    if reason == "PREMIUM_REQUIRED":
        return PremiumRequiredError(
            "controlling playback needs a Spotify Premium account", details={"status": status}
        )
    if status in (401, 403):
        return SpotifyLoginRequiredError(
            f"Spotify refused the stored consent ({status}: {message}); {LOGIN_AGAIN}",
            details={"status": status},
        )
    return SpotifyRequestError(f"Spotify refused the request ({status}: {message})", details={"status": status})


@contextmanager
def spotify_errors() -> Iterator[None]:
    try:
        yield
    except SpotifyOauthError as exc:
        raise SpotifyLoginRequiredError(
            f"Spotify no longer accepts the stored login ({exc.error}); {LOGIN_AGAIN}",
            details={"error": exc.error},
        ) from exc
    except SpotifyException as exc:
        raise translate(exc) from exc
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise SpotifyUnavailableError(
            "Spotify cannot be reached from this machine; check the network and try again"
        ) from exc
