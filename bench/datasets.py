"""Set-based generators of realistic order facts in the project's own tables (PostgreSQL only).

Reusable by every benchmark that needs a marketplace's worth of orders:

    from bench.datasets import generate_marketplace, add_day, add_late_facts
    info = generate_marketplace(cursor, orders=10_000_000, merchants=20_000, days=120, end=end, seed=0.42)

Everything is INSERT … SELECT over generate_series (no Python loop over rows): merchants (one
product each, spread over the four seeded categories), orders with their facts already folded into
the Order columns (pickup, delivery, rating + DSR, refund with reason and staff intervention,
logistics exception, cancellation), help requests, one dispatch commitment (ship_48h) on every
second order and a breach for each broken one. Merchant activity is Zipf-like (a merchant's share
falls as a power of its rank), rates are of the order seen on marketplaces: 95 % picked up,
~40 % rated (shop ratings averaging ~4.8, ~4.3 for every 25th shop), 4 % refunded (staff intervening
in 1 % of refunds, 5 % for every 30th shop), 1.5 % logistics exceptions, 3 % help requests.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

SKEW = 2.5  # merchant index = N · u^SKEW: the first merchants are the busiest


@dataclass
class Marketplace:
    merchants: int
    first_merchant_id: int
    first_product_id: int
    categories: list[int]
    brand_id: int
    tag_id: int
    terms_version_id: int


def recreate_database(pg_url: str, name: str, *, template: str | None = None) -> None:
    """Drop the benchmark's own database (its sessions ended first) and create it again, empty or as a
    copy of `template`. Every benchmark script calls this before migrating."""
    import psycopg2  # the benchmarks' only direct driver use; Django is set up after this

    conn = psycopg2.connect(f"{pg_url}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    conn.close()


def _one(cursor, sql, params=()):
    cursor.execute(sql, params)
    return cursor.fetchone()


def create_merchants(cursor, *, merchants: int, prefix: str = "BM") -> Marketplace:
    cats = [
        r[0] for r in (cursor.execute("SELECT id FROM merchants_category ORDER BY id") or cursor.fetchall())
    ]
    brand_id = _one(
        cursor,
        "INSERT INTO merchants_brand (created_at, updated_at, name_zh, name_en, is_large_appliance) "
        "VALUES (now(), now(), '压测品牌', 'Bench brand', true) RETURNING id",
    )[0]
    cursor.execute(
        """
        INSERT INTO merchants_merchant (created_at, updated_at, name, name_en, shop_code, status, contact_email,
                                        main_category_id)
        SELECT now(), now(), '压测店铺' || g, 'Bench shop ' || g, %s || lpad(g::text, 7, '0'), 'active', '',
               (%s::bigint[])[1 + g %% %s]
        FROM generate_series(1, %s) AS g ORDER BY g
        """,
        [prefix, cats, len(cats), merchants],
    )
    first_merchant = _one(
        cursor, "SELECT min(id) FROM merchants_merchant WHERE shop_code LIKE %s", [prefix + "%"]
    )[0]
    cursor.execute(
        """
        INSERT INTO merchants_product (created_at, updated_at, title, price, is_bulky, brand_id, category_id,
                                       merchant_id)
        SELECT now(), now(), '商品 ' || m.id, 999, false, %s, m.main_category_id, m.id
        FROM merchants_merchant m WHERE m.id >= %s AND m.shop_code LIKE %s ORDER BY m.id
        """,
        [brand_id, first_merchant, prefix + "%"],
    )
    first_product = _one(
        cursor, "SELECT min(id) FROM merchants_product WHERE merchant_id >= %s", [first_merchant]
    )[0]
    tag_id, version_id = _one(
        cursor,
        "SELECT t.id, v.id FROM tags_tag t JOIN tags_tagtermsversion v ON v.tag_id = t.id "
        "WHERE t.code = 'ship_48h' ORDER BY v.id DESC LIMIT 1",
    )
    return Marketplace(merchants, first_merchant, first_product, cats, brand_id, tag_id, version_id)


def marketplace_of(cursor, *, prefix: str = "BM") -> Marketplace:
    """The Marketplace a previous ``create_merchants`` wrote (a copied benchmark database)."""
    first_merchant, merchants = _one(
        cursor, "SELECT min(id), count(*) FROM merchants_merchant WHERE shop_code LIKE %s", [prefix + "%"]
    )
    first_product, brand_id = _one(
        cursor,
        "SELECT min(id), min(brand_id) FROM merchants_product WHERE merchant_id >= %s",
        [first_merchant],
    )
    cats = [
        r[0] for r in (cursor.execute("SELECT id FROM merchants_category ORDER BY id") or cursor.fetchall())
    ]
    tag_id, version_id = _one(
        cursor,
        "SELECT t.id, v.id FROM tags_tag t JOIN tags_tagtermsversion v ON v.tag_id = t.id "
        "WHERE t.code = 'ship_48h' ORDER BY v.id DESC LIMIT 1",
    )
    return Marketplace(merchants, first_merchant, first_product, cats, brand_id, tag_id, version_id)


ORDERS_SQL = """
INSERT INTO commitments_order (
    created_at, updated_at, external_id, shopper_ref, quantity, paid_amount, shipping_fee, province, paid_at,
    carrier, brand_id, category_id, merchant_id, product_id, first_pickup_at, delivered_at, cancelled_at,
    logistics_exception_at, refund_requested_at, refunded_at, refund_reason, refund_staff_intervened,
    rated_at, rating_product, rating_described, rating_attitude, rating_logistics)
