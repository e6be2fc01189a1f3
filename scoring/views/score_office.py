"""Merchant back office: 服务体验分 / Experience score, its 90-day trend and the history CSV."""

from datetime import timedelta

from django.shortcuts import render

from core.exports import csv_response, export_name
from merchants.access import merchant_required

from .. import selectors
from .score_common import chart_data, csv_header, csv_rows


@merchant_required
def score(request):
    merchant = request.merchant
    row = selectors.merchant_score(merchant_id=merchant.pk)
    history = (
        list(selectors.merchant_history(merchant_id=merchant.pk, since=row.day - timedelta(days=89)))
        if row
        else []
    )
    return render(
        request,
        "office/scoring/score.html",
        {
            "merchant": merchant,
            "row": row,
            "layout": selectors.layout(row) if row else None,
            "chart": chart_data(history),
        },
    )


@merchant_required
def score_csv(request):
    merchant = request.merchant
    rows = selectors.merchant_history(merchant_id=merchant.pk).select_related("merchant", "category")
    return csv_response(
        export_name("score", merchant.shop_code),
        header=csv_header(),
        rows=csv_rows(rows.iterator(chunk_size=2000)),
    )
