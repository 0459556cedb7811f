"""The one authorization function: every action × role × ownership case."""

from __future__ import annotations

import pytest

from canvas_server.governance.authorize import (
    Action,
    ClientResource,
    CredentialResource,
    ForbiddenError,
    ProjectResource,
    RunResource,
    TemplateResource,
    WebhookResource,
    allowed,
    authorize,
)
from canvas_server.governance.principal import LOCAL_PRINCIPAL, Principal
from canvas_server.governance.roles import Role

ADMIN = Principal(name="ada", maturity="AUTONOMOUS", role="admin", token_id="a")
CREATOR = Principal(name="cy", maturity="SUPERVISED", role="creator", token_id="c")
OTHER = Principal(name="olga", maturity="SUPERVISED", role="creator", token_id="o")
VIEWER = Principal(name="vic", maturity="STUDENT", role="viewer", token_id="v")

SERVER_TABLE: list[tuple[Action, set[Role]]] = [
    (Action.CATALOG_READ, {"admin", "creator", "viewer"}),
    (Action.GRAPH_CHECK, {"admin", "creator", "viewer"}),
    (Action.RUN_LIST, {"admin", "creator", "viewer"}),
    (Action.PROJECT_LIST, {"admin", "creator", "viewer"}),
    (Action.TEMPLATE_READ, {"admin", "creator", "viewer"}),
    (Action.RUN_SUBMIT, {"admin", "creator"}),
    (Action.PROJECT_CREATE, {"admin", "creator"}),
    (Action.TEMPLATE_WRITE, {"admin", "creator"}),
    (Action.INTEGRATION_USE, {"admin", "creator"}),
    (Action.TOKEN_ADMIN, {"admin"}),
    (Action.QUEUE_CONTROL, {"admin"}),
    (Action.WEBHOOK_MANAGE, {"admin", "creator"}),
]


@pytest.mark.parametrize(("action", "roles"), SERVER_TABLE)
@pytest.mark.parametrize("principal", [ADMIN, CREATOR, VIEWER])
def test_server_wide_actions_follow_the_role(action: Action, roles: set[Role], principal: Principal) -> None:
    assert allowed(principal, action) is (principal.role in roles)


@pytest.mark.parametrize("action", [Action.RUN_READ, Action.RUN_CANCEL, Action.RUN_DELETE, Action.RUN_CONTROL])
def test_runs_belong_to_their_submitter_and_admins(action: Action) -> None:
    run = RunResource("r1", owner="cy")
    assert allowed(CREATOR, action, run)
    assert allowed(ADMIN, action, run)
    assert not allowed(OTHER, action, run)
    assert not allowed(VIEWER, action, run)
    assert not allowed(CREATOR, action, RunResource("r0", owner=None))


PROJECT = ProjectResource("Film", owner="cy", members={"vic": "viewer", "olga": "creator"})
# principal -> actions allowed on PROJECT
PROJECT_TABLE: dict[str, set[Action]] = {
    "ada": {Action.PROJECT_READ, Action.PROJECT_EDIT, Action.PROJECT_RUN, Action.PROJECT_COMMIT,
            Action.PROJECT_DELETE, Action.PROJECT_SHARE},
    "cy": {Action.PROJECT_READ, Action.PROJECT_EDIT, Action.PROJECT_RUN, Action.PROJECT_COMMIT,
           Action.PROJECT_DELETE, Action.PROJECT_SHARE},
    "olga": {Action.PROJECT_READ, Action.PROJECT_EDIT, Action.PROJECT_RUN, Action.PROJECT_COMMIT},
    "vic": {Action.PROJECT_READ},
    "stranger": set(),
}
PROJECT_ACTIONS = [Action.PROJECT_READ, Action.PROJECT_EDIT, Action.PROJECT_RUN, Action.PROJECT_COMMIT,
                   Action.PROJECT_DELETE, Action.PROJECT_SHARE]


@pytest.mark.parametrize("action", PROJECT_ACTIONS)
@pytest.mark.parametrize("principal", [ADMIN, CREATOR, OTHER, VIEWER,
                                       Principal(name="stranger", maturity="AUTONOMOUS", role="creator")])
