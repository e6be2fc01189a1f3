"""core.exports: cells, the BOM, chunked streaming with flat memory."""

import csv
import io
import tracemalloc
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from core.exports import BOM, ROWS_PER_CHUNK, cell, csv_chunks, csv_response


def test_cells_are_local_times_plain_decimals_and_defused_formulas():
    assert cell(datetime(2024, 3, 6, 16, 30, tzinfo=UTC)) == "2024-03-07 00:30:00"
    assert cell(Decimal("-30.00")) == Decimal("-30.00")
    assert cell(None) == ""
    assert cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert cell("@SUM") == "'@SUM"
    assert cell("首次缴纳保证金") == "首次缴纳保证金"
    with pytest.raises(TypeError):
        cell(True)


def test_csv_starts_with_a_bom_and_round_trips_chinese():
    text = "".join(csv_chunks(["时间", "备注"], [[datetime(2024, 1, 1, tzinfo=UTC), "退款, 含“引号”"]]))

    assert text.startswith(BOM + "时间,备注\r\n")
    raw = text.encode("utf-8")
    assert raw[:3] == b"\xef\xbb\xbf"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows == [["时间", "备注"], ["2024-01-01 08:00:00", "退款, 含“引号”"]]


def test_chunks_hold_one_batch_so_memory_stays_flat():
    rows = ([i, "海尔官方旗舰店 保证金扣回", Decimal("123.45")] for i in range(200_000))
    tracemalloc.start()
    chunks = 0
    for chunk in csv_chunks(["n", "memo", "amount"], rows):
        chunks += 1
        assert len(chunk) < 60 * ROWS_PER_CHUNK
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert chunks == 200_000 // ROWS_PER_CHUNK + 1
    assert peak < 1_000_000  # bytes: one chunk at a time, not 200,000 rows (~8 MB of text)


def test_response_is_streamed_as_an_attachment():
    response = csv_response("ledger-A1-20240306.csv", header=["a"], rows=iter([[1]]))

    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="ledger-A1-20240306.csv"'
    assert b"".join(response.streaming_content) == BOM.encode() + b"a\r\n1\r\n"
