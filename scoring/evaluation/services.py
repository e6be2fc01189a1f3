"""Writes of the monthly evaluation (SPEC §8): the rules, a month's run, the outcomes, re-evaluations.

A run has two steps, each safe to repeat:

1. **compute** (state `computing`): the figures and the judgement of every evaluated holding computed
   and stored by one ``INSERT … SELECT`` (``metrics.month_results_sql``: no result passes through
   Python), in one transaction that holds the run row's lock and moves the run to `applying`: a crash
   before the commit leaves nothing, a second run of the month waits on the lock and then finds the
   results stored;
2. **apply** (state `applying`): the pending results in batches, each batch one transaction (passing
   active holdings were stored as `kept` and are not pending); the few that change go through the tag
   holding services (revoke with the badge cascade, restore, bar), which lock the merchant row, write
   history and audit, and refresh the public badge cache after commit. A result is marked applied
   in the same transaction as its holding change, so a crash resumes exactly where it stopped. On
   PostgreSQL, EVALUATION_APPLY_WORKERS batches are applied at once, each on its own connection.

A completed run is never evaluated again: rerunning a month is a no-op. An appeal decided against
the merchant re-evaluates that merchant's month (`evaluation_reevaluate`).
"""

import json
import logging
import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from operator import itemgetter
from types import SimpleNamespace

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from commitments.models import BreachAppeal
from complaints.models import Appeal
from core.audit import audit_record
from core.bulk import json_text
from core.calendar import first_working_day_of_month, local_date
from core.errors import ApplicationError
from core.singletons import settings_update
from merchants.services import notice_create, notices_create
from tags.models import TagHolding
from tags.services import (
    BAR,
    RESTORE,
    REVOKE,
    HoldingChange,
    holding_bar,
    holding_revoke,
    holdings_change_many,
)

from .. import hooks
from ..models import EvaluationExclusion, EvaluationResult, EvaluationRules, EvaluationRun, EvaluationSettings
from ..services.rollups import rollups_refresh
from .metrics import (
    METRICS,
    Exclusion,
    HoldingKey,
    add_months,
    month_exclusions,
    month_results,
    month_results_sql,
    plan_settings,
)
from .notices import notice_params
from .selectors import evaluation_settings
from .texts import evaluation_text

logger = logging.getLogger(__name__)

# Results applied per transaction. Each batch locks its merchants and holdings for its length (well
# under a second at this size) and has a fixed cost of ~25 statements, a commit and a cache refresh:
# 5,000 instead of 2,000 took 0.17 s off the 8,689 revocations of the 10M benchmark.
BATCH = 5000
ACTIVE = TagHolding.State.ACTIVE
RECTIFYING = TagHolding.State.RECTIFYING
Action = EvaluationResult.Action
Outcome = EvaluationResult.Outcome


# --- the rules ------------------------------------------------------------------------------------


def evaluation_settings_update(*, actor=None, **changes) -> EvaluationSettings:
    """Set some of the numbers (core.singletons.settings_update: validated, row-locked, audited, the
    cached snapshot dropped); a change that alters a value also bumps the rule version."""
    if "rule_version" in changes:
        raise ApplicationError(
            "the rule version is set by the evaluation itself", fields={"rule_version": ["not editable"]}
        )
    with transaction.atomic():
        before = EvaluationSettings.current().snapshot()
        row = settings_update(EvaluationSettings, actor=actor, **changes)
        if row.snapshot() != before:
            EvaluationSettings.objects.filter(pk=row.pk).update(rule_version=F("rule_version") + 1)
            row.refresh_from_db(fields=["rule_version"])
            EvaluationSettings.forget_snapshot()
            audit_record(
                actor=actor,
                verb="evaluation_settings.rule_version",
                target=row,
                data={"rule_version": [str(before.rule_version), str(row.rule_version)]},
            )
    return row


# --- computing ------------------------------------------------------------------------------------


