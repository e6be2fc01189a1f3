from decimal import Decimal

import pytest

from core.audit import audit_for
from core.errors import ApplicationError
from tags.compensation import compute_amount
from tags.models import CategoryBadge, Tag, TagTermsVersion
from tags.services import tag_terms_update

pytestmark = pytest.mark.django_db


def test_catalog_is_seeded_with_every_tag_and_badge():
    assert Tag.objects.count() == 19
    assert TagTermsVersion.objects.filter(version=1).count() == 19
    coming = set(Tag.objects.filter(lifecycle="coming_soon").values_list("code", flat=True))
    assert coming == {"price_protect_30d", "bulky_return_shipping"}
    assert set(Tag.objects.filter(exclusive_group="dispatch_speed").values_list("code", flat=True)) == {
        "ship_same_day", "ship_24h", "ship_48h",
    }  # fmt: skip
    assert Tag.objects.get(code="late_free_order").requires.code == "next_day_delivery"
    assert list(Tag.objects.filter(monitored=False).values_list("code", flat=True)) == ["timeliness_display"]
    assert Tag.objects.get(code="nationwide_warranty").needs_review is True
    badge = CategoryBadge.objects.get(category__code="large_appliances")
    assert badge.title_prefix_zh == "电器城"
    assert badge.title_prefix_en == "Appliance City"
    assert set(badge.required_tags.values_list("code", flat=True)) == {
        "home_delivery", "worry_free_returns", "nationwide_warranty",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("code", "paid", "fee", "severity", "expected"),
    [
        ("ship_24h", "20", "0", "late", "3.00"),
        ("genuine_invoice", "20", "0", "late", "5.00"),
        ("fast_refund", "999", "0", "late", "3.00"),
        ("free_shipping", "100", "12", "late", "17.00"),
        ("late_free_order", "9999", "0", "late", "5000.00"),
        ("delivery_install", "3000", "0", "severe", "300.00"),
        ("installments", "3000", "45.5", "late", "50.50"),
        ("timeliness_display", "3000", "0", "late", "0.00"),
    ],
)
def test_seeded_formulas_compute(code, paid, fee, severity, expected):
    terms = Tag.objects.get(code=code).current_terms
    amount = compute_amount(
        terms.compensation, paid_amount=Decimal(paid), fee=Decimal(fee), severity=severity
    )
    assert amount == Decimal(expected)


def test_delivery_install_daily_cap_is_300():
    assert Tag.objects.get(code="delivery_install").current_terms.daily_cap == Decimal("300.00")
    assert Tag.objects.get(code="ship_24h").current_terms.daily_cap == Decimal("100.00")


def test_terms_update_creates_a_new_version_and_keeps_the_old(staff_ops):
    tag = Tag.objects.get(code="ship_24h")
    v1 = tag.current_terms
    v2 = tag_terms_update(
        tag_id=tag.pk,
        actor=staff_ops,
        compensation={"formula": "percent", "percent": "6", "min": "3", "max": "60"},
    )
    tag.refresh_from_db()
    v1.refresh_from_db()
    assert (v2.version, tag.current_terms_id) == (2, v2.pk)
    assert v1.compensation == {"formula": "percent", "percent": "5", "min": "3", "max": "50"}
    assert v2.terms == v1.terms
    assert v2.promise_zh == v1.promise_zh
    assert audit_for(tag).filter(verb="tag.terms_updated").count() == 1


def test_terms_update_refuses_a_bad_formula_and_changes_nothing(staff_ops):
    tag = Tag.objects.get(code="ship_24h")
    with pytest.raises(ApplicationError):
        tag_terms_update(tag_id=tag.pk, actor=staff_ops, compensation={"formula": "bogus"})
    assert tag.terms_versions.count() == 1


def test_terms_update_without_change_makes_no_version(staff_ops):
    tag = Tag.objects.get(code="ship_24h")
    same = tag_terms_update(tag_id=tag.pk, actor=staff_ops, terms=dict(tag.current_terms.terms))
    assert same.version == 1
    assert tag.terms_versions.count() == 1


def test_admin_edit_of_terms_creates_a_version(client, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", "root@example.com", "pw-123456")
    client.force_login(admin_user)
    tag = Tag.objects.get(code="fast_refund")
    page = client.get(f"/admin/tags/tag/{tag.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "categories"}
    data.update(
        {
            "categories": [c.pk for c in tag.categories.all()],
            "terms": '{"kind": "refund_within_hours", "hours": 1, "before_dispatch": true}',
            "compensation": '{"formula": "fixed", "amount": "5"}',
            "requires": "",
            "terms_versions-TOTAL_FORMS": "1",
            "terms_versions-INITIAL_FORMS": "1",
            "terms_versions-MIN_NUM_FORMS": "0",
            "terms_versions-MAX_NUM_FORMS": "1000",
            "terms_versions-0-id": str(tag.current_terms_id),
            "terms_versions-0-tag": str(tag.pk),
        }
    )
    data["monitored"] = "on"
    data.pop("needs_review", None)
    r = client.post(f"/admin/tags/tag/{tag.pk}/change/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    tag.refresh_from_db()
    assert tag.current_terms.version == 2
    assert tag.current_terms.compensation == {"formula": "fixed", "amount": "5"}
    assert TagTermsVersion.objects.get(tag=tag, version=1).compensation == {"formula": "fixed", "amount": "3"}