SELECT now(), now(), %(prefix)s || g, 's' || (g %% 100000), 1, 999, 0, '310000', paid_at,
    CASE WHEN picked THEN 'SF' ELSE '' END, %(brand)s, p.category_id, p.merchant_id, p.id,
    CASE WHEN picked THEN paid_at + (2 + r3 * 70) * interval '1 hour' END,
    CASE WHEN picked AND r4 < 0.93 THEN paid_at + (30 + r5 * 100) * interval '1 hour' END,
    CASE WHEN NOT picked AND r4 < 0.5 THEN paid_at + interval '1 hour' END,
    CASE WHEN r12 < 0.015 THEN paid_at + interval '2 days' END,
    CASE WHEN r8 < 0.04 THEN paid_at + interval '2 days' END,
    CASE WHEN r8 < 0.04 THEN paid_at + interval '2 days' + (1 + r9 * 60) * interval '1 hour' END,
    CASE WHEN r8 >= 0.04 THEN ''
         WHEN r10 < 0.3 THEN 'quality' WHEN r10 < 0.4 THEN 'not_as_described' WHEN r10 < 0.5 THEN 'logistics'
         WHEN r10 < 0.8 THEN 'changed_mind' ELSE 'other' END,
    r8 < 0.04 AND r11 < CASE WHEN p.merchant_id %% 30 = 0 THEN 0.05 ELSE 0.01 END,
    CASE WHEN r6 < 0.4 THEN paid_at + interval '6 days' END,
    CASE WHEN r6 < 0.4 THEN 1 + floor(4.999 * power(r7, 0.35))::int END,
    CASE WHEN r6 < 0.4 THEN 1 + floor(4.999 * power(r7, q.dsr))::int END,
    CASE WHEN r6 < 0.4 THEN 1 + floor(4.999 * power(r13, q.dsr * 0.8))::int END,
    CASE WHEN r6 < 0.4 THEN 1 + floor(4.999 * power(r14, q.dsr))::int END
