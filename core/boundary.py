"""The input boundary: what any value from outside must be before it reaches a service or the database.

One set of rules for API fields, form fields, URL paths and query strings (docs/adr/0005):

- text: no NUL (PostgreSQL refuses it) and no lone surrogates (not UTF-8: neither the database nor
  the JSON renderer can take them). A refusal never echoes the bad character back.
- times: a UTC offset PostgreSQL accepts (less than 16 hours) and a year within
  settings.INPUT_YEAR_MIN..INPUT_YEAR_MAX (business times: 2000-2099 by default).
- integers: within a 64-bit column (the model's own range check narrows it further).

`install()` (from CoreConfig.ready) adds these validators to the base classes of DRF's and Django's
form fields, so every serializer, form, admin form and django-filter filter has them, including the
ones other apps add later. Paths and query strings are checked by core.middleware.InputBoundaryMiddleware.
"""

from datetime import date, datetime, timedelta

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template import base as template_base
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import fields as drf_fields

# PostgreSQL: "time zone displacement out of range" from ±16:00 on (and Python allows up to ±23:59).
MAX_UTC_OFFSET = timedelta(hours=15, minutes=59)
BIGINT_MAX = 2**63 - 1
REPLACEMENT = "\ufffd"


def is_storable_text(value: str) -> bool:
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable(value) -> str:
    """`value` as text that can be echoed: NUL and lone surrogates become U+FFFD."""
    text = str(value)
    return text if is_storable_text(text) else _sanitize_str(text)


def sanitize(data):
    """A response body (dicts, lists, strings) with every string made printable."""
    if isinstance(data, str):
        return data if is_storable_text(data) else _sanitize_str(data)
    if isinstance(data, dict):
        return {sanitize(k): sanitize(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [sanitize(v) for v in data]
    return data


def _sanitize_str(text: str) -> str:
    return "".join(REPLACEMENT if ch == "\x00" or 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in text)


def year_range() -> tuple[int, int]:
    return settings.INPUT_YEAR_MIN, settings.INPUT_YEAR_MAX


def validate_text(value) -> None:
    if isinstance(value, str) and not is_storable_text(value):
        raise ValidationError(
            _("Contains characters that cannot be stored (NUL or invalid Unicode)."), code="invalid_text"
        )


def _walk_texts(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk_texts(key)
            yield from _walk_texts(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _walk_texts(item)


def validate_json_texts(value) -> None:
    for text in _walk_texts(value):
        validate_text(text)


def _year_error():
    low, high = year_range()
    return ValidationError(
        _("Out of range: give a year from %(low)s to %(high)s."),
        code="year_out_of_range",
        params={"low": low, "high": high},
    )


def validate_datetime(value) -> None:
    if not isinstance(value, datetime):
        return
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        raise ValidationError(
            _("The UTC offset must be between -15:59 and +15:59."), code="offset_out_of_range"
        )
    low, high = year_range()
    if not low <= value.year <= high:
        raise _year_error()
    if offset is not None:
        try:
            utc_year = (value - offset).year
        except OverflowError:
            raise _year_error() from None
        if not low <= utc_year <= high:
            raise _year_error()


def validate_date(value) -> None:
    if isinstance(value, date) and not isinstance(value, datetime):
        low, high = year_range()
        if not low <= value.year <= high:
            raise _year_error()


def validate_bigint(value) -> None:
    if isinstance(value, int) and not -BIGINT_MAX <= value <= BIGINT_MAX:
        raise ValidationError(_("Out of range."), code="number_out_of_range")


def _add(cls, *validators) -> None:
    current = list(getattr(cls, "default_validators", []))
    cls.default_validators = current + [v for v in validators if v not in current]


_installed = False


def install() -> None:
    """Give every DRF and Django form field the rules above (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True
    # DRF: CharField already refuses NUL and surrogates; ChoiceField's echo is made safe by the
    # exception handler (core.api.exception_handler sanitizes every error body).
    _add(drf_fields.DateTimeField, validate_datetime)
    _add(drf_fields.DateField, validate_date)
    _add(drf_fields.IntegerField, validate_bigint)
    _add(drf_fields.JSONField, validate_json_texts)
    _add(drf_fields.DictField, validate_json_texts)
    _add(drf_fields.ListField, validate_json_texts)
    # Django forms (pages, admin, django-filter): CharField refuses NUL already, not surrogates.
    _add(forms.CharField, validate_text)
    _add(forms.DateTimeField, validate_datetime)
    _add(forms.DateField, validate_date)
    _add(forms.IntegerField, validate_bigint)
    _add(forms.JSONField, validate_json_texts)


def parse_datetime_input(raw: str, *, naive_tz) -> datetime | None:
    """A date-time typed into a page form, or None when it is unparsable or breaks the rules above.

    A value without an offset is read in `naive_tz` (the business time zone on staff pages).
    """
    try:
        value = parse_datetime((raw or "").strip())
    except ValueError:  # well formed but impossible, e.g. 2026-02-30T10:00
        return None
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=naive_tz)
    try:
        validate_datetime(value)
    except ValidationError:
        return None
    return value


def _total_template_localtime(original):
    """template_localtime that never fails: a stored time the local zone cannot hold (9999-12-31 23:00
    UTC is year 10000 in Asia/Shanghai) is shown as stored, in UTC, instead of failing the page."""

    def template_localtime(value, use_tz=None):
        try:
            return original(value, use_tz)
        except (OverflowError, ValueError):
            return value

    return template_localtime


def install_total_rendering() -> None:
    if not getattr(template_base.template_localtime, "_total", False):
        safe = _total_template_localtime(template_base.template_localtime)
        safe._total = True
        template_base.template_localtime = safe
