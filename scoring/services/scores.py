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
from django.utils import timezone

from core.bulk import copy_rows

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
from ..models import MerchantScore, ScoreBound, ScoreFigure, ScoreRun
from .rollups import rollups_refresh
from .windows import windows_for

HUNDRED = Decimal(100)
Q2, Q4 = Decimal("0.01"), Decimal("0.0001")


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
    """Compute every merchant's row for `day` and store it with its figures and their peer level.

    The rows are computed in memory (batches only pace the progress bar), then written in one
    transaction: the day's old rows go, the score rows and a staging table of figures are streamed in
    (COPY on PostgreSQL), and one INSERT … SELECT moves the figures into place with their peer level
    computed by window functions (``PEER_STATS``). Returns the number of merchants scored.
    """
    now = timezone.now()
    per_merchant = windows_for(day)
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
    rows, figures = [], []
    for batch in progress(batches) if progress else batches:
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
            parts = result.parts
            rows.append(
                (
                    merchant_id, day, category_id, sums["recent"].get("orders", 0), result.total,
                    parts["product"], parts["dispatch"], parts["logistics"], parts["basic_service"], change,
                    warning, now,
                )
            )  # fmt: skip
            figures.extend(_figures(merchant_id, category_id, result))
    qn = connection.ops.quote_name
    scores_t, figures_t = qn(MerchantScore._meta.db_table), qn(ScoreFigure._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL jit = off")  # compiling the window query costs more than it saves
            cursor.execute("SET LOCAL synchronous_commit = off")  # derived data: recomputed by a rerun
            cursor.execute(
                "SET LOCAL work_mem = '128MB'"
            )  # the peer grouping hashes 340,000 figures in memory
            # The figures find their peer level by hashing the few thousand distinct scores; the planner
            # would otherwise sort all 340,000 figures on three columns for a merge join.
            cursor.execute("SET LOCAL enable_mergejoin = off")
        cursor.execute(
            f"DELETE FROM {figures_t} WHERE score_row_id IN (SELECT id FROM {scores_t} WHERE day = %s)", [day]
        )
        cursor.execute(f"DELETE FROM {scores_t} WHERE day = %s", [day])
        copy_rows(MerchantScore._meta.db_table, SCORE_COLUMNS, rows)
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        cursor.execute(f"CREATE TEMPORARY TABLE {STAGE} ({STAGE_DDL})")
        copy_rows(STAGE, STAGE_COLUMNS, [(i, *fig) for i, fig in enumerate(figures)])
        values = ", ".join(f"f.{c}" for c in STAGE_COLUMNS[3:])
        cursor.execute(
            f"INSERT INTO {figures_t} (score_row_id, day, category_id, {', '.join(STAGE_COLUMNS[3:])}, "
            "peer_count, peer_percentile, peer_decile, peer_mean, peer_p90) "
            f"SELECT s.id, s.day, f.category_id, {values}, p.n, p.percentile, p.decile, p.mean, p.p90 "
            f"FROM {STAGE} f JOIN {scores_t} s ON s.merchant_id = f.merchant_id AND s.day = %s "
            f"LEFT JOIN ({_peer_stats(src=STAGE, where='TRUE')}) p ON {PEER_MATCH.format(f='f', p='p')}",
            [day],
        )
        cursor.execute(f"DROP TABLE {STAGE}")
    return len(merchant_ids)


SCORE_COLUMNS = [
    "merchant_id", "day", "category_id", "orders", "total", "product", "dispatch", "logistics", "basic_service",
    "change_7d", "warning", "computed_at",
]  # fmt: skip
STAGE = "scoring_figure_stage"
STAGE_COLUMNS = [
    "sid", "merchant_id", "category_id", "in_peers", "code", "numerator", "denominator", "value", "adjusted",
    "score", "status",
]  # fmt: skip
STAGE_DDL = (
    "sid integer NOT NULL, merchant_id bigint NOT NULL, category_id bigint NOT NULL, in_peers boolean NOT NULL, "
    "code varchar(32) NOT NULL, numerator numeric(20, 4), denominator numeric(20, 4), value numeric(12, 4), "
    "adjusted numeric(12, 4), score numeric(5, 2), status varchar(12) NOT NULL"
)


def _figures(merchant_id: int, category_id: int, result: MerchantResult) -> list[tuple]:
    """The figure rows of one merchant, as tuples in STAGE_COLUMNS order without `sid` (written by COPY:
    building 17 model instances per merchant costs more than the rest of the job)."""
    in_peers = result.total is not None
    ok, insufficient = ScoreFigure.Status.OK.value, ScoreFigure.Status.INSUFFICIENT.value
    head = (merchant_id, category_id, in_peers)
    out = [(*head, "total", None, None, None, None, result.total, ok if in_peers else insufficient)]
    for part in PARTS:
        value = result.parts[part]
        out.append((*head, part, None, None, None, None, value, ok if value is not None else insufficient))
    for code, ind in result.indicators.items():
        out.append(
            (*head, code, ind.numerator, ind.denominator, ind.value, ind.adjusted, ind.score, str(ind.status))
        )
    return out


# The peer level of every figure in `src` that has a score and whose merchant has a total, partitioned by
# category and code: "better than X %" is the mid-rank percentile (ties count half), the decile band
# follows from it, the 90th percentile is the nearest rank (the lowest score whose cumulative share
# reaches 90 %); all hidden under `min` peers. The figures are first counted per distinct score (`k`:
# a day's 340,000 figures share far fewer scores), then one sorted pass per (category, code) partition
# gives each score the figures below it, the partition's size and sum: one row per (category, code,
# score), joined back to the figures on those three columns.
PEER_STATS = """
SELECT g.category_id, g.code, g.score, g.n,
    CASE WHEN g.n >= {min} THEN ROUND(100.0 * (2 * g.below + g.k) / (2 * g.n), 2) END AS percentile,
    CASE WHEN g.n >= {min} THEN (10 * (2 * g.below + g.k)) / (2 * g.n) + 1 END AS decile,
    CASE WHEN g.n >= {min} THEN ROUND(1.0 * g.total / g.n, 2) END AS mean,
    CASE WHEN g.n >= {min} THEN g.p90 END AS p90
FROM (
    SELECT r.*, MIN(r.score) FILTER (WHERE r.cd >= 0.9) OVER (PARTITION BY r.category_id, r.code) AS p90
    FROM (
        SELECT d.category_id, d.code, d.score, d.k,
            CAST(SUM(d.k) OVER sorted - d.k AS bigint) AS below,
            CAST(SUM(d.k) OVER peers AS bigint) AS n,
            SUM(d.score * d.k) OVER peers AS total,
            CAST(SUM(d.k) OVER sorted AS double precision) / CAST(SUM(d.k) OVER peers AS double precision) AS cd
        FROM (
            SELECT category_id, code, score, COUNT(*) AS k FROM {src}
            WHERE {where} AND in_peers AND score IS NOT NULL
            GROUP BY category_id, code, score
        ) AS d
        WINDOW peers AS (PARTITION BY d.category_id, d.code),
            sorted AS (PARTITION BY d.category_id, d.code ORDER BY d.score)
    ) AS r
) AS g
"""
# How a figure row `f` finds its peer level `p` (only a figure in peers with a score has one).
PEER_MATCH = (
    "{f}.in_peers AND {p}.category_id = {f}.category_id AND {p}.code = {f}.code AND {p}.score = {f}.score"
)


def _peer_stats(*, src: str, where: str) -> str:
    return PEER_STATS.format(src=src, where=where, min=PEERS_MIN)


def peers_update(*, day: date) -> int:
    """Recompute the peer level (同行业水平) of every figure of `day` in place, in one statement (the
    daily job computes it as it writes the figures; this is for figures written another way)."""
    table = connection.ops.quote_name(ScoreFigure._meta.db_table)
    stats = _peer_stats(src=table, where="day = %s")
    with transaction.atomic():
        ScoreFigure.objects.filter(day=day).update(
            peer_count=None, peer_percentile=None, peer_decile=None, peer_mean=None, peer_p90=None
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET peer_count = s.n, peer_percentile = s.percentile, peer_decile = s.decile, "
                f"peer_mean = s.mean, peer_p90 = s.p90 FROM ({stats}) AS s "
                f"WHERE {table}.day = %s AND {PEER_MATCH.format(f=table, p='s')}",
                [day, day],
            )
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
    except Exception as exc:
        ScoreRun.objects.filter(pk=run.pk).update(state=ScoreRun.State.FAILED, error=repr(exc)[:2000])
        raise
    ScoreRun.objects.filter(pk=run.pk).update(
        state=ScoreRun.State.DONE, finished_at=timezone.now(), dirty_days=dirty, merchants=merchants
    )
    run.refresh_from_db()
    return run
