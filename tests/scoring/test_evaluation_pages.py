"""Evaluation pages: back office (evaluation, notices) and staff console (runs, results, CSV, history,
dry run, rules with the threshold-impact preview), in both languages with bounded queries."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from core import roles
from merchants.models import Notice
from scoring.evaluation.services import evaluation_run
from scoring.models import EvaluationResult, EvaluationRun, EvaluationSettings
from tests.factories import UserFactory

from .evaluation_factories import at, fault, holding_set, orders

pytestmark = pytest.mark.django_db

SEP = date(2026, 9, 1)


@pytest.fixture
def ops(db):
    return UserFactory(username="ops", roles=[roles.STAFF_OPS])


@pytest.fixture
def evaluated(merchant_a, merchant_b):
    """September 2026: merchant_a fails (1 of 100), merchant_b passes (0 of 100)."""
    holding_set(merchant_a)
    holding_set(merchant_b)
    fault(orders(merchant_a, 100, SEP)[0], date(2026, 9, 20))
    orders(merchant_b, 100, SEP)
    with time_machine.travel(at(date(2026, 10, 8), 3), tick=False):
        return evaluation_run(period=SEP)


@pytest.mark.parametrize(("language", "text"), [("zh-hans", "月度考核"), ("en", "Monthly evaluation")])
def test_office_evaluation_page_shows_history_status_and_what_if(
    client, owner_a, evaluated, language, text, django_assert_max_num_queries
):
    client.force_login(owner_a)
    client.cookies["django_language"] = language
    with time_machine.travel(at(date(2026, 10, 20)), tick=False), django_assert_max_num_queries(25):
        response = client.get(reverse("office:evaluation"))
    html = response.content.decode()
    assert response.status_code == 200
    assert text in html
    assert "1 / 100 = 1.00%" in html
    assert 'id="evaluation-status"' in html


@pytest.mark.parametrize(
    ("language", "title"), [("zh-hans", "考核未通过"), ("en", "removed after the evaluation")]
)
def test_notices_render_in_the_readers_language_and_mark_read(client, owner_a, evaluated, language, title):
    client.force_login(owner_a)
    client.cookies["django_language"] = language
    response = client.get(reverse("office:dashboard"))
    assert 'id="unread-notices">3<' in response.content.decode()
    html = client.get(reverse("office:notices")).content.decode()
    assert title in html
    notice = Notice.objects.filter(merchant=owner_a.membership.merchant).first()
    client.post(reverse("office:notices-read"), {"notice": notice.pk})
    assert Notice.objects.filter(read_at__isnull=True).count() == 2
    client.post(reverse("office:notices-read"))
    assert Notice.objects.filter(read_at__isnull=True).count() == 0
    assert 'id="unread-notices"' not in client.get(reverse("office:dashboard")).content.decode()


def test_a_merchant_cannot_mark_another_merchants_notices_read(client, owner_b, evaluated):
    client.force_login(owner_b)
    notice = Notice.objects.first()
    client.post(reverse("office:notices-read"), {"notice": notice.pk})
    client.post(reverse("office:notices-read"))
    assert Notice.objects.filter(read_at__isnull=True).count() == 3


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_staff_pages_work_for_a_run(
    client, ops, evaluated, merchant_a, language, django_assert_max_num_queries
):
    client.force_login(ops)
    client.cookies["django_language"] = language
    for url in (
        reverse("staff:evaluation-runs"),
        reverse("staff:evaluation-run", args=["2026-09"]),
        reverse("staff:evaluation-run", args=["2026-09"]) + "?outcome=fail&tag=home_delivery",
        reverse("staff:evaluation-merchant", args=[merchant_a.pk]),
        reverse("staff:evaluation-rules"),
        reverse("staff:dashboard"),
    ):
        with django_assert_max_num_queries(30):
            response = client.get(url)
        assert response.status_code == 200, url
    filtered = client.get(
        reverse("staff:evaluation-run", args=["2026-09"]) + "?outcome=fail&tag=home_delivery"
    )
    assert filtered.content.decode().count("1 / 100 = 1.00%") == 1
    assert client.get(reverse("staff:evaluation-run", args=["2026-13"])).status_code == 404


def test_run_csv_has_every_metric_with_numerator_and_denominator(client, ops, evaluated):
    client.force_login(ops)
    response = client.get(reverse("staff:evaluation-run-csv", args=["2026-09"]) + "?outcome=fail")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("month,shop_code,category,tag,state_before,orders,on_counts,fault_numerator")
    assert len(lines) == 4
    assert lines[1].startswith("2026-09,A0000001,large_appliances,")
    assert (
        ",100,0,1,100,fail,0,0,0,not_judged,0,100,pass,0,fail,fault_complaint_rate,revoked,2026-10-01,1,1"
        in lines[1]
    )


def test_dry_run_shows_the_month_and_writes_nothing(client, ops, merchant_a):
    holding_set(merchant_a)
    fault(orders(merchant_a, 100, SEP)[0], date(2026, 9, 20))
    client.force_login(ops)
    client.cookies["django_language"] = "en"
    with time_machine.travel(at(date(2026, 10, 8), 3), tick=False):
        response = client.get(reverse("staff:evaluation-dry-run") + "?month=2026-09")
    html = response.content.decode()
    assert "3 tags evaluated; 3 would fail (1 merchants)" in html
    assert EvaluationRun.objects.count() == 0
    assert EvaluationResult.objects.count() == 0
    assert Notice.objects.count() == 0
    assert set(merchant_a.tag_holdings.values_list("state", flat=True)) == {"active"}


def test_threshold_impact_preview_counts_exactly_then_saving_bumps_the_rule_version(client, ops, evaluated):
    client.force_login(ops)
    client.cookies["django_language"] = "en"
    # 1.00% fails at ≥ 0.5%; raising the line to 1.01% lets merchant_a's three tags pass.
    response = client.post(
        reverse("staff:evaluation-rules"), {"action": "preview", "fault_rate_fail_percent": "1.01"}
    )
    assert (
        "pass → fail: 0 tags of 0 merchants; fail → pass: 3 tags of 1 merchants." in response.content.decode()
    )
    response = client.post(
        reverse("staff:evaluation-rules"), {"action": "preview", "fault_rate_fail_percent": "1.00"}
    )
    assert "fail → pass: 0 tags of 0 merchants." in response.content.decode()
    assert EvaluationSettings.current().rule_version == 1
    client.post(reverse("staff:evaluation-rules"), {"action": "save", "fault_rate_fail_percent": "0.40"})
    row = EvaluationSettings.current()
    assert (row.fault_rate_fail_percent, row.rule_version) == (Decimal("0.40"), 2)


def test_rules_refuse_bad_values_and_non_ops_staff(client, ops, evaluated):
    client.force_login(ops)
    response = client.post(
        reverse("staff:evaluation-rules"), {"action": "save", "fault_rate_fail_percent": "abc"}
    )
    assert response.status_code == 200
    assert EvaluationSettings.current().rule_version == 1
    reviewer = UserFactory(username="rev", roles=[roles.STAFF_REVIEWER])
    client.force_login(reviewer)
    response = client.post(
        reverse("staff:evaluation-rules"), {"action": "save", "fault_rate_fail_percent": "0.40"}
    )
    assert response.status_code == 403
    assert EvaluationSettings.current().fault_rate_fail_percent == Decimal("0.50")
