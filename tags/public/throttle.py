"""The one throttle of the public endpoints: scope "public" (REST_FRAMEWORK
["DEFAULT_THROTTLE_RATES"]["public"]), a fixed window per client address (core.net.client_ip), one
counter per client and window in the store, `tags:thr:<address>:<window number>`.

The badge fast path counts in the same round trip that reads the generation (store.hot), or, while
the listener is live, in small batches per process (`throttle_count`); the DRF endpoints
(`/badges/verify`) count in the same key through `tags.api.public.PublicRateThrottle`. With the
store down the fast path is not throttled (it answers from the database).
"""

import time
from functools import lru_cache

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from core.net import client_ip

from .store import _Store

_THROTTLE: dict[str, list[int]] = {}


@lru_cache(maxsize=8)
def _parse_rate(rate: str | None) -> tuple[int | None, int]:
    if not rate:
        return None, 60
    return SimpleRateThrottle.parse_rate(None, rate)


def public_rate() -> tuple[int | None, int]:
    """(requests allowed per window or None for no limit, window in seconds)."""
    return _parse_rate(settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get("public"))


def client_key(request) -> str:
    """The counter's key without its window: `tags:thr:<client address>`."""
    return f"tags:thr:{client_ip(request)}"


def window_key(request, window: int) -> str:
    # A fixed window: the key names the window, so a busy client's counter still starts over.
    return f"{client_key(request)}:{int(time.time()) // window}"


def throttle_count(s: _Store, key: str, limit: int, window: int) -> int:
    """Requests of this client in this window, across processes (exact for small limits; for large
    ones flushed every limit/100 requests, at most 256, so a process may run ahead by that much)."""
    state = _THROTTLE.get(key)
    if state is None:
        if len(_THROTTLE) > 10_000:
            _THROTTLE.clear()
        state = _THROTTLE[key] = [0, 0]  # [window total at the last flush, unflushed here]
    state[1] += 1
    if state[1] >= min(256, max(1, limit // 100)):
        state[0] = s.count(key, state[1], window)
        state[1] = 0
        return state[0]
    return state[0] + state[1]
