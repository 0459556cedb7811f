"""`/api/credentials`: the caller's own provider keys (Higgsfield, Suno, a remote ComfyUI…),
stored encrypted per principal in the store the provider nodes read them from
(`nodes.sdk.providers.CredentialStore`). A key goes in once and never comes out whole: lists and
answers show its last four characters. There is no path to another principal's keys."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field, SecretStr

from nodes.sdk import AuteurError
from nodes.sdk.providers import KEY_CHARS, PROVIDER_NAME, CredentialStore, mask

from ...governance import Action, CredentialResource, Principal, authorize
from ...request_body import RequestBody
from ..deps import get_principal, get_services
from ..services import AppServices

router = APIRouter(prefix="/api/credentials", tags=["credentials"])
ProviderName = Annotated[str, Path(pattern=PROVIDER_NAME, description="The provider, e.g. higgsfield, suno, comfyui")]


class CredentialNotFoundError(AuteurError):
    code = "credential_not_found"


class StoredKey(BaseModel):
    provider: str
    masked: str = Field(description="The key's last four characters (`…abcd`); the key itself is never shown")


class CredentialList(BaseModel):
    principal: str
    credentials: list[StoredKey]


class KeyBody(RequestBody):
    key: SecretStr = Field(description="The provider's API key (printable, no spaces, 8-4096 characters)")

    def checked(self) -> SecretStr:
        if not re.fullmatch(KEY_CHARS, self.key.get_secret_value()):
            raise InvalidKeyError("a provider key is 8-4096 printable characters without spaces or line breaks")
        return self.key


class InvalidKeyError(AuteurError):
    code = "credential_invalid"


class KeyStored(StoredKey):
    replaced: bool = Field(description="A key for this provider was stored before and is replaced")


class KeyDeleted(BaseModel):
    provider: str
    deleted: bool = True


def _own_store(services: AppServices, principal: Principal) -> CredentialStore:
    authorize(principal, Action.CREDENTIAL_MANAGE, CredentialResource(owner=principal.name))
    return CredentialStore.for_workspace(services.settings.workspace)


Services = Annotated[AppServices, Depends(get_services)]
Caller = Annotated[Principal, Depends(get_principal)]


@router.get("")
def list_credentials(services: Services, principal: Caller) -> CredentialList:
    """The providers the caller stored a key for, each key masked."""
    keys = _own_store(services, principal).masked(principal.name)
    return CredentialList(principal=principal.name,
                          credentials=[StoredKey(provider=name, masked=shown) for name, shown in keys.items()])


@router.put("/{provider}")
def store_credential(provider: ProviderName, body: KeyBody, services: Services, principal: Caller) -> KeyStored:
    """Store (or replace) the caller's key for `provider`."""
    store = _own_store(services, principal)
    key = body.checked()
    replaced = store.get(principal.name, provider) is not None
    store.set(principal.name, provider, key)
    return KeyStored(provider=provider, masked=mask(key), replaced=replaced)


@router.delete("/{provider}")
def delete_credential(provider: ProviderName, services: Services, principal: Caller) -> KeyDeleted:
    """Forget the caller's key for `provider` (404 when none is stored)."""
    store = _own_store(services, principal)
    if store.get(principal.name, provider) is None:
        raise CredentialNotFoundError(f"no {provider} key is stored for {principal.name}",
                                      details={"provider": provider})
    store.set(principal.name, provider, None)
    return KeyDeleted(provider=provider)
