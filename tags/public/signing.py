"""Signatures of badge answers: HMAC-SHA256 (django.utils.crypto.salted_hmac, key derived from
SECRET_KEY) over ``merchant|category|tag codes|badge code|issued_at``."""

from django.utils.crypto import constant_time_compare, salted_hmac

SIGNING_SALT = "tags.public_badge.v1"


def signing_message(
    *, merchant_id: int, category: str | None, tags: list[str], badge: str | None, issued_at: str
) -> str:
    return "|".join([str(merchant_id), category or "*", ",".join(sorted(tags)), badge or "-", issued_at])


def sign(**fields) -> str:
    return salted_hmac(SIGNING_SALT, signing_message(**fields), algorithm="sha256").hexdigest()


def verify_signature(signature: str, **fields) -> bool:
    return constant_time_compare(sign(**fields), signature or "")
