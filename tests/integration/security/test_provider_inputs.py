"""Hostile input for the provider SDK (issue 26): a project's provider budget is a non-negative
number or nothing, refused in the one error shape otherwise (a budget the SDK could not read
would silently lift the limit)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .test_story_inputs import assert_clear_4xx

HOSTILE_BUDGETS: list[Any] = [-1, "lots", "12", True, [5], {"usd": 5}]


@pytest.mark.parametrize("budget", HOSTILE_BUDGETS)
def test_a_hostile_project_budget_is_a_clear_4xx(clients: dict[str, httpx.Client], film: str, budget: Any) -> None:
    answer = clients["cy"].patch(f"/api/projects/{film}", json={"settings": {"budgetUsd": budget}})
    assert_clear_4xx(answer)


def test_a_budget_is_stored_in_the_project_settings_and_can_be_lifted(clients: dict[str, httpx.Client],
                                                                        film: str) -> None:
    answer = clients["cy"].patch(f"/api/projects/{film}", json={"settings": {"budgetUsd": 12.5}})
    assert answer.status_code == 200, answer.text
    assert clients["cy"].get(f"/api/projects/{film}").json()["settings"]["budgetUsd"] == 12.5
    lifted = clients["cy"].patch(f"/api/projects/{film}", json={"settings": {"budgetUsd": None}})
    assert lifted.status_code == 200 and lifted.json()["settings"]["budgetUsd"] is None
