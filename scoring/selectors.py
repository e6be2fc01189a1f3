"""Reads of the experience score for pages, exports and the API: precomputed rows only (never computed
on read), a bounded number of queries."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Prefetch, QuerySet

from .definitions import INDICATORS, PART_LABELS, PARTS, RATE
from .models import MerchantScore, ScoreFigure

ORDERINGS = {
    "total": "total",
    "-total": "-total",
    "change": "change_7d",
    "-change": "-change_7d",
    **{p: p for p in PARTS},
    **{f"-{p}": f"-{p}" for p in PARTS},
}
BINS = 10  # the histogram: 0.0–0.5 … 4.5–5.0 stars


def latest_day() -> date | None:
    return MerchantScore.objects.order_by("-day").values_list("day", flat=True).first()


def merchant_score(*, merchant_id: int, day: date | None = None) -> MerchantScore | None:
    """The merchant's row of `day` (default: its latest), figures prefetched: two queries."""
    qs = MerchantScore.objects.filter(merchant_id=merchant_id).select_related("category")
    if day is not None:
        qs = qs.filter(day=day)
    return (
        qs.prefetch_related(Prefetch("figures", queryset=ScoreFigure.objects.order_by("pk")))
        .order_by("-day")
        .first()
    )


def merchant_history(*, merchant_id: int, since: date | None = None, until: date | None = None) -> QuerySet:
    qs = MerchantScore.objects.filter(merchant_id=merchant_id).order_by("day")
    if since:
        qs = qs.filter(day__gte=since)
    if until:
        qs = qs.filter(day__lte=until)
    return qs


def score_list(
    *, day: date, category_id=None, warning: bool | None = None, ordering: str = "-total"
) -> QuerySet:
    qs = MerchantScore.objects.filter(day=day).select_related("merchant", "category")
    if category_id:
        qs = qs.filter(category_id=category_id)
    if warning is not None:
        qs = qs.filter(warning=warning)
    field = ORDERINGS.get(ordering, "-total")
    name = field.lstrip("-")
    order = F(name).desc(nulls_last=True) if field.startswith("-") else F(name).asc(nulls_last=True)
    return qs.order_by(order, "merchant_id")


def distribution(*, day: date) -> dict[int, list[int]]:
    """Per category: how many merchants' totals fall in each half-star bin. One query."""
    out: dict[int, list[int]] = {}
    rows = (
        MerchantScore.objects.filter(day=day, total__isnull=False)
        .values("category_id", "total")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        bins = out.setdefault(row["category_id"], [0] * BINS)
        bins[min(BINS - 1, int(row["total"] // 10))] += row["n"]
    return out


# --- presentation helpers (no queries) ----------------------------------------------------------


@dataclass
class FigureView:
    code: str
    label: str
    figure: ScoreFigure | None
    unit: str = ""

    @property
    def stars(self) -> str | None:
        f = self.figure
        return None if f is None or f.score is None else stars(f.score)


def stars(score: Decimal | None) -> str | None:
    """0–100 as x.x (of 5.0)."""
    return None if score is None else f"{(Decimal(score) / 20).quantize(Decimal('0.1'))}"


def layout(row: MerchantScore) -> dict:
    """The row's figures arranged for a page: total, parts with their indicators."""
    figures = {f.code: f for f in row.figures.all()}
    parts = []
    for part in PARTS:
        indicators = [
            FigureView(i.code, i.label, figures.get(i.code), {"rate": "%", "mean": "★", "hours": "h"}[i.kind])
            for i in INDICATORS
            if i.part == part
        ]
        parts.append(
            {
                "code": part,
                "view": FigureView(part, PART_LABELS[part], figures.get(part)),
                "indicators": indicators,
            }
        )
    return {"total": figures.get("total"), "parts": parts, "rate_kind": RATE}
