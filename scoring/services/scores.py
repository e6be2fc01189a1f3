"""The daily experience score (SPEC §7): rollup windows → indicators → parts → total, peers, history.

``score_day(day=T)`` is the daily job: it re-aggregates the marked rollup days, then computes one
row per merchant for day T from the rollups of the 90 local days T-90..T-1 (and T-97..T-8 for the
rates that need refunds and deliveries to settle), stores it with every part and indicator
(numerator, denominator, value, score, status), and fills in the peer figures with one set-based
statement (window functions). A run record per day; every step replaces what it writes, so running
twice changes nothing and a crash half-way is repaired by the next run.

The Bayesian prior (``settings.SCORE_PRIOR_ORDERS``, default 30): a rate is scored on
(numerator + k·m) / (denominator + k), m the pooled rate of the merchant's main category over the
same window. k = 30 is the minimum sample an indicator needs at all: a shop at the threshold gets
half its weight from its category, at 300 orders under a tenth, at 5,000 orders 0.6 %. One bad
order moves a 30-order shop by 1/60 rather than 1/30 of the scale — enough to damp luck, small
enough that a shop with a real problem shows it within weeks.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from core.periods import lagged_window, rolling_window

from ..definitions import (
    BY_CODE,
    HOURS,
    INDICATORS,
    LAGGED,
    MIN_ORDERS_FOR_TOTAL,
    MIN_PARTS_FOR_TOTAL,
    PART_WEIGHT,
    PARTS,
    PEERS_MIN,
    RATE,
    WARNING_DROP,
    WARNING_PART_BELOW,
)
from ..models import DailyRollup, MerchantScore, ScoreBound, ScoreFigure, ScoreRun
from .rollups import rollups_refresh

HUNDRED = Decimal(100)
Q2, Q4 = Decimal("0.01"), Decimal("0.0001")
WINDOW_DAYS = 90


def prior_strength() -> int:
    return int(getattr(settings, "SCORE_PRIOR_ORDERS", 30))


# --- one merchant, pure --------------------------------------------------------------------------


@dataclass
class IndicatorResult:
    code: str
    numerator: Decimal
    denominator: Decimal
    value: Decimal | None
    adjusted: Decimal | None
    score: Decimal | None
    status: str


@dataclass
class MerchantResult:
    total: Decimal | None
    parts: dict[str, Decimal | None]
    indicators: dict[str, IndicatorResult] = field(default_factory=dict)


def piecewise(value: Decimal, floor: Decimal, excellent: Decimal) -> Decimal:
    """0 at floor, 100 at excellent, linear between, clamped (works whichever way is better)."""
    share = (value - floor) / (excellent - floor)
    return (min(max(share, Decimal(0)), Decimal(1)) * HUNDRED).quantize(Q2)


def indicator_value(kind: str, numerator, denominator) -> Decimal | None:
    if not denominator:
        return None
    numerator, denominator = Decimal(numerator), Decimal(denominator)
    if kind == RATE:
        return numerator * HUNDRED / denominator
    if kind == HOURS:
        return numerator / denominator / 3600
    return numerator / denominator


def score_merchant(
    *,
    recent: dict,
    lagged: dict,
    bounds: dict[str, tuple[Decimal, Decimal]],
    category_rates: dict[str, Decimal | None],
    prior: int,
) -> MerchantResult:
    """The score of one merchant from its window sums (``recent``: 90 days, ``lagged``: T-97..T-8)."""
    indicators: dict[str, IndicatorResult] = {}
    part_sums: dict[str, list[tuple[Decimal, Decimal]]] = defaultdict(list)
    for ind in INDICATORS:
        sums = lagged if ind.window == LAGGED else recent
        num, den = sums.get(ind.numerator, 0) or 0, sums.get(ind.denominator, 0) or 0
        value = indicator_value(ind.kind, num, den)
        adjusted = value
        if ind.kind == RATE and value is not None and prior:
            mean = category_rates.get(ind.code)
            mean = value / HUNDRED if mean is None else mean
            adjusted = (Decimal(num) + prior * mean) * HUNDRED / (Decimal(den) + prior)
        sufficient = den >= ind.min_sample
        score = piecewise(adjusted, *bounds[ind.code]) if sufficient and adjusted is not None else None
        indicators[ind.code] = IndicatorResult(
            ind.code,
            Decimal(num),
            Decimal(den),
            None if value is None else value.quantize(Q4),
            None if adjusted is None else adjusted.quantize(Q4),
            score,
            ScoreFigure.Status.OK if sufficient else ScoreFigure.Status.INSUFFICIENT,
        )
        if score is not None:
            part_sums[ind.part].append((ind.weight, score))
    parts: dict[str, Decimal | None] = {}
    for part in PARTS:
        weighted = part_sums.get(part)
        if not weighted:
            parts[part] = None
            continue
        weights = sum(w for w, _ in weighted)
        parts[part] = (sum(w * s for w, s in weighted) / weights).quantize(Q2)
    present = [v for v in parts.values() if v is not None]
    total = None
    if len(present) >= MIN_PARTS_FOR_TOTAL and (recent.get("orders") or 0) >= MIN_ORDERS_FOR_TOTAL:
        total = (sum(PART_WEIGHT * v for v in present) / (PART_WEIGHT * len(present))).quantize(Q2)
    return MerchantResult(total, parts, indicators)


def warning_for(total: Decimal | None, previous: Decimal | None, parts: dict) -> tuple[Decimal | None, bool]:
    """(change against 7 days earlier, warning): a drop of ≥ 10 % in 7 days, or a part below 2.0 / 5."""
    change = None if total is None or previous is None else (total - previous).quantize(Q2)
    dropped = change is not None and previous > 0 and -change / previous >= WARNING_DROP
    weak_part = any(v is not None and v < WARNING_PART_BELOW for v in parts.values())
    return change, dropped or weak_part


# --- many merchants, set-based ------------------------------------------------------------------


def window_sums(day: date) -> dict[int, dict]:
    """Per merchant: {"recent": sums, "lagged": sums, "by_category": {category: recent orders}}. One query."""
    recent, lagged = rolling_window(WINDOW_DAYS, today=day), lagged_window(today=day)
    in_recent = Q(day__gte=recent.first_day, day__lte=recent.last_day)
    in_lagged = Q(day__gte=lagged.first_day, day__lte=lagged.last_day)
    aggregates = {}
    for name in DailyRollup.COUNTERS:
        aggregates[f"r__{name}"] = Sum(name, filter=in_recent)
        aggregates[f"l__{name}"] = Sum(name, filter=in_lagged)
    rows = (
        DailyRollup.objects.filter(day__gte=min(recent.first_day, lagged.first_day), day__lte=recent.last_day)
        .values("merchant_id", "category_id")
        .annotate(**aggregates)
        .order_by()
    )
    out: dict[int, dict] = {}
    for row in rows:
        m = out.setdefault(
            row["merchant_id"], {"recent": defaultdict(int), "lagged": defaultdict(int), "by_category": {}}
        )
        for key, value in row.items():
            if key.startswith("r__"):
                m["recent"][key[3:]] += value or 0
            elif key.startswith("l__"):
                m["lagged"][key[3:]] += value or 0
        m["by_category"][row["category_id"]] = (row["r__orders"] or 0, row["l__orders"] or 0)
    return out


def main_category(by_category: dict[int, tuple[int, int]]) -> int:
    """Most orders paid in the 90 days (then in the lagged window); ties: the lowest category id."""
    return min(by_category, key=lambda c: (-by_category[c][0], -by_category[c][1], c))


def category_rates(
    per_merchant: dict[int, dict], main: dict[int, int]
) -> dict[int, dict[str, Decimal | None]]:
    """Per category and rate indicator: the pooled share (Σ numerators / Σ denominators) of its merchants."""
    pooled: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for merchant_id, sums in per_merchant.items():
        for ind in INDICATORS:
            if ind.kind != RATE:
                continue
            window = sums["lagged" if ind.window == LAGGED else "recent"]
            acc = pooled[main[merchant_id]][ind.code]
            acc[0] += window.get(ind.numerator, 0)
            acc[1] += window.get(ind.denominator, 0)
    return {
        category: {code: (Decimal(n) / Decimal(d) if d else None) for code, (n, d) in codes.items()}
        for category, codes in pooled.items()
    }


def bounds_table() -> dict[int | None, dict[str, tuple[Decimal, Decimal]]]:
    table: dict[int | None, dict[str, tuple[Decimal, Decimal]]] = defaultdict(dict)
    for ind in INDICATORS:
        table[None][ind.code] = (ind.floor, ind.excellent)
    for category_id, code, floor, excellent in ScoreBound.objects.values_list(
        "category_id", "indicator", "floor", "excellent"
    ):
        if code in BY_CODE:
            table[category_id][code] = (floor, excellent)
    return table


def _bounds_for(table, category_id: int) -> dict[str, tuple[Decimal, Decimal]]:
    return {**table[None], **table.get(category_id, {})}


def scores_store(*, day: date, batch_size: int = 2000, progress=None) -> int:
    """Compute and store every merchant's row for `day`, in committed batches. Returns merchants scored."""
    now = timezone.now()
    per_merchant = window_sums(day)
    main = {m: main_category(s["by_category"]) for m, s in per_merchant.items()}
    pooled = category_rates(per_merchant, main)
    table = bounds_table()
    prior = prior_strength()
    previous = dict(
        MerchantScore.objects.filter(day=day - timedelta(days=7), total__isnull=False).values_list(
            "merchant_id", "total"
        )
    )
    merchant_ids = sorted(per_merchant)
    batches = [merchant_ids[i : i + batch_size] for i in range(0, len(merchant_ids), batch_size)]
    for batch in progress(batches) if progress else batches:
        rows, figures = [], []
        for merchant_id in batch:
            sums, category_id = per_merchant[merchant_id], main[merchant_id]
            result = score_merchant(
                recent=sums["recent"],
                lagged=sums["lagged"],
                bounds=_bounds_for(table, category_id),
                category_rates=pooled.get(category_id, {}),
                prior=prior,
            )
            change, warning = warning_for(result.total, previous.get(merchant_id), result.parts)
            rows.append(
                MerchantScore(
                    merchant_id=merchant_id,
                    day=day,
                    category_id=category_id,
                    orders=sums["recent"].get("orders", 0),
                    total=result.total,
                    change_7d=change,
                    warning=warning,
                    computed_at=now,
                    **result.parts,
                )
            )
            figures.append((merchant_id, category_id, result))
        with transaction.atomic():
            ScoreFigure.objects.filter(day=day, score_row__merchant_id__in=batch).delete()
            # Their figures are gone: a plain DELETE (no cascade collector reading them back).
            MerchantScore.objects.filter(day=day, merchant_id__in=batch)._raw_delete(MerchantScore.objects.db)
            MerchantScore.objects.bulk_create(rows)
            ids = dict(
                MerchantScore.objects.filter(day=day, merchant_id__in=batch).values_list("merchant_id", "pk")
            )
            _figures_insert(
                [
                    fig
                    for merchant_id, category_id, result in figures
                    for fig in _figures(ids[merchant_id], day, category_id, result)
                ]
            )
    # Merchants scored earlier on this day whose orders have all gone (never in practice): no stale row.
    stale = MerchantScore.objects.filter(day=day).exclude(merchant_id__in=merchant_ids)
    ScoreFigure.objects.filter(score_row__in=stale).delete()
    stale.delete()
    return len(merchant_ids)


