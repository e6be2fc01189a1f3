"""core.bulk: plain-tuple inserts; COPY on PostgreSQL must round-trip every awkward value exactly."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from core.bulk import STAGED_FROM, copy_rows, filter_any_of, insert_rows
from merchants.models import Notice
from scoring.models import EvaluationResult
from tests.factories import MerchantFactory

Action = EvaluationResult.Action

pytestmark = pytest.mark.django_db

ROWS = [
    (1, "tab\there", Decimal("12.3400"), True, date(2026, 3, 1)),
    (2, "back\\slash\nnew line\r", None, False, None),
    (3, "中文 \\N", Decimal("-0.0001"), None, date(2026, 12, 31)),
    (4, "\\N", None, True, None),  # the text backslash-N next to real NULLs
]


def test_copy_rows_round_trips_text_nulls_decimals_booleans_and_dates():
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bulk_probe (id integer, t text, n numeric(12, 4), b boolean, d date)"
        )
        assert copy_rows("bulk_probe", ["id", "t", "n", "b", "d"], ROWS) == 4
        assert copy_rows("bulk_probe", ["id", "t", "n", "b", "d"], []) == 0
        cursor.execute("SELECT id, t, n, b, d FROM bulk_probe ORDER BY id")
        got = cursor.fetchall()
        cursor.execute("DROP TABLE bulk_probe")
    normalised = [
        (
            i,
            t,
            None if n is None else Decimal(str(n)).quantize(Decimal("0.0001")),
            None if b is None else bool(b),
            d if d is None or isinstance(d, date) else date.fromisoformat(d),
        )
        for i, t, n, b, d in got
    ]
    assert normalised == ROWS


def test_copy_rows_writes_aware_datetimes_and_choices_members_as_their_values():
    at = datetime(2026, 9, 30, 16, 0, 0, 123456, tzinfo=UTC)
    row = (1, at, Action.REVOKED, False)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bulk_kinds (id integer, at timestamptz, a text, b boolean)")
        copy_rows("bulk_kinds", ["id", "at", "a", "b"], [row])
        cursor.execute("SELECT id, at, a, b FROM bulk_kinds")
        got = cursor.fetchone()
        cursor.execute("DROP TABLE bulk_kinds")
    assert (got[0], got[2], bool(got[3])) == (1, "revoked", False)
    assert (got[1] if isinstance(got[1], datetime) else parse_datetime(got[1]).replace(tzinfo=UTC)) == at


def test_copy_rows_streams_many_chunks_in_row_order():
    rows = [(i, f"行 {i}\t{i % 7}", None if i % 5 else Decimal(i) / 100) for i in range(1, 1234)]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bulk_many (id integer, t text, n numeric(12, 2))")
        assert copy_rows("bulk_many", ["id", "t", "n"], rows) == 1233
        cursor.execute("SELECT id, t, n FROM bulk_many")
        got = cursor.fetchall()
        cursor.execute("DROP TABLE bulk_many")
    assert [(i, t, None if n is None else Decimal(str(n))) for i, t, n in got] == rows


def test_insert_rows_skips_conflicts_and_returns_the_inserted_rows_columns():
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bulk_unique (id integer PRIMARY KEY, k text UNIQUE, n integer)"
        )
        assert insert_rows("bulk_unique", ["id", "k", "n"], [(1, "a", 10)], returning="id") == [1]
        got = insert_rows(
            "bulk_unique",
            ["id", "k", "n"],
            [(2, "b", 20), (3, "a", 30), (4, "b", 40), (5, "c", 50)],  # "a" exists, "b" comes twice
            returning=("id", "k"),
            skip_conflicts=True,
        )
        cursor.execute("SELECT id, k, n FROM bulk_unique ORDER BY id")
        rows = cursor.fetchall()
        cursor.execute("DROP TABLE bulk_unique")
    assert sorted(tuple(r) for r in got) == [(2, "b"), (5, "c")]
    assert rows == [(1, "a", 10), (2, "b", 20), (5, "c", 50)]


def test_insert_rows_of_many_rows_returns_in_row_order_and_skips_conflicts():
    """From STAGED_FROM rows on, PostgreSQL stages them (COPY into a temporary table): the same result."""
    count = STAGED_FROM * 3
    # Ids descending (row order is not id order); every 50th row repeats an earlier key; odd texts.
    rows = [
        (count - i, f"k{i - 1 if i % 50 == 49 else i}", None if i % 3 else f"a\tb\\{i}\n行")
        for i in range(count)
    ]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bulk_big (id integer PRIMARY KEY, k text UNIQUE, t text)")
        got = insert_rows("bulk_big", ["id", "k", "t"], rows, returning="id", skip_conflicts=True)
        cursor.execute("SELECT id, k, t FROM bulk_big")
        stored = {row[0]: tuple(row) for row in cursor.fetchall()}
        cursor.execute("DROP TABLE bulk_big")
    kept = [row for i, row in enumerate(rows) if i % 50 != 49]
    assert got == [row[0] for row in kept]
    assert stored == {row[0]: row for row in kept}


def test_any_of_matches_exactly_the_listed_values_in_filters_and_updates():
    owner = MerchantFactory()
    other = MerchantFactory()
    notices = [
        Notice.objects.create(merchant=m, key=f"any:{i}", code="x", created_at=timezone.now())
        for i, m in enumerate([owner, owner, other])
    ]
    ids = [n.pk for n in notices]
    assert sorted(Notice.objects.filter(pk__any_of=ids[:2]).values_list("key", flat=True)) == [
        "any:0",
        "any:1",
    ]
    assert list(Notice.objects.filter(merchant__any_of=[other.pk]).values_list("key", flat=True)) == ["any:2"]
    assert list(Notice.objects.filter(merchant_id__any_of=[other.pk]).values_list("pk", flat=True)) == [
        ids[2]
    ]
    assert sorted(
        Notice.objects.filter(key__any_of=["any:2", "any:0", "none"]).values_list("pk", flat=True)
    ) == [
        ids[0],
        ids[2],
    ]
    assert not Notice.objects.filter(pk__any_of=[]).exists()
    assert sorted(Notice.objects.exclude(pk__any_of={ids[0]}).values_list("pk", flat=True)) == ids[1:]
    assert Notice.objects.filter(pk__any_of=[ids[1]]).update(code="y") == 1
    assert list(Notice.objects.order_by("key").values_list("code", flat=True)) == ["x", "y", "x"]


def test_filter_any_of_keeps_everything_for_none_and_the_listed_merchants_otherwise():
    owner, other = MerchantFactory(), MerchantFactory()
    for i, m in enumerate([owner, other, other]):
        Notice.objects.create(merchant=m, key=f"only:{i}", code="x", created_at=timezone.now())
    keys = Notice.objects.order_by("key").values_list("key", flat=True)
    assert list(filter_any_of(keys, None)) == ["only:0", "only:1", "only:2"]
    assert list(filter_any_of(keys, {other.pk})) == ["only:1", "only:2"]
    assert list(filter_any_of(keys, [])) == []
    assert list(filter_any_of(keys, ["only:0"], field="key")) == ["only:0"]