@dataclass
class Draft:
    """A result before it is stored (a dry run shows these)."""

    key: HoldingKey
    orders: int
    fault: int
    excluded: int
    disputes: int
    dsr_points: int
    dsr_items: int
    dsr_ratings: int
    on_counts: bool
    fault_result: str
    dsr_result: str
    dispute_result: str
    outcome: str
    failed_metrics: list[str]

    def figures(self) -> dict:
        return {
            "orders": self.orders,
            "on_counts": self.on_counts,
            "fault_numerator": self.fault,
            "fault_denominator": self.orders,
            "fault_result": self.fault_result,
            "dsr_numerator": self.dsr_points,
            "dsr_denominator": self.dsr_items,
            "dsr_ratings": self.dsr_ratings,
            "dsr_result": self.dsr_result,
            "dispute_numerator": self.disputes,
            "dispute_denominator": self.orders,
            "dispute_result": self.dispute_result,
            "excluded_complaints": self.excluded,
            "outcome": self.outcome,
            "failed_metrics": self.failed_metrics,
        }


@dataclass
class Computed:
    drafts: list[Draft]
    exclusions: list[Exclusion]
    rules: EvaluationRules


def evaluation_compute(*, period: date, merchant_ids=None, rules: EvaluationRules | None = None) -> Computed:
    """The month's results, nothing of the evaluation written (the dry run, a re-evaluation). The
    rollups it reads are brought up to date first, as the daily job does (derived from the facts)."""
    rollups_refresh()
    rules = rules or evaluation_settings()
    rows = month_results(period=period, rules=rules, merchant_ids=merchant_ids)
    # Sorted here (merchant, category, tag): the database would spill 50,000 rows to disk to sort them.
    rows.sort(key=itemgetter(1, 2, 3))
    make = HoldingKey._make
    drafts = []
    for row in rows:
        (orders, fault, excluded, disputes, points, items, ratings, on_counts, fault_result, dsr_result,
         dispute_result, outcome, failed) = row[5:]  # fmt: skip
        drafts.append(
            Draft(
                make(row[:5]),
                orders,
                fault,
                excluded,
                disputes,
                points,
                items,
                ratings,
                bool(on_counts),
                fault_result,
                dsr_result,
                dispute_result,
                outcome,
                _failed_list(failed),
            )  # fmt: skip
        )
    return Computed(drafts, month_exclusions(period=period, merchant_ids=merchant_ids), rules)


@cache
def _failed_list(text) -> list[str]:
    """The failed metrics' JSON (one of eight texts, a list on backends that decode JSON) as a list."""
    return json.loads(text) if isinstance(text, str) else list(text)


def _json(sql: str) -> str:
    """`sql` (JSON text) as a value of a JSON column."""
    return f"CAST({sql} AS jsonb)" if connection.vendor == "postgresql" else sql


