"""Single-use OAuth states bound to a principal (nodes/speaker/spotify/states.py)."""

from __future__ import annotations

import time

import pytest

from nodes.speaker.spotify.states import OAuthStateError, OAuthStates


def test_a_state_names_its_principal_once() -> None:
    states = OAuthStates()
    state = states.issue("alice")
    assert states.consume(state) == "alice"
    with pytest.raises(OAuthStateError, match="start the login"):
        states.consume(state)


def test_unknown_and_expired_states_are_refused() -> None:
    states = OAuthStates(ttl_s=0.01)
    state = states.issue("bob")
    time.sleep(0.02)
    for value in (state, "guessed"):
        with pytest.raises(OAuthStateError):
            states.consume(value)


def test_states_are_unguessable_and_distinct() -> None:
    states = OAuthStates()
    issued = {states.issue("alice") for _ in range(100)}
    assert len(issued) == 100 and all(len(value) >= 40 for value in issued)
