"""The public badge API's read model and fast path (SPEC §10). How a request is answered:

1. `middleware.PublicBadgesFastPathMiddleware` (right after SecurityMiddleware) takes
   `GET /api/v1/public/badges` before sessions, auth, CSRF and URL resolution (docs/adr/0004).
2. `http.public_badges` parses the query (errors in the project's shape), counts the client in
   the one public throttle (`throttle`) and learns whether its memory is fresh (`freshness`).
3. `freshness.render_cached` answers from this process's memory when it can; otherwise
   `freshness.render_any` fetches blobs from the store (`store`: Redis or the Django cache), then
   the database (`fragments.build_blobs`). Both join the fragments with `fragments.render`.
4. Fragments are pre-rendered per merchant, language and category and signed (`signing`);
   `/api/v1/public/badges/verify` (tags/api/public.py) checks a signature.

Writers call `refresh_merchants` after a holding change commits and `clear_all` after a catalog
change commits (tags.services). Only the domain-side names are exported here; the HTTP modules
(`http`, `middleware`) are imported by name.
"""

from .fragments import LANGS, build_blobs, compile_blob, etag_for, fragment_for, render
from .freshness import (
    _LOCAL,
    _PRODUCTS,
    LOCAL_MAX_BLOBS,
    PRODUCT_MAP_MAX,
    PRODUCT_MAP_TTL,
    blobs_for,
    clear_all,
    current_gen,
    listener_live,
    product_map,
    refresh_merchants,
    render_any,
    render_cached,
    reset_local,
    resolve,
)
from .signing import SIGNING_SALT, sign, signing_message, verify_signature
from .store import BLOB_TTL, CHANNEL, GEN_KEY, REDIS_ERRORS, StoreDown, store
from .throttle import client_key, public_rate, throttle_count, window_key

__all__ = [
    "BLOB_TTL",
    "CHANNEL",
    "GEN_KEY",
    "LANGS",
    "LOCAL_MAX_BLOBS",
    "PRODUCT_MAP_MAX",
    "PRODUCT_MAP_TTL",
    "REDIS_ERRORS",
    "SIGNING_SALT",
    "StoreDown",
    "_LOCAL",
    "_PRODUCTS",
    "blobs_for",
    "build_blobs",
    "clear_all",
    "client_key",
    "compile_blob",
    "current_gen",
    "etag_for",
    "fragment_for",
    "listener_live",
    "product_map",
    "public_rate",
    "refresh_merchants",
    "render",
    "render_any",
    "render_cached",
    "reset_local",
    "resolve",
    "sign",
    "signing_message",
    "store",
    "throttle_count",
    "verify_signature",
    "window_key",
]