def _store(run: EvaluationRun, rules: EvaluationRules) -> int:
    """The month's results computed and inserted by ONE statement (``month_results_sql``: no row passes
    through Python). A passing active tag needs nothing applied: stored as kept at once. The caller
    holds the run row's lock in the state `computing`, so no other run of the month can have stored
    any. Then the complaints and breaches left out. Returns the number of results."""
    qn = connection.ops.quote_name
    month_sql, month_params = month_results_sql(period=run.period, rules=rules)
    kept = f"m.outcome = '{Outcome.PASSED.value}' AND m.state = '{ACTIVE.value}'"
    select = {
        "run_id": "%s", "period": "%s", "merchant_id": "m.merchant_id", "category_id": "m.category_id",
        "tag_id": "m.tag_id", "holding_id": "m.holding_id", "state_before": "m.state", "orders": "m.orders",
        "on_counts": "m.on_counts", "fault_numerator": "m.fault", "fault_denominator": "m.orders",
        "fault_result": "m.fault_result", "dsr_numerator": "m.dsr_points", "dsr_denominator": "m.dsr_items",
        "dsr_ratings": "m.dsr_ratings", "dsr_result": "m.dsr_result", "dispute_numerator": "m.disputes",
        "dispute_denominator": "m.orders", "dispute_result": "m.dispute_result",
        "excluded_complaints": "m.excluded", "thresholds": _json("%s"), "rule_version": "%s",
        "outcome": "m.outcome", "failed_metrics": _json("m.failed_metrics"),
        "action": f"CASE WHEN {kept} THEN '{Action.KEPT.value}' ELSE '{Action.PENDING.value}' END",
        "revision": "1", "applied_at": f"CASE WHEN {kept} THEN %s END",
    }  # fmt: skip
    ops = connection.ops
    params = [
        run.pk,
        ops.adapt_datefield_value(run.period),
        json_text(rules.thresholds()),
        rules.rule_version,
        ops.adapt_datetimefield_value(timezone.now()),
        *month_params,
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Lost with a crash of the server at most: the run is then still `computing` and computes again.
            cursor.execute("SET LOCAL synchronous_commit = off")
        plan_settings(cursor)
        cursor.execute(
            f"INSERT INTO {qn(EvaluationResult._meta.db_table)} ({', '.join(qn(c) for c in select)}) "
            f"SELECT {', '.join(select.values())} FROM ({month_sql}) m",
            params,
        )
        stored = cursor.rowcount
    exclusions = [
        EvaluationExclusion(
            run=run,
            period=run.period,
            merchant_id=item.merchant_id,
            kind=item.kind,
            complaint_id=item.object_id if item.kind == "complaint" else None,
            breach_id=item.object_id if item.kind == "breach" else None,
            order_external_id=item.order_external_id,
        )
        for item in month_exclusions(period=run.period)
    ]
    EvaluationExclusion.objects.bulk_create(exclusions, ignore_conflicts=True)
    return stored


# --- running a month ------------------------------------------------------------------------------


def evaluation_run(
    *,
    period: date,
    trigger: str = EvaluationRun.Trigger.SCHEDULE,
    actor=None,
    progress: Callable[[int, int], None] | None = None,
    crash_after: int | None = None,
) -> EvaluationRun:
    """Evaluate the calendar month starting at `period` for every merchant; safe to call again.

    `crash_after` (tests only) raises after that many applied batches, to prove a run resumes.
    """
    period = period.replace(day=1)
    rules = evaluation_settings()
    run, created = EvaluationRun.objects.get_or_create(
        period=period,
        defaults={
            "trigger": trigger,
            "rule_version": rules.rule_version,
            "thresholds": rules.thresholds(),
            "started_at": timezone.now(),
        },
    )
    if run.state == EvaluationRun.State.COMPLETED:
        return run
    if created:
        audit_record(actor=actor, verb="evaluation.run_started", target=run, data={"month": run.month})
    if run.state == EvaluationRun.State.COMPUTING:
        with transaction.atomic():
            # Locked: a second run of the month waits here, then finds the results stored.
            state = EvaluationRun.objects.select_for_update().values_list("state", flat=True).get(pk=run.pk)
            if state == EvaluationRun.State.COMPUTING:
                # A resumed run keeps the rules it started with.
                rules = EvaluationRules(rule_version=run.rule_version, **_rules_from(run.thresholds))
                rollups_refresh()
                _store(run, rules)
                EvaluationRun.objects.filter(pk=run.pk).update(
                    state=EvaluationRun.State.APPLYING, computed_at=timezone.now()
                )
        run.refresh_from_db()
    _apply_pending(run, actor=actor, progress=progress, crash_after=crash_after)
    _finish(run, actor=actor)
    return run


def _rules_from(thresholds: dict) -> dict:
    values = dict(thresholds)
    for name in ("fault_rate_fail_percent", "dsr_fail_below", "dispute_rate_fail_percent"):
        values[name] = Decimal(values[name])
    return values


def _apply_pending(run: EvaluationRun, *, actor, progress, crash_after: int | None) -> None:
    total = run.results.count()
    workers = _workers(crash_after)
    batches = _batches(run, workers=workers)
    done = total - sum(map(len, batches))
    if progress:
        progress(done, total)
    if len(batches) > 1 and workers > 1:
        # Each batch in its own thread, connection and transaction: a batch waits on the database for
        # about half its time, which the other batch's Python fills. The batches hold different
        # merchants (cut in merchant order), so they seldom wait on each other's locks; when they
        # do, merchants are locked in pk order and the later batch waits its turn.
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="evaluation") as pool:
            for applied in pool.map(lambda pks: _apply_in_worker(run, pks, actor=actor), batches):
                done += applied
                if progress:
                    progress(done, total)
        return
    for number, pks in enumerate(batches, 1):
        with transaction.atomic():
            _apply_batch(run, _pending_batch(run, pks), actor=actor)
        done += len(pks)
        if progress:
            progress(done, total)
        if crash_after is not None and number >= crash_after:
            raise RuntimeError("simulated crash")


