"""Errors of the speaker pack, each with a stable code and a message a user can act on.

NodeExecutionError
 └── SpeakerError
      ├── NoSpeakerFoundError       discovery found nothing (and says why)   (speaker_not_found)
      ├── SpeakerUnreachableError   a speaker did not answer                 (speaker_unreachable)
      ├── NotCoordinatorError       a transport command reached a group member (not_coordinator)
      ├── UnsupportedMediaError     media a Sonos cannot play, even transcoded (unsupported_media)
      ├── PublicUrlMissingError     AUTEUR_PUBLIC_URL is not set             (public_url_missing)
      └── SpotifyError
           ├── SpotifyNotConfiguredError  client id/secret missing           (spotify_not_configured)
           ├── SpotifyLoginRequiredError  no tokens, or consent expired      (spotify_login_required)
           ├── NoActiveDeviceError        nothing is playing anywhere        (spotify_no_active_device)
           ├── PremiumRequiredError       the account is not Premium         (spotify_premium_required)
           ├── SpotifyUnavailableError    503s after every retry             (spotify_unavailable)
           └── SpotifyRequestError        anything else Spotify refused      (spotify_request_failed)
"""

from __future__ import annotations

from nodes.sdk import NodeExecutionError


class SpeakerError(NodeExecutionError):
    """Base of the speaker errors; `code` is set by each subclass."""

    code = "speaker_error"


class NoSpeakerFoundError(SpeakerError):
    code = "speaker_not_found"


class SpeakerUnreachableError(SpeakerError):
    code = "speaker_unreachable"


class NotCoordinatorError(SpeakerError):
    code = "not_coordinator"


class UnsupportedMediaError(SpeakerError):
    code = "unsupported_media"


class PublicUrlMissingError(SpeakerError):
    code = "public_url_missing"


class SpotifyError(SpeakerError):
    code = "spotify_error"


class SpotifyNotConfiguredError(SpotifyError):
    code = "spotify_not_configured"


class SpotifyLoginRequiredError(SpotifyError):
    code = "spotify_login_required"


class NoActiveDeviceError(SpotifyError):
    code = "spotify_no_active_device"


class PremiumRequiredError(SpotifyError):
    code = "spotify_premium_required"


class SpotifyUnavailableError(SpotifyError):
    code = "spotify_unavailable"


class SpotifyRequestError(SpotifyError):
    code = "spotify_request_failed"
