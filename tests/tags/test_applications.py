from datetime import date

import pytest
from django.utils import translation

from core.audit import audit_for
from core.errors import ApplicationError, Conflict, Forbidden, InvalidTransition
from tags import checks
from tags.checks import CheckOutcome, register_application_check, unregister_application_check
from tags.models import TagAgreement, TagApplication, TagHolding
from tags.services import (
    application_approve,
    application_create,
    application_reject,
    application_sign,
    application_submit,
    holding_bar,
    holding_revoke,
)
from tests.factories import BrandFactory, MembershipFactory, ProductFactory, UserFactory, category

from .factories import fund, grant, tag

pytestmark = pytest.mark.django_db


def _apply(merchant, code, cat="large_appliances", config=None, actor=None):
    app = application_create(
        merchant=merchant, category=category(cat), tag=tag(code), config=config, actor=actor
    )
    return application_submit(application_id=app.pk, merchant=merchant, actor=actor)


def _results(app):
    return {c.code: c.status for c in app.checks.all()}


def test_happy_path_without_review(merchant_a, owner_a, no_metric_providers):
    fund(merchant_a)
    app = _apply(merchant_a, "ship_24h", actor=owner_a)
    assert app.state == "awaiting_agreement"
    assert _results(app) == {
        "not_barred": "passed", "category_eligible": "passed", "exclusive": "passed", "requires": "passed",
        "fault_complaint_rate": "not_evaluated", "on_time_dispatch": "not_evaluated", "deposit": "passed",
        "configuration": "passed",
    }  # fmt: skip
    app = application_sign(
        application_id=app.pk, merchant=merchant_a, actor=owner_a, signer_name="王海", accept=True
    )
    assert app.state == "active"
    agreement = TagAgreement.objects.get(application=app)
    assert (agreement.signed_by, agreement.terms_version.version, agreement.signer_name) == (
        owner_a,
        1,
        "王海",
    )
    assert len(agreement.text_sha256) == 64
    holding = TagHolding.objects.get(merchant=merchant_a, tag__code="ship_24h")
    assert holding.state == "active"
    assert app.holding_id == holding.pk
    verbs = set(audit_for(app).values_list("verb", flat=True))
    assert {
        "tag.application_submitted",
        "tag.application_awaiting_agreement",
        "tag.application_active",
    } <= verbs


def test_metric_checks_are_listed_but_not_for_non_dispatch_tags(merchant_a, no_metric_providers):
    fund(merchant_a)
    app = _apply(merchant_a, "worry_free_returns", config={"returns_terms_accepted": True})
    assert "on_time_dispatch" not in _results(app)
    assert _results(app)["fault_complaint_rate"] == "not_evaluated"
    check = app.checks.get(code="fault_complaint_rate")
    assert check.detail == "not evaluated yet (no metric provider)"


def test_registered_metric_check_runs_and_blocks(merchant_a):
    fund(merchant_a)
    seen = {}

    def provider(*, merchant, category, tag, now):
        seen.update(merchant=merchant.pk, tag=tag.code)
        return CheckOutcome(False, "fault complaint rate 0.9% ≥ 0.5% (9 of 1000 orders)")

    register_application_check("fault_complaint_rate", "Fault complaint rate", "过失投诉率", provider)
    app = _apply(merchant_a, "ship_24h")
    assert seen == {"merchant": merchant_a.pk, "tag": "ship_24h"}
    assert app.state == "rejected"
    assert (
        app.checks.get(code="fault_complaint_rate").detail
        == "fault complaint rate 0.9% ≥ 0.5% (9 of 1000 orders)"
    )
    assert "Fault complaint rate: fault complaint rate 0.9% ≥ 0.5% (9 of 1000 orders)" in app.rejection_reason
    assert app.rejection_reason_code == "application.checks_failed"
    with translation.override("zh-hans"):
        assert "过失投诉率：fault complaint rate 0.9% ≥ 0.5% (9 of 1000 orders)" in app.rejection_reason_text
    # registry order kept: the metric check stays in its place
    assert [c.code for c in app.checks.all()].index("fault_complaint_rate") == 4


def test_a_crashing_provider_fails_its_check_not_the_request(merchant_a):
    fund(merchant_a)

    def boom(**kwargs):
        raise RuntimeError("metrics db down")

    register_application_check("on_time_dispatch", "On-time dispatch", "准时发货", boom)
    app = _apply(merchant_a, "ship_24h")
    assert app.checks.get(code="on_time_dispatch").status == "failed"
    assert app.checks.get(code="on_time_dispatch").detail == "check could not run: RuntimeError"


def test_unregistering_goes_back_to_the_placeholder():
    register_application_check("on_time_dispatch", "x", "y", lambda **kw: CheckOutcome(True))
    unregister_application_check("on_time_dispatch")
    assert checks._REGISTRY["on_time_dispatch"].fn is None
    assert checks._REGISTRY["on_time_dispatch"].label_en == "On-time dispatch rate"


