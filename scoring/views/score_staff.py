"""Staff console: the score distribution per category, merchants sortable and filterable by score,
part and warning (CSV), and one merchant's score page read-only."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from core.exports import csv_response, export_name
from core.roles import staff_required
from merchants.models import Category, Merchant

from .. import selectors
from ..definitions import PART_LABELS, PARTS
from .score_common import csv_header, csv_rows, score_page_context


def _filters(request) -> dict:
    category = request.GET.get("category", "")
    warning = {"1": True, "0": False}.get(request.GET.get("warning", ""))
    ordering = request.GET.get("ordering", "-total")
    return {
        "category_id": int(category) if category.isdigit() else None,
        "warning": warning,
        "ordering": ordering if ordering in selectors.ORDERINGS else "-total",
    }


@staff_required
def scores(request):
    day = selectors.latest_day()
    params = _filters(request)
    categories = list(Category.objects.order_by("sort_order", "code"))
    page = None
    histogram = {"bins": [], "series": []}
    if day is not None:
        page = Paginator(selectors.score_list(day=day, **params), 50).get_page(request.GET.get("page"))
        dist = selectors.distribution(day=day)
        histogram = {
            "bins": [f"{i / 2:.1f}–{(i + 1) / 2:.1f}" for i in range(selectors.BINS)],
            "series": [{"name": c.name, "data": dist[c.pk]} for c in categories if c.pk in dist],
        }
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("ordering", None)
    return render(
        request,
        "staff/scoring/scores.html",
        {
            "day": day,
            "page": page,
            "params": params,
            "categories": categories,
            "parts": [(p, PART_LABELS[p]) for p in PARTS],
            "histogram": histogram,
            "query": query.urlencode(),
            "full_query": request.GET.urlencode(),
        },
    )


@staff_required
def scores_csv(request):
    day = selectors.latest_day()
    if day is None:
        raise Http404("No scores yet.")
    rows = selectors.score_list(day=day, **_filters(request)).iterator(chunk_size=2000)
    return csv_response(export_name("scores", day.isoformat()), header=csv_header(), rows=csv_rows(rows))


@staff_required
def merchant_score(request, merchant_id: int):
    merchant = Merchant.objects.filter(pk=merchant_id).first()
    if merchant is None:
        raise Http404("No such merchant.")
    return render(request, "staff/scoring/score_merchant.html", score_page_context(merchant))


@staff_required
def merchant_score_csv(request, merchant_id: int):
    merchant = Merchant.objects.filter(pk=merchant_id).first()
    if merchant is None:
        raise Http404("No such merchant.")
    rows = selectors.merchant_history(merchant_id=merchant.pk).select_related("merchant", "category")
    return csv_response(
        export_name("score", merchant.shop_code),
        header=csv_header(),
        rows=csv_rows(rows.iterator(chunk_size=2000)),
    )
