"""The monthly evaluation end to end (SPEC §8): revoke → rectify → restore; fail twice → barred → reapply."""

import threading
from datetime import date

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import translation

from courses.models import CourseAssignment
from merchants.models import Notice
from merchants.services import notice_email_send
from scoring.evaluation import services
from scoring.evaluation.services import evaluation_daily, evaluation_due_months, evaluation_run
from scoring.models import EvaluationResult, EvaluationRun
from tags.checks import check_not_barred
from tags.models import BadgeHolding, HoldingEvent, TagHolding
from tests.factories import MerchantFactory, category

from .evaluation_factories import at, fault, holding_set, orders

pytestmark = pytest.mark.django_db

SEP, OCT, NOV = date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)


def _states(merchant) -> set[str]:
    return set(TagHolding.objects.filter(merchant=merchant).values_list("state", flat=True))


def _badge_active(merchant) -> bool:
    return BadgeHolding.objects.get(merchant=merchant).active


def test_due_months_follow_the_prc_working_calendar_across_national_day():
    # October 2026: 1–7 are the National Day holiday; the first working day is the 8th.
    assert evaluation_due_months(today=date(2026, 10, 7)) == [date(2026, 8, 1)]
    assert evaluation_due_months(today=date(2026, 10, 8)) == [SEP]
    assert evaluation_due_months(today=date(2026, 11, 1)) == [SEP]  # Sunday: October is not due yet
    assert evaluation_due_months(today=date(2026, 11, 2)) == [OCT]