def test_deposit_check(merchant_a):
    fund(merchant_a, "49999.99")
    app = _apply(merchant_a, "ship_24h")
    assert app.state == "rejected"
    assert _results(app)["deposit"] == "failed"
    assert app.checks.get(code="deposit").detail == (
        "Deposit ¥49999.99 is below the category requirement of ¥50000.00: top up."
    )
    assert not TagHolding.objects.filter(merchant=merchant_a).exists()


def test_category_eligibility(merchant_a):
    fund(merchant_a)
    app = _apply(merchant_a, "next_day_delivery", cat="large_appliances")
    assert _results(app)["category_eligible"] == "failed"
    assert app.state == "rejected"


def test_mutual_exclusivity_against_holdings_and_open_applications(merchant_a):
    fund(merchant_a)
    grant(merchant_a, "ship_same_day")
    app = _apply(merchant_a, "ship_48h")
    assert _results(app)["exclusive"] == "failed"
    assert "ship_same_day" in app.checks.get(code="exclusive").detail
    # another category is independent
    fund(merchant_a)
    other = _apply(merchant_a, "ship_48h", cat="small_appliances")
    assert _results(other)["exclusive"] == "passed"
    # an open application in the same group also blocks
    third = _apply(merchant_a, "ship_24h", cat="small_appliances")
    assert _results(third)["exclusive"] == "failed"


def test_requires_companion_tag(merchant_a):
    fund(merchant_a)
    app = _apply(merchant_a, "late_free_order", cat="small_appliances")
    assert _results(app)["requires"] == "failed"
    grant(merchant_a, "next_day_delivery", cat="small_appliances")
    app = _apply(merchant_a, "late_free_order", cat="small_appliances")
    assert _results(app)["requires"] == "passed"


def test_rectification_and_bar_block_applying(merchant_a):
    fund(merchant_a)
    h = grant(merchant_a, "ship_24h")
    holding_revoke(holding_id=h.pk, reason="failed month", rectification_month=date(2026, 12, 1))
    app = _apply(merchant_a, "ship_24h")
    assert _results(app)["not_barred"] == "failed"
    assert "2026-12" in app.checks.get(code="not_barred").detail
    holding_bar(holding_id=h.pk, until=date(2099, 1, 1), reason="failed rectification")
    app = _apply(merchant_a, "ship_24h")
    assert app.checks.get(code="not_barred").detail.startswith(
        "Barred from applying for this tag until 2099-01-01"
    )


def test_already_held_fails(merchant_a):
    fund(merchant_a)
    grant(merchant_a, "ship_24h")
    assert _results(_apply(merchant_a, "ship_24h"))["not_barred"] == "failed"


@pytest.mark.parametrize(
    ("config", "status"),
    [
        ({}, "failed"),
        ({"sf_coverage": ["110000", "310000"]}, "passed"),
        ({"sf_coverage": ["999999"]}, "failed"),
        ({"warehouse": True}, "passed"),
        ({"warehouse": True, "sf_coverage": ["110000"]}, "failed"),
    ],
)
def test_sf_configuration(merchant_a, config, status):
    fund(merchant_a)
    app = _apply(merchant_a, "sf_free_shipping", config=config)
    assert _results(app)["configuration"] == status
    assert app.needs_review is bool(config.get("warehouse"))


def test_worry_free_returns_needs_terms_accepted(merchant_a):
    fund(merchant_a)
    assert _results(_apply(merchant_a, "worry_free_returns"))["configuration"] == "failed"


def _config_check(merchant, code, config):
    return checks.check_configuration(
        merchant=merchant,
        category=category(),
        tag=tag(code),
        now=None,
        application=TagApplication(config=config),
    )


def test_warranty_options(merchant_a, staff_reviewer):
    from tags.services import warranty_service_approve, warranty_service_create

    assert _config_check(merchant_a, "nationwide_warranty", {"warranty": {}}).passed is False
    provider = {"warranty": {"option": "certified_provider", "provider": "日日顺"}}
    assert _config_check(merchant_a, "nationwide_warranty", provider).passed is True
    disclosed = {
        "warranty": {"option": "disclosed", "hotline": "400-1", "outlets": "见官网", "policy": "三年"}
    }
    outcome = _config_check(merchant_a, "nationwide_warranty", disclosed)
    assert (outcome.passed, outcome.detail) == (
        False,
        "Brand repair information is incomplete: warranty_period_months.",
    )
    brand = BrandFactory(name_zh="小天鹅", is_large_appliance=False)
    service = warranty_service_create(
        brand=brand, hotline="400-000", warranty_period_months=36, policy_zh="三年保修", response_hours=24,
        repair_days=15, integration_mode="api", outlets=[{"name": "网点1", "city": "上海"}],
    )  # fmt: skip
    cfg = {"warranty": {"option": "brand_service", "service_id": service.pk}}
    assert _config_check(merchant_a, "nationwide_warranty", cfg).passed is False  # not approved yet
    warranty_service_approve(service_id=service.pk, actor=staff_reviewer)
    assert _config_check(merchant_a, "nationwide_warranty", cfg).detail == "You sell no products of 小天鹅."
    ProductFactory(merchant=merchant_a, brand=brand)
    assert _config_check(merchant_a, "nationwide_warranty", cfg).passed is True