def _workers(crash_after: int | None) -> int:
    """How many batches are applied at once: EVALUATION_APPLY_WORKERS on PostgreSQL outside a
    transaction (the workers' connections would not see what an enclosing transaction wrote), else 1
    (SQLite writes one transaction at a time; a simulated crash counts batches in order)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block or crash_after is not None:
        return 1
    return max(1, settings.EVALUATION_APPLY_WORKERS)


def _batches(run: EvaluationRun, *, workers: int) -> list[list[int]]:
    """The pending results' ids in batches of at most BATCH, in merchant order (a merchant's results
    are together, so batches applied at once seldom share a merchant); with several workers, at least
    two batches per worker, so that their database waits and Python interleave."""
    ids = list(
        run.results.filter(action=Action.PENDING).order_by("merchant_id", "pk").values_list("pk", flat=True)
    )
    size = BATCH if workers == 1 else max(1, min(BATCH, math.ceil(len(ids) / (2 * workers))))
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def _apply_in_worker(run: EvaluationRun, pks: list[int], *, actor) -> int:
    """One batch in a worker thread, on the thread's own connection, closed afterwards."""
    try:
        with transaction.atomic():
            _apply_batch(run, _pending_batch(run, pks), actor=actor)
        return len(pks)
    finally:
        connection.close()


_PENDING_FIELDS = (
    "pk", "period", "merchant_id", "holding_id", "state_before", "orders", "on_counts", "fault_numerator",
    "fault_denominator", "dsr_numerator", "dsr_denominator", "dispute_numerator", "dispute_denominator",
    "outcome", "failed_metrics", "action", "action_until", "revision",
)  # fmt: skip


class _Pending(SimpleNamespace):
    """A pending result as ``_apply_batch`` and ``notice_params`` read it (the attributes of an
    EvaluationResult with its tag and category, and its `month` "YYYY-MM"), without a model instance
    per result."""


def _pending_batch(run: EvaluationRun, pks: list[int]) -> list[_Pending]:
    """The results `pks` of the run still pending (by pk), in one query. The thresholds are the run's
    own (every result of a run is stored with them)."""
    names = ("code", "name_zh", "name_en")
    rows = (
        run.results.filter(action=Action.PENDING, pk__any_of=pks)
        .order_by("pk")
        .values_list(*_PENDING_FIELDS, *(f"tag__{n}" for n in names), *(f"category__{n}" for n in names))
    )
    width = len(_PENDING_FIELDS)
    month = f"{run.period:%Y-%m}"  # every result of a run is of its month
    named: dict[tuple, SimpleNamespace] = {}  # a batch names a few tags and categories: each made once

    def name(values: tuple) -> SimpleNamespace:
        if values not in named:
            named[values] = SimpleNamespace(**dict(zip(names, values, strict=True)))
        return named[values]

    return [
        _Pending(
            **dict(zip(_PENDING_FIELDS, row[:width], strict=True)),
            month=month,
            thresholds=run.thresholds,
            tag=name(row[width : width + 3]),
            category=name(row[width + 3 :]),
        )
        for row in rows
    ]


