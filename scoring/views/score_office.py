"""Merchant back office: 服务体验分 / Experience score, its 90-day trend and the history CSV."""

from django.shortcuts import render

from core.exports import csv_response, export_name
from merchants.access import merchant_required

from .. import selectors
from .score_common import csv_header, csv_rows, score_page_context


@merchant_required
def score(request):
    return render(request, "office/scoring/score.html", score_page_context(request.merchant))


@merchant_required
def score_csv(request):
    merchant = request.merchant
    rows = selectors.merchant_history(merchant_id=merchant.pk).select_related("merchant", "category")
    return csv_response(
        export_name("score", merchant.shop_code),
        header=csv_header(),
        rows=csv_rows(rows.iterator(chunk_size=2000)),
    )