def test_review_flow_approve(merchant_a, owner_a, staff_reviewer):
    fund(merchant_a)
    app = _apply(
        merchant_a,
        "nationwide_warranty",
        config={"warranty": {"option": "certified_provider", "provider": "日日顺"}},
    )
    app = application_sign(
        application_id=app.pk, merchant=merchant_a, actor=owner_a, signer_name="王海", accept=True
    )
    assert app.state == "under_review"
    assert not TagHolding.objects.filter(merchant=merchant_a).exists()
    app = application_approve(application_id=app.pk, actor=staff_reviewer)
    assert (app.state, app.decided_by) == ("active", staff_reviewer)
    assert TagHolding.objects.get(merchant=merchant_a, tag__code="nationwide_warranty").config == {
        "warranty": {"option": "certified_provider", "provider": "日日顺"}
    }


def test_review_flow_reject_needs_reason(merchant_a, owner_a, staff_reviewer):
    fund(merchant_a)
    app = _apply(merchant_a, "sf_free_shipping", config={"warehouse": True})
    app = application_sign(
        application_id=app.pk, merchant=merchant_a, actor=owner_a, signer_name="王海", accept=True
    )
    with pytest.raises(ApplicationError):
        application_reject(application_id=app.pk, actor=staff_reviewer, reason="  ")
    app = application_reject(application_id=app.pk, actor=staff_reviewer, reason="仓库履约证明缺失")
    assert (app.state, app.rejection_reason) == ("rejected", "仓库履约证明缺失")
    assert not TagHolding.objects.filter(merchant=merchant_a).exists()


def test_invalid_transitions(merchant_a, owner_a, staff_reviewer):
    fund(merchant_a)
    app = application_create(merchant=merchant_a, category=category(), tag=tag("ship_24h"))
    with pytest.raises(InvalidTransition):
        application_sign(
            application_id=app.pk, merchant=merchant_a, actor=owner_a, signer_name="x", accept=True
        )
    with pytest.raises(InvalidTransition):
        application_approve(application_id=app.pk, actor=staff_reviewer)
    application_submit(application_id=app.pk, merchant=merchant_a)
    with pytest.raises(InvalidTransition):
        application_submit(application_id=app.pk, merchant=merchant_a)
    with pytest.raises(InvalidTransition):
        application_approve(application_id=app.pk, actor=staff_reviewer)  # no review needed: not under review
    app.refresh_from_db()
    assert app.state == "awaiting_agreement"


def test_only_the_owner_signs_and_must_accept(merchant_a, owner_a):
    fund(merchant_a)
    clerk = MembershipFactory(
        merchant=merchant_a, user=UserFactory(username="clerk"), role="merchant_staff"
    ).user
    app = _apply(merchant_a, "ship_24h")
    with pytest.raises(Forbidden):
        application_sign(
            application_id=app.pk, merchant=merchant_a, actor=clerk, signer_name="x", accept=True
        )
    with pytest.raises(ApplicationError):
        application_sign(
            application_id=app.pk, merchant=merchant_a, actor=owner_a, signer_name="x", accept=False
        )
    app.refresh_from_db()
    assert app.state == "awaiting_agreement"
    assert not TagAgreement.objects.exists()


def test_coming_soon_tags_cannot_be_applied_for(merchant_a):
    with pytest.raises(ApplicationError):
        application_create(merchant=merchant_a, category=category(), tag=tag("price_protect_30d"))
    assert not TagApplication.objects.exists()


def test_one_open_application_per_tag_and_category(merchant_a):
    application_create(merchant=merchant_a, category=category(), tag=tag("ship_24h"))
    with pytest.raises(Conflict):
        application_create(merchant=merchant_a, category=category(), tag=tag("ship_24h"))
    assert TagApplication.objects.count() == 1


def test_sign_uses_the_current_terms_version(merchant_a, owner_a, staff_ops):
    from tags.services import tag_terms_update

    fund(merchant_a)
    app = _apply(merchant_a, "ship_24h")
    v2 = tag_terms_update(
        tag_id=app.tag_id, actor=staff_ops, promise_en="Picked up within 24 hours, or we pay"
    )
    app = application_sign(
        application_id=app.pk, merchant=merchant_a, actor=owner_a, signer_name="王海", accept=True
    )
    assert app.agreement.terms_version == v2
    assert TagHolding.objects.get(pk=app.holding_id).terms_version == v2
