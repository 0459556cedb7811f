"""Zip entries of a packed editorial export are one plain name, or media/<one plain name>."""

from __future__ import annotations

import pytest

from nodes.sdk import AuteurError
from nodes.sdk.editorial.export import _entry


@pytest.mark.parametrize("name", ["Cut.otio", "media/S01_S01_take01.mp4", "media/001_S01 take.mov"])
def test_plain_entry_names_are_kept(name: str) -> None:
    assert _entry(name) == name


@pytest.mark.parametrize("name", ["../Cut.otio", "/etc/passwd", "media/../x", "media/a/b.mp4", "other/x.mp4",
                                  "media\\x.mp4", "", "media/..", "a\x00b"])
def test_an_entry_that_could_leave_the_archive_is_refused(name: str) -> None:
    with pytest.raises(AuteurError):
        _entry(name)