def _apply_batch(run: EvaluationRun, batch: list[_Pending], *, actor) -> None:
    """Act on a batch of results in a fixed number of queries: the results still pending are locked,
    every holding move goes through ``tags.services.holdings_change_many`` in one call, the results are
    marked by grouped UPDATEs, notices are written in one batch and the failed metrics reported to the
    courses after commit. A holding that moved meanwhile is skipped."""
    now = timezone.now()
    # Locked by primary key, the action checked here: a filter on it in SQL would lead the planner to
    # scan every pending result of the run (the partial index) for each batch.
    pending = {
        pk
        for pk, action in EvaluationResult.objects.select_for_update()
        .filter(pk__any_of=[r.pk for r in batch])
        .values_list("pk", "action")
        if action == Action.PENDING
    }
    batch = [r for r in batch if r.pk in pending]
    current = dict(
        TagHolding.objects.filter(pk__any_of=[r.holding_id for r in batch]).values_list("pk", "state")
    )
    decided: dict[int, tuple[str, date | None]] = {}
    changes: list[HoldingChange] = []
    for result in batch:
        action, until, change = _decide(result, state_now=current.get(result.holding_id))
        decided[result.pk] = (action, until)
        if change is not None:
            changes.append(change)
    applied = holdings_change_many(changes, actor=actor)
    groups: dict[tuple[str, date | None], list[int]] = {}
    for result in batch:
        action, until = decided[result.pk]
        if action in MOVES and not applied.get(result.holding_id):
            action, until = Action.SKIPPED, None  # the holding moved between our read and its lock
        result.action, result.action_until = action, until
        groups.setdefault((action, until), []).append(result.pk)
    for (action, until), pks in groups.items():  # still pending: locked above
        EvaluationResult.objects.filter(pk__any_of=pks).update(
            action=action, action_until=until, applied_at=now
        )
    notices_create(
        [
            (r.merchant_id, _notice_key(r), f"evaluation.{r.action}", notice_params(r))
            for r in batch
            if r.action in MOVES
        ],
        now=now,
    )
    failed = [
        (r.merchant_id, code, r.month)
        for r in batch
        if r.outcome == Outcome.FAILED
        for code in r.failed_metrics
    ]
    if failed:
        transaction.on_commit(lambda: hooks.metrics_failed(failed))


MOVES = (Action.REVOKED, Action.RESTORED, Action.BARRED)


def _decide(result: EvaluationResult, *, state_now) -> tuple[str, date | None, HoldingChange | None]:
    """What a result does to its holding: (action, until, the holding move or None)."""
    if state_now != result.state_before:
        return Action.SKIPPED, None, None
    if result.state_before == ACTIVE and result.outcome == Outcome.FAILED:
        until = add_months(result.period, 1)
        reason = evaluation_text("evaluation.failed", result.month, result.failed_metrics)
        return Action.REVOKED, until, HoldingChange(result.holding_id, REVOKE, reason, until)
    if result.state_before == RECTIFYING and result.outcome == Outcome.PASSED:
        reason = evaluation_text("evaluation.rectification_passed", result.month)
        return Action.RESTORED, None, HoldingChange(result.holding_id, RESTORE, reason)
    if result.state_before == RECTIFYING and result.outcome == Outcome.FAILED:
        until = add_months(result.period, 1 + int(result.thresholds.get("bar_months", 3)))
        reason = evaluation_text("evaluation.rectification_failed", result.month, result.failed_metrics)
        return Action.BARRED, until, HoldingChange(result.holding_id, BAR, reason, until)
    if result.outcome == Outcome.PASSED:
        return Action.KEPT, None, None
    return Action.SKIPPED, None, None


def _notice_key(result: EvaluationResult) -> str:
    return f"evaluation:{result.pk}:{result.action}:{result.revision}"


def _notify(result: EvaluationResult) -> None:
    notice_create(
        merchant_id=result.merchant_id,
        key=_notice_key(result),
        code=f"evaluation.{result.action}",
        params=notice_params(result),
    )