def test_fail_revokes_with_badge_then_a_passing_rectification_month_restores_both(
    merchant_a, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    merchant_a.contact_email = "shop@example.com"
    merchant_a.save(update_fields=["contact_email"])
    holding_set(merchant_a)
    assert _badge_active(merchant_a)
    september = orders(merchant_a, 100, SEP)
    fault(september[0], date(2026, 9, 20))  # 1 of 100 = 1% ≥ 0.5%
    orders(merchant_a, 100, OCT)

    with time_machine.travel(at(date(2026, 10, 7)), tick=False):
        assert evaluation_daily() == ["2026-08"]  # August: nobody held a tag in it
    with (
        time_machine.travel(at(date(2026, 10, 8), 3), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert evaluation_daily() == ["2026-09"]

    assert _states(merchant_a) == {"rectifying"}
    assert not _badge_active(merchant_a)
    assert set(
        TagHolding.objects.filter(merchant=merchant_a).values_list("rectification_month", flat=True)
    ) == {OCT}
    result = EvaluationResult.objects.filter(merchant=merchant_a, period=SEP).first()
    assert (result.fault_numerator, result.fault_denominator, result.outcome) == (1, 100, "fail")
    assert result.failed_metrics == ["fault_complaint_rate"]
    assert result.action == "revoked"
    assert result.action_until == OCT
    assert result.thresholds["fault_rate_fail_percent"] == "0.50"
    assert result.rule_version == 1
    assert Notice.objects.filter(merchant=merchant_a, code="evaluation.revoked").count() == 3
    assert len(mail.outbox) == 3
    assert mail.outbox[0].to == ["shop@example.com"]
    body = mail.outbox[0].body
    assert "1 of 100 orders = 1.00%" in body
    assert "100 个订单中 1 个 = 1.00%" in body
    # The e-mail is sent once: sending the same notice again does nothing.
    assert notice_email_send(notice_id=Notice.objects.first().pk) is False
    assert len(mail.outbox) == 3

    with time_machine.travel(at(date(2026, 11, 2), 3), tick=False):
        assert evaluation_daily() == ["2026-10"]
    assert _states(merchant_a) == {"active"}
    assert _badge_active(merchant_a)
    assert set(
        EvaluationResult.objects.filter(merchant=merchant_a, period=OCT).values_list("action", flat=True)
    ) == {"restored"}
    kinds = list(HoldingEvent.objects.filter(holding__merchant=merchant_a).values_list("kind", flat=True))
    assert kinds.count("revoked") == 3
    assert kinds.count("restored") == 3
    # The history says why, as a code + parameters, in the reader's language.
    revoked = HoldingEvent.objects.filter(holding__merchant=merchant_a, kind="revoked").first()
    restored = HoldingEvent.objects.filter(holding__merchant=merchant_a, kind="restored").first()
    assert (revoked.reason_code, revoked.reason_params) == (
        "evaluation.failed",
        {"month": "2026-09", "metrics": ["fault_complaint_rate"]},
    )
    assert (restored.reason_code, restored.reason_params) == (
        "evaluation.rectification_passed",
        {"month": "2026-10"},
    )
    with translation.override("zh-hans"):
        assert (revoked.reason_text, restored.reason_text) == (
            "2026年9月评估：过失投诉率未达标",
            "2026年10月评估：整改通过",
        )
    assert Notice.objects.filter(merchant=merchant_a, code="evaluation.restored").count() == 3


def test_fail_then_failed_rectification_bars_three_months_then_applications_open(merchant_a):
    holding_set(merchant_a)
    fault(orders(merchant_a, 100, SEP)[0], date(2026, 9, 20))
    fault(orders(merchant_a, 100, OCT)[0], date(2026, 10, 20))
    with time_machine.travel(at(date(2026, 10, 8), 3), tick=False):
        evaluation_daily()
    with time_machine.travel(at(date(2026, 11, 2), 3), tick=False):
        evaluation_daily()

    holding = TagHolding.objects.filter(merchant=merchant_a).select_related("tag").first()
    assert holding.state == "barred"
    # Barred in November, December and January; may apply from the 4th month, February.
    assert holding.barred_until == date(2027, 2, 1)
    assert not _badge_active(merchant_a)
    cat = category("large_appliances")
    for day in (date(2026, 11, 2), date(2026, 12, 15), date(2027, 1, 31)):
        outcome = check_not_barred(merchant=merchant_a, category=cat, tag=holding.tag, now=at(day))
        assert not outcome.passed, day
    outcome = check_not_barred(
        merchant=merchant_a, category=cat, tag=holding.tag, now=at(date(2027, 2, 1), 1)
    )
    assert outcome.passed


def test_rectifying_tag_is_refused_at_application_in_its_month(merchant_a):
    holding_set(merchant_a)
    fault(orders(merchant_a, 100, SEP)[0], date(2026, 9, 20))
    with time_machine.travel(at(date(2026, 10, 8), 3), tick=False):
        evaluation_daily()
    holding = TagHolding.objects.filter(merchant=merchant_a).select_related("tag").first()
    outcome = check_not_barred(
        merchant=merchant_a,
        category=category("large_appliances"),
        tag=holding.tag,
        now=at(date(2026, 10, 20)),
    )
    assert not outcome.passed
    assert outcome.params == {"month": "2026-10"}


def test_rerunning_a_month_changes_nothing(merchant_a):
    holding_set(merchant_a)
    fault(orders(merchant_a, 100, SEP)[0], date(2026, 9, 20))
    with time_machine.travel(at(date(2026, 10, 8), 3), tick=False):
        run = evaluation_run(period=SEP)
        before = list(EvaluationResult.objects.values_list("pk", "action", "applied_at", "revision"))
        events = HoldingEvent.objects.count()
        notices = Notice.objects.count()
        assert evaluation_run(period=SEP).pk == run.pk
        assert evaluation_daily() == []
    assert list(EvaluationResult.objects.values_list("pk", "action", "applied_at", "revision")) == before
    assert HoldingEvent.objects.count() == events
    assert Notice.objects.count() == notices
    assert EvaluationRun.objects.get().state == "completed"


def test_a_crash_half_way_resumes_where_it_stopped(merchant_a, merchant_b, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 2)
    holding_set(merchant_a)
    holding_set(merchant_b)
    fault(orders(merchant_a, 100, SEP)[0], date(2026, 9, 20))
    orders(merchant_b, 100, SEP)
    with time_machine.travel(at(date(2026, 10, 8), 3), tick=False):
        with pytest.raises(RuntimeError, match="simulated crash"):
            evaluation_run(period=SEP, crash_after=1)
        run = EvaluationRun.objects.get()
        assert run.state == "applying"
        assert EvaluationResult.objects.filter(action="pending").count() == 1  # 3 kept at once, 2 revoked
        assert HoldingEvent.objects.filter(kind="revoked").count() == 2
        evaluation_run(period=SEP)
    run.refresh_from_db()
    assert run.state == "completed"
    assert (run.evaluated, run.failed, run.revoked) == (6, 3, 3)
    assert _states(merchant_a) == {"rectifying"}
    assert _states(merchant_b) == {"active"}
    assert HoldingEvent.objects.filter(kind="revoked").count() == 3
    assert Notice.objects.count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_crash_half_way_resumes_on_postgresql_with_committed_batches(monkeypatch):
    """Real commits: the batches applied before the crash stay applied; the rerun does the rest once."""
    monkeypatch.setattr(services, "BATCH", 2)
    shops = [MerchantFactory() for _ in range(3)]
    for shop in shops:
        holding_set(shop)
        fault(orders(shop, 100, SEP)[0], date(2026, 9, 20))
    with time_machine.travel(at(date(2026, 10, 8), 3), tick=False):
        with pytest.raises(RuntimeError, match="simulated crash"):
            evaluation_run(period=SEP, crash_after=2)
        assert EvaluationResult.objects.exclude(action="pending").count() == 4
        assert HoldingEvent.objects.filter(kind="revoked").count() == 4
        evaluation_run(period=SEP)
        evaluation_run(period=SEP)
    run = EvaluationRun.objects.get()
    assert (run.state, run.evaluated, run.revoked) == ("completed", 9, 9)
    assert HoldingEvent.objects.filter(kind="revoked").count() == 9
    assert Notice.objects.count() == 9
    assert set(TagHolding.objects.values_list("state", flat=True)) == {"rectifying"}


@pytest.fixture
def applying_threads(monkeypatch, settings) -> list[str]:
    """Two apply workers, batches of 2; the names of the threads that applied each batch, in order."""
    settings.EVALUATION_APPLY_WORKERS = 2
    monkeypatch.setattr(services, "BATCH", 2)
    threads = []
    apply_batch = services._apply_batch

    def recording(run, batch, *, actor):
        threads.append(threading.current_thread().name)
        return apply_batch(run, batch, actor=actor)

    monkeypatch.setattr(services, "_apply_batch", recording)
    return threads


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_batches_applied_at_once_by_two_workers_do_what_one_after_the_other_does(applying_threads):
    """EVALUATION_APPLY_WORKERS: the batches run in worker threads on their own connections, each
    committed apart, with the same outcome as the batches one after the other."""
    shops = [MerchantFactory() for _ in range(4)]
    for shop in shops:
        holding_set(shop)
        fault(orders(shop, 100, SEP)[0], date(2026, 9, 20))
    with time_machine.travel(at(date(2026, 10, 8), 3), tick=False):
        run = evaluation_run(period=SEP)
    assert len(applying_threads) == 6  # 12 pending results in batches of 2
    assert all(name.startswith("evaluation") for name in applying_threads)
    assert (run.state, run.evaluated, run.failed, run.revoked) == ("completed", 12, 12, 12)
    assert set(EvaluationResult.objects.values_list("action", flat=True)) == {"revoked"}
    assert set(TagHolding.objects.values_list("state", flat=True)) == {"rectifying"}
    assert HoldingEvent.objects.filter(kind="revoked").count() == 12
    assert set(BadgeHolding.objects.values_list("active", flat=True)) == {False}
    assert Notice.objects.count() == 12
    assert CourseAssignment.objects.filter(metric_code="fault_complaint_rate").count() == 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_the_batches_are_applied_one_after_the_other(applying_threads):
    """Worker connections would not see what the enclosing transaction wrote: one connection then."""
    with transaction.atomic():
        shop = MerchantFactory()
        holding_set(shop)
        fault(orders(shop, 100, SEP)[0], date(2026, 9, 20))
        with time_machine.travel(at(date(2026, 10, 8), 3), tick=False):
            run = evaluation_run(period=SEP)
    assert applying_threads == [threading.main_thread().name] * 2
    assert (run.state, run.revoked) == ("completed", 3)
