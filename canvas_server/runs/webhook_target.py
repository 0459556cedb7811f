"""Where a webhook delivery may connect (SSRF guard, checked at delivery time).

A URL whose host is written as loopback (`localhost`, `127.0.0.1`, `::1`: the rule of
`check_url`) is the operator's own receiver and is called as it is. Any other host is resolved
now, and the delivery is refused when any address it resolves to is not a public one
(loopback, private, link-local such as a cloud metadata address, shared, reserved, multicast):
a name may be pointed at the inside of the network after the webhook was made, and a numeric
spelling such as `127.1` is not written as loopback. The request then goes to the address
that was checked (the TLS name and `Host` stay the URL's), so a second DNS answer cannot
redirect it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from nodes.sdk import AuteurError

from ..governance.auth import is_loopback


class WebhookTargetRefusedError(AuteurError):
    code = "webhook_target_refused"


@dataclass(frozen=True)
class Target:
    """What to connect to for one delivery: the URL to request and the headers and request
    extensions that keep the original host name for TLS and the receiver."""

    url: str
    host_header: str | None = None
    sni_hostname: str | None = None


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 scope id is not part of the address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def resolve_target(url: str) -> Target:
    """The address to deliver `url` to, or WebhookTargetRefusedError when it is not public."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if is_loopback(host):
        return Target(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise WebhookTargetRefusedError(f"the webhook host {host!r} does not resolve") from exc
    addresses = [str(item[4][0]) for item in found]
    private = [address for address in addresses if not _public(address)]
    if not addresses or private:
        raise WebhookTargetRefusedError(
            f"the webhook host {host!r} resolves to a non-public address ({', '.join(private)}); "
            "only a URL written as loopback may reach this machine",
            details={"host": host, "addresses": private})
    address = addresses[0]
    literal = f"[{address}]" if ":" in address else address
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    host_header = parts.netloc.rsplit("@", 1)[-1]
    return Target(urlunsplit(parts._replace(netloc=netloc)), host_header=host_header, sni_hostname=host)


async def post(client: httpx.AsyncClient, target: Target, content: str, headers: dict[str, str]) -> httpx.Response:
    """POST to the checked address, naming the URL's host to TLS (SNI and certificate) and in `Host`."""
    if target.host_header is not None:
        headers = {**headers, "host": target.host_header}
    extensions = {"sni_hostname": target.sni_hostname} if target.sni_hostname else None
    return await client.post(target.url, content=content, headers=headers, extensions=extensions)
