"""Network facts shared by the server and the packs."""

from __future__ import annotations

import ipaddress

_LOCALHOST = frozenset({"localhost", "localhost."})  # the fully qualified name ends in a dot


def is_loopback_host(host: str) -> bool:
    """Whether `host` (a name or an address, any case) is this machine: `localhost` or a loopback
    address. The one rule for the server's bind check, its browser boundary and the packs."""
    if host.lower() in _LOCALHOST:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