def test_project_members_act_by_their_role_in_the_project(action: Action, principal: Principal) -> None:
    assert allowed(principal, action, PROJECT) is (action in PROJECT_TABLE[principal.name])


def test_a_member_role_never_exceeds_the_server_role() -> None:
    project = ProjectResource("Film", owner="cy", members={"vic": "creator"})
    assert allowed(VIEWER, Action.PROJECT_READ, project)
    assert not allowed(VIEWER, Action.PROJECT_EDIT, project)


def test_a_project_without_owner_is_open_at_server_role_but_only_admins_delete_it() -> None:
    legacy = ProjectResource("Old", owner=None)
    assert allowed(CREATOR, Action.PROJECT_EDIT, legacy)
    assert allowed(VIEWER, Action.PROJECT_READ, legacy)
    assert not allowed(VIEWER, Action.PROJECT_EDIT, legacy)
    assert not allowed(CREATOR, Action.PROJECT_DELETE, legacy)
    assert allowed(ADMIN, Action.PROJECT_DELETE, legacy)


def test_builtin_templates_are_read_only_even_for_admins() -> None:
    builtin = TemplateResource("trailer", builtin=True)
    assert allowed(VIEWER, Action.TEMPLATE_READ, builtin)
    for principal in (ADMIN, CREATOR, VIEWER):
        assert not allowed(principal, Action.TEMPLATE_WRITE, builtin)


def test_saved_templates_belong_to_their_author() -> None:
    mine = TemplateResource("mine", builtin=False, author="cy")
    assert allowed(CREATOR, Action.TEMPLATE_WRITE, mine)
    assert allowed(ADMIN, Action.TEMPLATE_WRITE, mine)
    assert not allowed(OTHER, Action.TEMPLATE_WRITE, mine)
    assert not allowed(VIEWER, Action.TEMPLATE_WRITE, TemplateResource("new", builtin=False))


def test_a_client_id_is_bound_to_its_first_principal() -> None:
    assert allowed(OTHER, Action.CLIENT_USE, ClientResource("tab-1", owner=None))
    assert allowed(CREATOR, Action.CLIENT_USE, ClientResource("tab-1", owner="cy"))
    assert not allowed(OTHER, Action.CLIENT_USE, ClientResource("tab-1", owner="cy"))


def test_the_local_loopback_user_is_admin() -> None:
    assert LOCAL_PRINCIPAL.role == "admin"
    assert allowed(LOCAL_PRINCIPAL, Action.RUN_DELETE, RunResource("r", owner="cy"))


def test_refusal_is_a_forbidden_error_naming_the_reason() -> None:
    with pytest.raises(ForbiddenError, match="belongs to another principal") as caught:
        authorize(VIEWER, Action.RUN_CANCEL, RunResource("r1", owner="cy"))
    assert caught.value.code == "forbidden"
    assert caught.value.details["action"] == "run.cancel"


def test_a_webhook_belongs_to_its_maker_and_admins() -> None:
    hook = WebhookResource("w1", owner="cy")
    assert allowed(CREATOR, Action.WEBHOOK_MANAGE, hook) and allowed(ADMIN, Action.WEBHOOK_MANAGE, hook)
    assert not allowed(OTHER, Action.WEBHOOK_MANAGE, hook)
    assert not allowed(CREATOR, Action.RUN_READ, hook)


def test_provider_keys_belong_to_their_principal_and_admins_and_need_the_creator_role() -> None:
    mine = CredentialResource(owner="cy")
    assert allowed(CREATOR, Action.CREDENTIAL_MANAGE, mine) and allowed(ADMIN, Action.CREDENTIAL_MANAGE, mine)
    assert allowed(LOCAL_PRINCIPAL, Action.CREDENTIAL_MANAGE, CredentialResource(owner="olga"))  # the CLI
    assert not allowed(OTHER, Action.CREDENTIAL_MANAGE, mine)
    assert not allowed(VIEWER, Action.CREDENTIAL_MANAGE, CredentialResource(owner="vic"))
    assert not allowed(CREATOR, Action.RUN_READ, mine)