FROM (
    SELECT g, %(start)s::timestamptz + random() * %(span)s * interval '1 second' AS paid_at,
        (%(first_product)s + floor(%(merchants)s * power(random(), %(skew)s)))::bigint AS product_id,
        random() < 0.95 AS picked, random() AS r3, random() AS r4, random() AS r5, random() AS r6,
        random() AS r7, random() AS r8, random() AS r9, random() AS r10, random() AS r11, random() AS r12,
        random() AS r13, random() AS r14
    FROM generate_series(%(first)s, %(last)s) AS g
) AS x JOIN merchants_product p ON p.id = x.product_id
-- Shop ratings (DSR): a mean of about 4.8 for most shops, about 4.3 for every 25th.
CROSS JOIN LATERAL (SELECT CASE WHEN p.merchant_id %% 25 = 0 THEN 0.30 ELSE 0.12 END AS dsr) AS q
"""


def add_orders(
    cursor, market: Marketplace, *, first: int, last: int, start: datetime, end: datetime, prefix="BO"
):
    """Orders numbered first..last, paid uniformly in [start, end), with their facts and side rows."""
    cursor.execute(
        ORDERS_SQL,
        {
            "prefix": prefix, "brand": market.brand_id, "start": start, "span": (end - start).total_seconds(),
            "first_product": market.first_product_id, "merchants": market.merchants, "skew": SKEW,
            "first": first, "last": last,
        },
    )  # fmt: skip
    first_id, last_id = _one(
        cursor,
        "SELECT min(id), max(id) FROM commitments_order WHERE external_id IN (%s, %s)",
        [f"{prefix}{first}", f"{prefix}{last}"],
    )
    _side_rows(cursor, market, first_id=first_id, last_id=last_id)
    return first_id, last_id


def _side_rows(cursor, market: Marketplace, *, first_id: int, last_id: int):
    cursor.execute(
        """
        INSERT INTO complaints_helprequest (external_id, scenario, requested_at, note, received_at, merchant_id,
                                            order_id)
        SELECT 'BH' || o.id,
               (ARRAY['urge_dispatch','urge_logistics','logistics_stalled','refund','invoice','other'])
                   [1 + floor(random() * 6)::int],
               o.paid_at + interval '1 day', '', now(), o.merchant_id, o.id
        FROM commitments_order o WHERE o.id BETWEEN %s AND %s AND random() < 0.03
        """,
        [first_id, last_id],
    )
    cursor.execute(
        """
        INSERT INTO commitments_commitment (created_at, updated_at, state, exemption_reason, exemption_reason_code,
                                            exemption_reason_params, merchant_id, tag_id, terms_version_id,
                                            order_id, deadline, resolved_at)
        SELECT now(), now(),
               CASE WHEN o.first_pickup_at <= o.paid_at + interval '48 hours' THEN 'met'
                    WHEN o.cancelled_at IS NOT NULL THEN 'exempted' ELSE 'breached' END,
               '', '', '{}'::jsonb, o.merchant_id, %s, %s, o.id, o.paid_at + interval '48 hours',
               o.paid_at + interval '48 hours'
        FROM commitments_order o WHERE o.id BETWEEN %s AND %s AND o.id %% 2 = 0
        """,
        [market.tag_id, market.terms_version_id, first_id, last_id],
    )
    cursor.execute(
        """
        INSERT INTO commitments_breach (created_at, updated_at, detected_at, source, detail, detail_code,
                                        detail_params, counts_in_metrics, merchant_id, commitment_id, severity,
                                        paid_level)
        SELECT now(), now(), c.deadline, CASE WHEN random() < 0.05 THEN 'complaint' ELSE 'event' END, '', '',
               '{}'::jsonb,
               random() > 0.02, c.merchant_id, c.id, 'late', ''
        FROM commitments_commitment c
        WHERE c.order_id BETWEEN %s AND %s AND c.state = 'breached'
        """,
        [first_id, last_id],
    )


def generate_marketplace(cursor, *, orders: int, merchants: int, days: int, end: datetime):
    """Merchants and `orders` orders paid over the `days` days before `end`, one statement per day: as in
    a live table, a day's orders are written together (ids and pages follow payment time)."""
    market = create_merchants(cursor, merchants=merchants)
    start = end - timedelta(days=days)
    first = 1
    for day in range(days):
        last = round(orders * (day + 1) / days)
        if last >= first:
            add_orders(
                cursor, market, first=first, last=last,
                start=start + timedelta(days=day), end=start + timedelta(days=day + 1),
            )  # fmt: skip
        first = last + 1
    rank_ratings(cursor)
    # The ranks are written by an UPDATE of every rated order: reclaim the old row versions before timing.
    cursor.execute("VACUUM ANALYZE commitments_order")
    cursor.execute("ANALYZE")
    return market