FIGURE_COLUMNS = (
    "score_row_id", "day", "category_id", "in_peers", "code", "numerator", "denominator", "value", "adjusted",
    "score", "status",
)  # fmt: skip


def _figures(score_id: int, day: date, category_id: int, result: MerchantResult) -> list[tuple]:
    """The figure rows of one score row, as tuples in FIGURE_COLUMNS order (written by a plain INSERT:
    building 17 model instances per merchant costs more than the rest of the job)."""
    in_peers = result.total is not None
    ok, insufficient = ScoreFigure.Status.OK.value, ScoreFigure.Status.INSUFFICIENT.value
    head = (score_id, day, category_id, in_peers)
    out = [(*head, "total", None, None, None, None, result.total, ok if in_peers else insufficient)]
    for part in PARTS:
        value = result.parts[part]
        out.append((*head, part, None, None, None, None, value, ok if value is not None else insufficient))
    for code, ind in result.indicators.items():
        out.append(
            (*head, code, ind.numerator, ind.denominator, ind.value, ind.adjusted, ind.score, str(ind.status))
        )
    return out


def _figures_insert(rows: list[tuple]) -> None:
    if not rows:
        return
    ops, qn = connection.ops, connection.ops.quote_name
    fields = {name: ScoreFigure._meta.get_field(name.removesuffix("_id")) for name in FIGURE_COLUMNS}

    def adapt(name, value):
        if value is None:
            return None
        field = fields[name]
        if field.get_internal_type() == "DecimalField":
            return ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
        if field.get_internal_type() == "DateField":
            return ops.adapt_datefield_value(value)
        return value

    head = (
        f"INSERT INTO {qn(ScoreFigure._meta.db_table)} ({', '.join(qn(c) for c in FIGURE_COLUMNS)}) VALUES "
    )
    one = "(" + ", ".join(["%s"] * len(FIGURE_COLUMNS)) + ")"
    with connection.cursor() as cursor:
        # Multi-row INSERTs: one round trip per chunk, not per row (within the backend's parameter limit).
        size = min(1000, (connection.features.max_query_params or 11000) // len(FIGURE_COLUMNS))
        for start in range(0, len(rows), size):
            chunk = rows[start : start + size]
            params = [adapt(n, v) for row in chunk for n, v in zip(FIGURE_COLUMNS, row, strict=True)]
            cursor.execute(head + ", ".join([one] * len(chunk)), params)


PEERS_SQL = """
UPDATE {t} SET
    peer_count = s.n,
    peer_percentile = CASE WHEN s.n >= {min} THEN ROUND(100.0 * (2 * (s.rnk - 1) + s.ties) / (2 * s.n), 2) END,
    peer_decile = CASE WHEN s.n >= {min} THEN (10 * (2 * (s.rnk - 1) + s.ties)) / (2 * s.n) + 1 END,
    peer_mean = CASE WHEN s.n >= {min} THEN ROUND(s.mean, 2) END,
    peer_p90 = CASE WHEN s.n >= {min} THEN s.p90 END
FROM (
    SELECT w.id, w.rnk, w.ties, w.n, w.mean, p.p90
    FROM (
        SELECT id, category_id, code, score,
            RANK() OVER (PARTITION BY category_id, code ORDER BY score) AS rnk,
            COUNT(*) OVER (PARTITION BY category_id, code, score) AS ties,
            COUNT(*) OVER (PARTITION BY category_id, code) AS n,
            AVG(score) OVER (PARTITION BY category_id, code) AS mean,
            CUME_DIST() OVER (PARTITION BY category_id, code ORDER BY score) AS cd
        FROM {t}
        WHERE day = %s AND in_peers AND score IS NOT NULL
    ) AS w
    JOIN (
        SELECT category_id, code, MIN(score) AS p90
        FROM (
            SELECT category_id, code, score,
                CUME_DIST() OVER (PARTITION BY category_id, code ORDER BY score) AS cd
            FROM {t}
            WHERE day = %s AND in_peers AND score IS NOT NULL
        ) AS c
        WHERE cd >= 0.9
        GROUP BY category_id, code
    ) AS p ON p.category_id = w.category_id AND p.code = w.code
) AS s
WHERE {t}.id = s.id
"""


def peers_update(*, day: date) -> int:
    """Peer level (同行业水平) of every figure of `day`, in one statement: merchants of the same main
    category that have a total. "Better than X %" is the mid-rank percentile (ties count half), the
    decile band follows from it, the 90th percentile is the nearest rank. Hidden under 10 peers."""
    table = connection.ops.quote_name(ScoreFigure._meta.db_table)
    with transaction.atomic():
        ScoreFigure.objects.filter(day=day).update(
            peer_count=None, peer_percentile=None, peer_decile=None, peer_mean=None, peer_p90=None
        )
        with connection.cursor() as cursor:
            cursor.execute(PEERS_SQL.format(t=table, min=PEERS_MIN), [day, day])
            return cursor.rowcount


def score_day(*, day: date, progress=None, batch_size: int = 2000) -> ScoreRun:
    """The daily job for local day `day` (normally today in Asia/Shanghai): rollups, scores, peers."""
    now = timezone.now()
    run, _ = ScoreRun.objects.get_or_create(day=day, defaults={"started_at": now})
    ScoreRun.objects.filter(pk=run.pk).update(
        state=ScoreRun.State.RUNNING, started_at=now, attempts=run.attempts + 1, error=""
    )
    try:
        dirty = rollups_refresh(now=now)
        merchants = scores_store(day=day, progress=progress, batch_size=batch_size)
        peers_update(day=day)
    except Exception as exc:
        ScoreRun.objects.filter(pk=run.pk).update(state=ScoreRun.State.FAILED, error=repr(exc)[:2000])
        raise
    ScoreRun.objects.filter(pk=run.pk).update(
        state=ScoreRun.State.DONE, finished_at=timezone.now(), dirty_days=dirty, merchants=merchants
    )
    run.refresh_from_db()
    return run
