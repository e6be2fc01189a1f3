"""What the office and staff score pages share: the page context, the chart's data and the history CSV."""

from datetime import timedelta

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .. import selectors
from ..definitions import PART_LABELS, PARTS
from ..selectors import stars


def score_page_context(merchant) -> dict:
    """One merchant's latest score row, its layout and the 90-day trend (the office and staff pages)."""
    row = selectors.merchant_score(merchant_id=merchant.pk)
    history = (
        list(selectors.merchant_history(merchant_id=merchant.pk, since=row.day - timedelta(days=89)))
        if row
        else []
    )
    return {
        "merchant": merchant,
        "row": row,
        "layout": selectors.layout(row) if row else None,
        "chart": chart_data(history),
    }


def chart_data(history) -> dict:
    """The 90-day trend for ECharts (read by static/js/score_chart.js from a json_script): stars."""

    def value(v):
        return None if v is None else float(stars(v))

    return {
        "days": [date_format(r.day, "m-d") for r in history],
        "series": [
            {"name": str(_("Total")), "data": [value(r.total) for r in history]},
            *({"name": str(PART_LABELS[p]), "data": [value(getattr(r, p)) for r in history]} for p in PARTS),
        ],
        "empty": str(_("No score yet")),
    }


def csv_header() -> list[str]:
    return [
        _("Day"), _("Shop code"), _("Shop"), _("Main category"), _("Orders (90 days)"), _("Total (of 5.0)"),
        *(str(PART_LABELS[p]) for p in PARTS), _("Change in 7 days"), _("Warning"),
    ]  # fmt: skip


def csv_rows(rows):
    for r in rows:
        yield [
            date_format(r.day, "Y-m-d"), r.merchant.shop_code, r.merchant.display_name, r.category.name, r.orders,
            stars(r.total), *(stars(getattr(r, p)) for p in PARTS),
            None if r.change_7d is None else f"{r.change_7d / 20:+.2f}", _("yes") if r.warning else _("no"),
        ]  # fmt: skip