def _finish(run: EvaluationRun, *, actor) -> None:
    counts = run.results.aggregate(
        evaluated=Count("pk"),
        passed=Count("pk", filter=Q(outcome=Outcome.PASSED)),
        failed=Count("pk", filter=Q(outcome=Outcome.FAILED)),
        revoked=Count("pk", filter=Q(action=Action.REVOKED)),
        restored=Count("pk", filter=Q(action=Action.RESTORED)),
        barred=Count("pk", filter=Q(action=Action.BARRED)),
    )
    counts["excluded"] = run.exclusions.count()
    with transaction.atomic():
        updated = EvaluationRun.objects.filter(pk=run.pk, state=EvaluationRun.State.APPLYING).update(
            state=EvaluationRun.State.COMPLETED, finished_at=timezone.now(), **counts
        )
        if updated:
            audit_record(
                actor=actor, verb="evaluation.run_completed", target=run, data={"month": run.month, **counts}
            )
    run.refresh_from_db()


# --- the schedule ---------------------------------------------------------------------------------


def evaluation_due_months(*, today: date, catch_up: int = 3) -> list[date]:
    """The months the daily job should evaluate today, oldest first.

    Month M is due from the 1st PRC working day of M+1 (core.calendar, 调休 included). A missed day
    is caught up the next time the job runs; months after the latest run that were missed too are
    evaluated in order (at most `catch_up` of them); with no run at all, only the last month.
    """
    this_month = today.replace(day=1)
    last = add_months(this_month, -1)
    if today < first_working_day_of_month(this_month.year, this_month.month).day:
        last = add_months(last, -1)
    latest = EvaluationRun.objects.order_by("-period").values_list("period", "state").first()
    if latest is None:
        return [last]
    latest_period, latest_state = latest
    unfinished = [] if latest_state == EvaluationRun.State.COMPLETED else [latest_period]
    missed = []
    month = add_months(latest_period, 1)
    while month <= last:
        missed.append(month)
        month = add_months(month, 1)
    return unfinished + missed[-catch_up:]


def evaluation_daily(*, now=None) -> list[str]:
    """The beat's daily entry: evaluate every due month in order. Returns the months run."""
    today = local_date(now or timezone.now())
    done = []
    for period in evaluation_due_months(today=today):
        evaluation_run(period=period, trigger=EvaluationRun.Trigger.SCHEDULE)
        done.append(f"{period:%Y-%m}")
    return done


# --- appeals decided after the cut-off --------------------------------------------------------------


def evaluation_appeals_reconcile(*, now=None) -> int:
    """Record the decisions of appeals that were open at an evaluation's cut-off; re-evaluate each
    merchant × month with a decision against the merchant. Returns how many months were re-evaluated."""
    now = now or timezone.now()
    open_items = list(
        EvaluationExclusion.objects.filter(decided_at__isnull=True).values_list(
            "pk", "kind", "complaint_id", "breach_id"
        )
    )
    if not open_items:
        return 0
    complaint_states = dict(
        Appeal.objects.filter(complaint_id__in=[c for _pk, _k, c, _b in open_items if c]).values_list(
            "complaint_id", "state"
        )
    )
    breach_states = dict(
        BreachAppeal.objects.filter(breach_id__in=[b for _pk, _k, _c, b in open_items if b]).values_list(
            "breach_id", "state"
        )
    )
    for pk, kind, complaint_id, breach_id in open_items:
        if kind == EvaluationExclusion.Kind.COMPLAINT:
            state = complaint_states.get(complaint_id)
            decided, against = (
                state in (Appeal.State.UPHELD, Appeal.State.REJECTED),
                state == Appeal.State.REJECTED,
            )
        else:
            state = breach_states.get(breach_id)
            decided = state in (BreachAppeal.State.UPHELD, BreachAppeal.State.REJECTED)
            against = state == BreachAppeal.State.REJECTED
        if decided:
            EvaluationExclusion.objects.filter(pk=pk, decided_at__isnull=True).update(
                decided_at=now, against_merchant=against
            )
    pending = (
        EvaluationExclusion.objects.filter(against_merchant=True, reevaluated_at__isnull=True)
        .values_list("period", "merchant_id")
        .distinct()
    )
    count = 0
    for period, merchant_id in sorted(set(pending)):
        evaluation_reevaluate(period=period, merchant_id=merchant_id, now=now)
        count += 1
    return count