_HAS_DSR = (
    "(o.rating_described IS NOT NULL OR o.rating_attitude IS NOT NULL OR o.rating_logistics IS NOT NULL)"
)
_MONTH = "date_trunc('month', {t}.rated_at AT TIME ZONE 'Asia/Shanghai')"


def rank_ratings(cursor, order_ids: list[int] | None = None) -> int:
    """Fold in each DSR rating's rank as ingestion does (commitments.services.metrics.dsr_ranks_update):
    every rating (`order_ids` None), or those of the shopper × merchant × month groups of these orders,
    whose rating days are then marked for the rating rollup. Returns the ranks changed."""
    if order_ids is None:
        cursor.execute(
            f"""
            UPDATE commitments_order o SET dsr_rank = r.nth
            FROM (SELECT o.id, ROW_NUMBER() OVER (PARTITION BY o.merchant_id, o.shopper_ref, {_MONTH.format(t="o")}
                                                  ORDER BY o.rated_at, o.id) AS nth
                  FROM commitments_order o WHERE o.rated_at IS NOT NULL AND {_HAS_DSR}) r
            WHERE o.id = r.id
            """
        )
        return cursor.rowcount
    cursor.execute(
        f"""
        WITH g AS (
            SELECT DISTINCT o.merchant_id, o.shopper_ref, {_MONTH.format(t="o")} AS m
            FROM commitments_order o WHERE o.id = ANY(%(ids)s) AND o.rated_at IS NOT NULL
        ), r AS (
            SELECT o.id, ROW_NUMBER() OVER (PARTITION BY o.merchant_id, o.shopper_ref, g.m ORDER BY o.rated_at, o.id) AS nth
            FROM commitments_order o JOIN g ON o.merchant_id = g.merchant_id AND o.shopper_ref = g.shopper_ref
                AND o.rated_at >= g.m AT TIME ZONE 'Asia/Shanghai'
                AND o.rated_at < (g.m + interval '1 month') AT TIME ZONE 'Asia/Shanghai'
            WHERE {_HAS_DSR}
        ), changed AS (
            UPDATE commitments_order o SET dsr_rank = r.nth FROM r
            WHERE o.id = r.id AND o.dsr_rank IS DISTINCT FROM r.nth
            RETURNING o.merchant_id, o.rated_at
        )
        INSERT INTO commitments_ratingsdirtyday (merchant_id, day, marked_at)
        SELECT DISTINCT merchant_id, (rated_at AT TIME ZONE 'Asia/Shanghai')::date, now() - interval '1 hour'
        FROM (SELECT merchant_id, rated_at FROM changed
              UNION ALL SELECT merchant_id, rated_at FROM commitments_order
                        WHERE id = ANY(%(ids)s) AND rated_at IS NOT NULL) d
        ON CONFLICT (merchant_id, day) DO UPDATE SET marked_at = EXCLUDED.marked_at
        """,
        {"ids": order_ids},
    )
    return cursor.rowcount


