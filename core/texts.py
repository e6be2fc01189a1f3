"""Stored texts that users read: a message code with language-neutral parameters, rendered in the
reader's language when shown.

The app that writes a text registers its message once, from its `texts` module (imported by the
app's ``AppConfig.ready()``)::

    register("breach.late", _("%(what)s at %(done_at)s, deadline %(deadline)s"),
             what=choice(DONE_WORDS), done_at=local_time, deadline=local_time)

The message is an English msgid marked for translation with named placeholders; each parameter
may name a formatter that turns the stored value (ids, codes, amounts as strings, ISO times) into
words of the active language (a local time, a tag's name, an amount in yuan).

A model keeps such a text in three columns: ``<field>`` (the English rendering, for the admin, the
API and anything that reads the column), ``<field>_code`` and ``<field>_params`` (``text_columns``),
and reads it back with ``stored_text("<field>")``. Writers build a ``Text`` and store it with
``Text.fields(Model, "<field>")``. Free text a person typed is stored as ``verbatim(text)``.

A code nobody registered, or parameters that no longer fit the message, render the stored English
column rather than failing the page.
"""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import models
from django.utils import translation
from django.utils.dateparse import parse_datetime

from .calendar import business_tz
from .i18n import is_chinese
from .money import format_cny

Formatter = Callable[[object], str]

VERBATIM = "text"  # free text as typed (a staff note, a declaration's reason), and legacy rows


@dataclass(frozen=True)
class Message:
    msgid: object  # a lazy translation
    formatters: dict[str, Formatter]


_MESSAGES: dict[str, Message] = {}


def register(code: str, msgid, **formatters: Formatter) -> None:
    """Register (or re-register, on reload) the message of `code`."""
    _MESSAGES[code] = Message(msgid, formatters)


def registered_codes() -> list[str]:
    return sorted(_MESSAGES)


def render(code: str, params: dict | None, *, fallback: str = "") -> str:
    """The text of `code` with `params`, in the active language; `fallback` when it cannot be built."""
    message = _MESSAGES.get(code)
    if message is None:
        return fallback
    params = params or {}
    try:
        values = {
            name: message.formatters[name](value) if name in message.formatters else value
            for name, value in params.items()
        }
        return str(message.msgid) % values
    except (KeyError, TypeError, ValueError, AttributeError):
        return fallback


def _params_key(params: dict) -> str:
    return json.dumps(params, sort_keys=True, default=str)


@dataclass(frozen=True, eq=False)
class Text:
    """A message code and its (JSON) parameters: what a stored text is."""

    code: str
    params: dict = field(default_factory=dict)

    def _key(self) -> tuple[str, str]:
        """(code, canonical JSON of the parameters), computed once: a batch job uses thousands of texts
        as dict keys. A Text is not changed after it is made (its parameters included)."""
        key = self.__dict__.get("_cached_key")
        if key is None:
            key = (self.code, _params_key(self.params))
            object.__setattr__(self, "_cached_key", key)
        return key

    def __eq__(self, other) -> bool:
        return isinstance(other, Text) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __str__(self) -> str:
        return render(self.code, self.params)

    def english(self) -> str:
        with translation.override("en"):
            return render(self.code, self.params)

    def fields(self, model: type[models.Model], name: str) -> dict:
        """The three column values of the text `name` of `model`: English (cut to the column), code, params."""
        english = self.english()
        max_length = model._meta.get_field(name).max_length
        return {
            name: english[:max_length] if max_length else english,
            f"{name}_code": self.code,
            f"{name}_params": self.params,
        }


def verbatim(text: str) -> Text:
    """Free text as a person typed it: shown as is in every language."""
    return Text(VERBATIM, {"text": text})


def render_stored(code: str, params: dict | None, english: str) -> str:
    """A stored text's three columns (code, parameters, English) in the reader's language."""
    return render(code, params, fallback=english) if code else english


def text_columns() -> tuple[models.CharField, models.JSONField]:
    """The code and parameters columns of a stored text: ``detail_code, detail_params = text_columns()``."""
    return models.CharField(max_length=60, blank=True), models.JSONField(default=dict, blank=True)


def stored_text(name: str) -> property:
    """A model property rendering the stored text `name` in the reader's language."""

    def read(obj) -> str:
        return render_stored(getattr(obj, f"{name}_code"), getattr(obj, f"{name}_params"), getattr(obj, name))

    return property(read, doc=f"`{name}` in the reader's language")


# --- formatters ---------------------------------------------------------------------------------


def local_time(value) -> str:
    """An ISO moment as the Asia/Shanghai date and time (minutes)."""
    moment = value if isinstance(value, datetime) else parse_datetime(str(value))
    if moment is None:
        raise ValueError(f"not a moment: {value!r}")
    return f"{moment.astimezone(business_tz()):%Y-%m-%d %H:%M}"


def cny(value) -> str:
    """An amount stored as a string ("12.50") in yuan: ¥12.50."""
    return format_cny(Decimal(str(value)))


def month(value) -> str:
    """A month stored as "2026-10": 2026年10月 in Chinese, 2026-10 in English."""
    year, number = str(value).split("-")[:2]
    return f"{int(year)}年{int(number)}月" if is_chinese() else f"{int(year)}-{int(number):02d}"


def listing(items: Iterable[str]) -> str:
    return ("、" if is_chinese() else ", ").join(str(i) for i in items)


def choice(words: dict[str, object]) -> Formatter:
    """A stored code shown as its (lazy) word; an unknown code is shown as is."""

    def fmt(value) -> str:
        return str(words.get(value, value))

    return fmt


def each(formatter: Formatter) -> Formatter:
    """A list of values, each through `formatter`, joined the way the language lists things."""

    def fmt(values) -> str:
        if isinstance(values, str):
            raise TypeError("a list was expected")
        return listing(formatter(v) for v in values)

    return fmt


def identity(value) -> str:
    return str(value)


register(VERBATIM, "%(text)s")
