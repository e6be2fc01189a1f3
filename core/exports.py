"""CSV exports: UTF-8 with a BOM (Excel then reads Chinese correctly), streamed in batches.

A view builds the rows as a generator over `queryset.iterator(chunk_size=...)`, so neither the
queryset cache nor the response body holds more than one batch: memory stays flat for a million
rows. Everything a cell shows is rendered before streaming starts or by the row function itself
in the reader's language (labels) and in Asia/Shanghai (times); no raw codes, no ISO timestamps.

    return csv_response("ledger.csv", header=[_("Time"), ...], rows=(row(e) for e in qs.iterator(2000)))
"""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils import timezone

from .calendar import business_tz

BOM = "\ufeff"
ROWS_PER_CHUNK = 500
ITERATOR_CHUNK = 2000
# A text cell starting with one of these is a formula to Excel (CSV injection): prefix a quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str | Decimal | int:
    """One CSV cell: times in Asia/Shanghai, None empty, booleans never raw, formulas defused."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value, business_tz()).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, bool):
        raise TypeError("render booleans as words before exporting them")
    if isinstance(value, Decimal | int):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_chunks(header: Sequence, rows: Iterable[Sequence]) -> Iterator[str]:
    """The CSV text in chunks of ROWS_PER_CHUNK lines, the first one starting with the BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow([str(title) for title in header])
    for count, row in enumerate(rows, start=1):
        writer.writerow([cell(value) for value in row])
        if count % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(filename: str, *, header: Sequence, rows: Iterable[Sequence]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_chunks(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def export_name(kind: str, *parts: str) -> str:
    """`ledger-A0000001-20240306.csv`: ASCII only, dated in Asia/Shanghai."""
    today = timezone.localtime(timezone.now(), business_tz()).strftime("%Y%m%d")
    safe = ["".join(ch for ch in part if ch.isascii() and (ch.isalnum() or ch in "-_")) for part in parts]
    return "-".join([kind, *[p for p in safe if p], today]) + ".csv"