def add_late_facts(
    cursor, *, since: datetime, until: datetime, share: float = 0.01
) -> tuple[list[int], list[int]]:
    """Ratings and refunds arriving late for a share of the orders paid in [since, until) that still lack
    one: returns (the orders changed, those among them newly rated)."""
    cursor.execute(
        """
        WITH pick AS (
            SELECT id, rated_at IS NULL AS newly_rated FROM commitments_order
            WHERE paid_at >= %(since)s AND paid_at < %(until)s AND random() < %(share)s
              AND (rated_at IS NULL OR (id %% 5 = 0 AND refunded_at IS NULL))
        )
        UPDATE commitments_order o SET
            rated_at = COALESCE(rated_at, %(until)s), rating_product = COALESCE(rating_product, 2),
            rating_logistics = COALESCE(rating_logistics, 1),
            refund_requested_at = CASE WHEN o.id %% 5 = 0 THEN COALESCE(refund_requested_at, %(until)s)
                                       ELSE refund_requested_at END,
            refunded_at = CASE WHEN o.id %% 5 = 0 THEN COALESCE(refunded_at, %(until)s + interval '3 hours')
                               ELSE refunded_at END,
            refund_reason = CASE WHEN o.id %% 5 = 0 AND refund_reason = '' THEN 'quality' ELSE refund_reason END
        FROM pick WHERE o.id = pick.id
        RETURNING o.id, pick.newly_rated
        """,
        {"since": since, "until": until, "share": share},
    )
    rows = cursor.fetchall()
    return [r[0] for r in rows], [r[0] for r in rows if r[1]]


def add_evaluation_facts(
    cursor, market: Marketplace, *, start: datetime, end: datetime, granted: datetime
) -> None:
    """What the monthly evaluation reads beyond the orders: every bench merchant holds the monitored tags
    of its category's badge (and the badge) since `granted`; upheld merchant-at-fault complaints on 1
    order in 1,000 paid in [start, end), and on 1 in 100 more for every 20th merchant (those fail)."""
    cursor.execute(
        """
        INSERT INTO tags_tagholding (merchant_id, category_id, tag_id, state, terms_version_id, config, granted_at,
                                     created_at, updated_at)
        SELECT m.id, m.main_category_id, t.id, 'active', t.current_terms_id, '{}'::jsonb, %s, now(), now()
        FROM merchants_merchant m
        JOIN tags_categorybadge b ON b.category_id = m.main_category_id
        JOIN tags_categorybadge_required_tags r ON r.categorybadge_id = b.id
        JOIN tags_tag t ON t.id = r.tag_id AND t.monitored
        WHERE m.id >= %s
        """,
        [granted, market.first_merchant_id],
    )
    cursor.execute(
        """
        INSERT INTO tags_badgeholding (merchant_id, badge_id, active, since, created_at, updated_at)
        SELECT m.id, b.id, true, %s, now(), now()
        FROM merchants_merchant m JOIN tags_categorybadge b ON b.category_id = m.main_category_id
        WHERE m.id >= %s
        """,
        [granted, market.first_merchant_id],
    )
    cursor.execute(
        """
        INSERT INTO complaints_complaint (external_id, order_id, merchant_id, standard_id, shopper_ref, text,
            claimed_amount, filed_at, state, urgent, due_at, due_fallback, response_text, response_lapsed,
            decided_at, responsibility, third_party_name, decision_reason, already_compensated, recovery,
            payout, counts_in_metrics, created_at, updated_at)
        SELECT 'BC' || o.id, o.id, o.merchant_id, (SELECT min(id) FROM complaints_servicestandard), o.shopper_ref,
               '压测', 0, o.paid_at + interval '1 hour', 'upheld', false, o.paid_at + interval '8 days', false, '',
               false, o.paid_at + interval '2 hours', 'merchant', '', '', false, 'none', 'none', true, now(), now()
        FROM commitments_order o
        WHERE o.paid_at >= %s AND o.paid_at < %s - interval '2 hours'
          AND (o.id %% 1000 = 0 OR (o.merchant_id %% 20 = 0 AND o.id %% 100 = 1))
        """,
        [start, end],
    )
    cursor.execute("ANALYZE")
