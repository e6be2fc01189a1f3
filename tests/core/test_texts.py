"""core.texts: stored texts as a code + parameters, rendered in the reader's language."""

import re
from datetime import UTC, datetime

import pytest
from django.utils import translation

from commitments.models import Breach
from core.texts import (
    VERBATIM,
    Text,
    cny,
    each,
    identity,
    local_time,
    month,
    register,
    registered_codes,
    render,
    render_stored,
    verbatim,
)


def _in(language: str, text: Text) -> str:
    with translation.override(language):
        return str(text)


def test_a_registered_message_renders_in_each_language_with_local_times():
    text = Text(
        "breach.late",
        {
            "what": "first_pickup",
            "done_at": "2026-08-31T04:42:00+00:00",
            "deadline": "2026-08-30T03:48:00+00:00",
        },
    )
    assert _in("en", text) == "first pickup scan at 2026-08-31 12:42, deadline 2026-08-30 11:48"
    assert _in("zh-hans", text) == "首次揽收扫描于 2026-08-31 12:42，截止时间 2026-08-30 11:48"
    assert text.english() == "first pickup scan at 2026-08-31 12:42, deadline 2026-08-30 11:48"


def test_verbatim_text_is_shown_as_typed_in_every_language():
    text = verbatim("台风“海葵” 100% closed")
    assert text == Text(VERBATIM, {"text": "台风“海葵” 100% closed"})
    assert _in("en", text) == _in("zh-hans", text) == "台风“海葵” 100% closed"


def test_an_unknown_code_or_parameters_that_no_longer_fit_render_the_fallback():
    assert render("no.such.code", {}, fallback="old English") == "old English"
    assert render("breach.late", {"what": "signed"}, fallback="old English") == "old English"  # missing times
    assert render("breach.late", {"what": "signed", "done_at": "soon", "deadline": "x"}, fallback="f") == "f"
    assert render_stored("", {}, "stored before codes existed") == "stored before codes existed"


def test_formatters():
    with translation.override("zh-hans"):
        assert month("2026-03") == "2026年3月"
        assert each(identity)(["V1", "V2"]) == "V1、V2"
        assert local_time(datetime(2026, 1, 31, 16, 30, tzinfo=UTC)) == "2026-02-01 00:30"
    with translation.override("en"):
        assert month("2026-03") == "2026-03"
        assert each(identity)(["V1", "V2"]) == "V1, V2"
        assert cny("1234.5") == "¥1,234.50"
    with pytest.raises(TypeError):
        each(identity)("V1")


def test_text_fields_cut_the_english_to_the_column_and_keep_code_and_params():
    long_reason = "x" * 400
    fields = Text("breach.complaint", {"complaint": "C-1", "reason": long_reason}).fields(Breach, "detail")
    assert fields == {
        "detail": ("complaint C-1: " + long_reason)[:300],
        "detail_code": "breach.complaint",
        "detail_params": {"complaint": "C-1", "reason": long_reason},
    }


def test_texts_are_equal_and_hash_alike_by_code_and_params():
    a = Text("exemption.force_majeure", {"declaration": 3, "reason": "snow"})
    b = Text("exemption.force_majeure", {"reason": "snow", "declaration": 3})
    assert a == b
    assert {a: 1}[b] == 1
    assert a != Text("exemption.force_majeure", {"declaration": 4, "reason": "snow"})


def test_the_stored_text_property_renders_in_the_readers_language():
    breach = Breach(
        detail="shipping fee ¥12.00 charged",
        detail_code="breach.shipping_fee",
        detail_params={"fee": "12.00"},
    )
    with translation.override("zh-hans"):
        assert breach.detail_text == "收取了运费 ¥12.00"
    with translation.override("en"):
        assert breach.detail_text == "shipping fee ¥12.00 charged"
    legacy = Breach(detail="written before codes existed")
    assert legacy.detail_text == "written before codes existed"


def test_a_message_registered_later_is_used_at_render_time():
    register("tests.greeting", "Hello %(name)s", name=str.upper)
    assert render("tests.greeting", {"name": "ada"}) == "Hello ADA"


def test_every_registered_message_is_translated_to_chinese():
    """A new stored text cannot ship in English only: its msgid must have a zh-hans translation."""
    from core import texts

    untranslated = []
    for code in registered_codes():
        msgid = texts._MESSAGES[code].msgid
        if code.startswith("tests.") or not re.sub(r"%\(\w+\)s", "", str(msgid)).strip():
            continue  # only placeholders (verbatim text, a list of check results): no words to translate
        with translation.override("en"):
            english = str(msgid)
        with translation.override("zh-hans"):
            chinese = str(msgid)
        if chinese == english:
            untranslated.append(code)
    assert untranslated == []