def evaluation_reevaluate(*, period: date, merchant_id: int, actor=None, now=None) -> list[EvaluationResult]:
    """Evaluate one merchant's month again (an appeal was decided against it) and apply what changed.

    Results whose outcome is the same only get the new figures. A pass that becomes a fail acts as
    the run would have: an active holding is revoked (rectification: the month after the evaluated
    one, or the current month if that is already past), a restored one is barred. Returns the
    results that changed outcome.
    """
    now = now or timezone.now()
    run = EvaluationRun.objects.filter(period=period, state=EvaluationRun.State.COMPLETED).first()
    if run is None:
        raise ApplicationError("this month has not been evaluated yet", fields={"month": [f"{period:%Y-%m}"]})
    rules = EvaluationRules(rule_version=run.rule_version, **_rules_from(run.thresholds))
    stored = {
        r.holding_id: r for r in run.results.filter(merchant_id=merchant_id).select_related("tag", "category")
    }
    computed = evaluation_compute(period=period, merchant_ids=[merchant_id], rules=rules)
    changed = []
    with transaction.atomic():
        for draft in computed.drafts:
            result = stored.get(draft.key.holding_id)
            if result is None:
                continue
            figures = draft.figures()
            flipped = figures["outcome"] != result.outcome
            EvaluationResult.objects.filter(pk=result.pk).update(
                **figures, revision=result.revision + 1, reevaluated_at=now
            )
            result.refresh_from_db()
            if flipped and result.outcome == Outcome.FAILED:
                _apply_worse(result, actor=actor, now=now)
                changed.append(result)
        EvaluationExclusion.objects.filter(
            period=period, merchant_id=merchant_id, against_merchant=True, reevaluated_at__isnull=True
        ).update(reevaluated_at=now)
        audit_record(
            actor=actor,
            verb="evaluation.reevaluated",
            target=run,
            data={"merchant_id": merchant_id, "changed": [r.pk for r in changed]},
        )
    return changed


def _apply_worse(result: EvaluationResult, *, actor, now) -> None:
    holding = TagHolding.objects.filter(pk=result.holding_id).values_list("state", flat=True).first()
    this_month = local_date(now).replace(day=1)
    action, until = Action.SKIPPED, None
    if holding == ACTIVE and result.action in (Action.KEPT, Action.PENDING):
        until = max(add_months(result.period, 1), this_month)
        holding_revoke(
            holding_id=result.holding_id,
            reason=evaluation_text("reevaluation.failed", result.month, result.failed_metrics),
            rectification_month=until,
            actor=actor,
        )
        action = Action.REVOKED
    elif holding == ACTIVE and result.action == Action.RESTORED:
        until = max(add_months(result.period, 1 + int(result.thresholds.get("bar_months", 3))), this_month)
        holding_bar(
            holding_id=result.holding_id,
            until=until,
            reason=evaluation_text("reevaluation.rectification_failed", result.month, result.failed_metrics),
            actor=actor,
        )
        action = Action.BARRED
    if action == Action.SKIPPED:
        return
    EvaluationResult.objects.filter(pk=result.pk).update(action=action, action_until=until, applied_at=now)
    result.action, result.action_until = action, until
    for code in result.failed_metrics:
        transaction.on_commit(
            lambda code=code: hooks.metric_failed(
                merchant_id=result.merchant_id, metric_code=code, period=result.month
            )
        )
    _notify(result)


__all__ = [
    "METRICS",
    "evaluation_appeals_reconcile",
    "evaluation_compute",
    "evaluation_daily",
    "evaluation_due_months",
    "evaluation_reevaluate",
    "evaluation_run",
    "evaluation_settings_update",
]
