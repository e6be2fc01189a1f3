"""Text the database can store: PostgreSQL refuses NUL in text, and lone surrogates are not UTF-8."""

from core.errors import ApplicationError


def is_text(value: str) -> bool:
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def clean_text(value, *, field: str, max_length: int | None = None) -> str:
    """`value` stripped (None → ""); 400 when it is not a string or not storable text."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ApplicationError("Send text.", fields={field: ["must be a string"]})
    if not is_text(value):
        raise ApplicationError(
            "The text has characters that cannot be stored.", fields={field: ["not valid text"]}
        )
    value = value.strip()
    return value[:max_length] if max_length else value
