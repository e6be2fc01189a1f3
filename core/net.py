"""The client's address: REMOTE_ADDR, or X-Forwarded-For only when REMOTE_ADDR is a trusted proxy.

settings.TRUSTED_PROXIES lists the proxies' addresses or networks (e.g. "10.0.0.0/8,127.0.0.1").
Without it X-Forwarded-For is ignored: anyone can send that header, so trusting it lets a client
pick a fresh address per request and escape every per-address throttle and lockout.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=4)
def _networks(spec: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def _parse(addr: str):
    try:
        return ipaddress.ip_address(addr.strip())
    except ValueError:
        return None


def _trusted(addr, networks) -> bool:
    return addr is not None and any(addr in net for net in networks)


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if not networks or not _trusted(_parse(remote), networks):
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):  # the right-most address our proxies did not add themselves
        addr = _parse(hop)
        if addr is None:
            return remote
        if not _trusted(addr, networks):
            return str(addr)
    return remote
