"""Demo data for tags: brand warranty services, holdings and badges, applications in every state.

Most merchants hold a few tags for their main category; many large-appliance shops hold the three
tags of the 电 mark and therefore the badge; a few are in rectification or barred. Holdings and
badges for the crowd are bulk-inserted (with their history) so that 20,000 merchants take seconds;
the applications (awaiting review, rejected with reasons, signed and active) go through the real
services so that their checks, agreements and audit trail are genuine.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F

from core.errors import ApplicationError
from core.models import AuditEvent
from core.regions import PROVINCES, REMOTE_PROVINCES
from core.texts import verbatim
from merchants.models import Brand, Category, DepositAccount, Membership, Merchant, Notice

from . import public, texts
from .models import (
    ApplicationCheck,
    BadgeEvent,
    BadgeHolding,
    BrandWarrantyService,
    CategoryBadge,
    HoldingEvent,
    Tag,
    TagAgreement,
    TagApplication,
    TagHolding,
    WarrantyOutlet,
    WarrantyReviewRules,
)
from .services import (
    application_approve,
    application_create,
    application_reject,
    application_sign,
    application_submit,
)

BATCH = 2000
# The named stores' tags were granted this long ago: before the 120 days of orders (commitments demo).
HISTORY_DAYS = 125
# The tag the flagship of each category (merchants.demo.FLAGSHIPS) does not hold and can apply for
# with every check passing: value-added, so it needs no dispatch record; eligible in every category.
FLAGSHIP_APPLICATION = "genuine_invoice"
LARGE, SMALL, DIGITAL, ACCESSORIES = "large_appliances", "small_appliances", "digital_3c", "accessories_3c"

# Per main category: (tag, probability) for the tags beyond the badge set.
EXTRAS = {
    LARGE: [("delivery_install", 0.5), ("free_shipping", 0.6), ("genuine_invoice", 0.5), ("installments", 0.4),
            ("return_shipping_paid", 0.2), ("fast_refund", 0.3)],
    SMALL: [("free_shipping", 0.6), ("fast_refund", 0.5), ("genuine_invoice", 0.4), ("exchange_for_repair", 0.3),
            ("next_day_delivery", 0.2)],
    DIGITAL: [("genuine_invoice", 0.7), ("installments", 0.6), ("fast_refund", 0.4), ("next_day_delivery", 0.3),
              ("exchange_for_repair", 0.2)],
    ACCESSORIES: [("free_shipping", 0.7), ("fast_refund", 0.5), ("next_day_delivery", 0.3), ("genuine_invoice", 0.3)],
}  # fmt: skip
BADGE_SHARE = {LARGE: 0.55, SMALL: 0.35, DIGITAL: 0.35, ACCESSORIES: 0.45}
DISPATCH = [("ship_same_day", 0.3), ("ship_24h", 0.45), ("ship_48h", 0.25)]
OUTLET_CITIES = list(WarrantyReviewRules().designated_cities or []) or [
    "北京", "上海", "广州", "深圳", "天津", "重庆", "成都", "杭州", "武汉", "南京", "西安", "苏州",
]  # fmt: skip
OTHER_CITIES = [
    "乌鲁木齐",
    "拉萨",
    "银川",
    "西宁",
    "兰州",
    "呼和浩特",
    "海口",
    "三亚",
    "桂林",
    "洛阳",
    "襄阳",
    "宜昌",
]
REVOKE_REASONS = [
    "2026年10月过失投诉率 0.82% ≥ 0.5%（11/1342单）",
    "2026年10月退款纠纷率 0.17% > 0.1%",
    "2026年10月店铺动态评分均值 4.52 < 4.6（213条评价）",
]
STAFF_REJECT_REASONS = [
    "仓库履约证明缺失：请上传平台仓入仓单后重新申请",
    "售后服务商资质未在平台备案，请选择已认证服务商",
    "品牌维修网点信息与品牌官网不一致",
]


def _config(code: str, rng: random.Random) -> dict:
    if code == "sf_free_shipping":
        provinces = [p for p in PROVINCES if p not in REMOTE_PROVINCES]
        return {"sf_coverage": sorted(rng.sample(provinces, rng.randint(8, len(provinces))))}
    if code == "nationwide_warranty":
        return {
            "warranty": {
                "option": "certified_provider",
                "provider": rng.choice(["日日顺", "安得", "京东服务+"]),
            }
        }
    if code == "worry_free_returns":
        return {"returns_terms_accepted": True}
    return {}


def _warranty_services(rng: random.Random, actor, now: datetime) -> dict:
    rules = WarrantyReviewRules.current()
    designated = list(rules.designated_cities) or OUTLET_CITIES
    made = {"approved": 0, "submitted": 0, "rejected": 0}
    brands = list(Brand.objects.filter(is_large_appliance=True).order_by("pk"))
    for i, brand in enumerate(brands):
        if BrandWarrantyService.objects.filter(brand=brand).exists():
            continue
        state = "approved" if i % 4 in (0, 1) else ("submitted" if i % 4 == 2 else "rejected")
        n_designated = 40 if state != "rejected" else 18
        cities = [designated[j % len(designated)] for j in range(n_designated)]
        cities += [OTHER_CITIES[j % len(OTHER_CITIES)] for j in range(rng.randint(25, 60))]
        service = BrandWarrantyService.objects.create(
            brand=brand, hotline=f"400-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
            warranty_period_months=rng.choice([12, 36, 72]),
            policy_zh=f"{brand.name_zh}整机保修，主要部件延保，全国联保网点上门服务。",
            policy_en=f"{brand.name_en or brand.name_zh}: whole-unit warranty, extended on main parts, on-site service.",
            response_hours=24, repair_days=rng.choice([15, 20, 30]),
            # The first brand (Haier) is integrated by API: its repair tickets are in the demo.
            integration_mode="api" if i == 0 else rng.choice(["api", "portal", "display_only"]), state=state,
            reviewed_by=actor if state != "submitted" else None,
            reviewed_at=None if state == "submitted" else now,
            rejection_reason="指定城市网点仅18家，不足30家" if state == "rejected" else "",
        )  # fmt: skip
        WarrantyOutlet.objects.bulk_create(
            [
                WarrantyOutlet(
                    service=service, name=f"{brand.name_zh}授权服务中心（{city}{k + 1}店）", city=city
                )
                for k, city in enumerate(cities)
            ]
        )
        made[state] += 1
    return made


def generate(*, rng: random.Random, merchant_ids: list[int], now: datetime, stdout, scale: dict) -> dict:
    reviewer = get_user_model().objects.filter(username="reviewer").first()
    services_made = _warranty_services(rng, reviewer, now)

    tags = {t.code: t for t in Tag.objects.select_related("current_terms")}
    categories = {c.pk: c.code for c in Category.objects.all()}
    cat_by_code = {v: k for k, v in categories.items()}
    badges = {
        b.category.code: b
        for b in CategoryBadge.objects.select_related("category").prefetch_related("required_tags")
    }
    badge_tags = {code: [t.code for t in b.required_tags.all()] for code, b in badges.items()}

    main_of = dict(Merchant.objects.filter(pk__in=merchant_ids).values_list("pk", "main_category_id"))
    ids = sorted(main_of)
    named = ids[:8]  # the orchestrator's first merchants are the official stores with fixed logins
    crowd = ids[8:]

    holdings_total = badges_total = 0
    rectifying = barred = 0
    for start in range(0, len(crowd), BATCH):
        chunk = crowd[start : start + BATCH]
        plan: list[tuple[int, str, str, str]] = []  # (merchant, category, tag, state)
        for mid in chunk:
            cat = categories[main_of[mid]]
            if rng.random() < 0.12:
                continue  # some shops hold nothing yet
            chosen: list[str] = []
            if rng.random() < BADGE_SHARE[cat]:
                chosen += badge_tags[cat]
            else:
                chosen += [c for c in badge_tags[cat] if rng.random() < 0.4]
            speed = rng.choices([d for d, _ in DISPATCH], weights=[w for _, w in DISPATCH])[0]
            if rng.random() < 0.85:
                chosen.append(speed)
            chosen += [code for code, p in EXTRAS[cat] if rng.random() < p]
            if "next_day_delivery" in chosen and rng.random() < 0.3:
                chosen.append("late_free_order")
            for code in dict.fromkeys(chosen):
                if cat not in _eligible(tags[code]):
                    continue
                # Rectification and bars come from the monthly evaluation the scoring demo runs.
                plan.append((mid, cat, code, "active"))
        h, b, r, br = _bulk_write(plan, tags=tags, cat_by_code=cat_by_code, badges=badges, badge_tags=badge_tags,
                                   now=now, rng=rng)  # fmt: skip
        holdings_total += h
        badges_total += b
        rectifying += r
        barred += br

    flows = _application_flows(rng, named=named, crowd=crowd, main_of=main_of, categories=categories,
                               tags=tags, reviewer=reviewer, badge_tags=badge_tags)  # fmt: skip
    transaction.on_commit(public.clear_all)
    return {
        "holdings": holdings_total + flows.pop("granted"),
        "badges": badges_total,
        "rectifying": rectifying,
        "barred": barred,
        **flows,
        "warranty_services": sum(services_made.values()),
    }


_ELIGIBLE: dict[int, set[str]] = {}


def _eligible(tag: Tag) -> set[str]:
    if tag.pk not in _ELIGIBLE:
        _ELIGIBLE[tag.pk] = set(tag.categories.values_list("code", flat=True))
    return _ELIGIBLE[tag.pk]


def _month_start(day: date, back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def _bulk_write(plan, *, tags, cat_by_code, badges, badge_tags, now, rng):
    today = now.date()
    rows = []
    for mid, cat, code, state in plan:
        granted = now - timedelta(days=rng.randint(20, 400), minutes=rng.randint(0, 1440))
        h = TagHolding(
            merchant_id=mid, category_id=cat_by_code[cat], tag=tags[code], state=state,
            terms_version=tags[code].current_terms, config=_config(code, rng), granted_at=granted,
        )  # fmt: skip
        if state == "rectifying":
            h.ended_at = now - timedelta(days=rng.randint(1, 20))
            h.rectification_month = _month_start(today)
        elif state == "barred":
            h.ended_at = now - timedelta(days=rng.randint(30, 60))
            h.barred_until = _month_start(today, -3)
        rows.append(h)
    TagHolding.objects.bulk_create(rows, batch_size=2000)
    saved = {
        (h.merchant_id, h.category_id, h.tag_id): h
        for h in TagHolding.objects.filter(merchant_id__in={p[0] for p in plan}).only(
            "id", "merchant_id", "category_id", "tag_id", "state", "granted_at", "ended_at"
        )
    }
    events = []
    approved = texts.HOLDING_APPLICATION_APPROVED.fields(HoldingEvent, "reason")
    revoked = [verbatim(reason).fields(HoldingEvent, "reason") for reason in REVOKE_REASONS]
    barred = verbatim("整改期考核仍未达标，3个月内不得再次申请").fields(HoldingEvent, "reason")
    for h in saved.values():
        events.append(HoldingEvent(holding_id=h.pk, at=h.granted_at, kind="granted", **approved))
        if h.state in ("rectifying", "barred"):
            events.append(HoldingEvent(holding_id=h.pk, at=h.ended_at, kind="revoked", **rng.choice(revoked)))
        if h.state == "barred":
            events.append(
                HoldingEvent(holding_id=h.pk, at=h.ended_at + timedelta(days=30), kind="barred", **barred)
            )
    HoldingEvent.objects.bulk_create(events, batch_size=5000)

    active: dict[int, set[tuple[str, str]]] = {}
    for mid, cat, code, state in plan:
        if state == "active":
            active.setdefault(mid, set()).add((cat, code))
    badge_rows, badge_meta = [], []
    for mid, held in active.items():
        for cat, badge in badges.items():
            if all((cat, code) in held for code in badge_tags[cat]):
                since = max(
                    saved[(mid, cat_by_code[cat], tags[code].pk)].granted_at for code in badge_tags[cat]
                )
                badge_rows.append(BadgeHolding(merchant_id=mid, badge=badge, active=True, since=since))
                badge_meta.append(since)
    BadgeHolding.objects.bulk_create(badge_rows, batch_size=2000)
    saved_badges = BadgeHolding.objects.filter(merchant_id__in=list(active)).only("id", "since")
    all_held = texts.BADGE_ALL_TAGS_HELD.fields(BadgeEvent, "reason")
    BadgeEvent.objects.bulk_create(
        [BadgeEvent(holding_id=b.pk, at=b.since, kind="granted", **all_held) for b in saved_badges],
        batch_size=5000,
    )
    revoked = sum(1 for p in plan if p[3] == "rectifying")
    barred = sum(1 for p in plan if p[3] == "barred")
    return len(rows), len(badge_rows), revoked, barred


def _last_ids() -> dict:
    return {
        model: model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for model in (
            TagApplication,
            ApplicationCheck,
            TagAgreement,
            HoldingEvent,
            BadgeEvent,
            Notice,
            AuditEvent,
        )
    }


def _backdate(before: dict, shift: timedelta) -> None:
    """Move everything the services wrote since `before` (applications, checks, signatures, holdings,
    badges, notices, audit) back by `shift`, as if those applications had been made then."""

    def new(model):
        return model.objects.filter(pk__gt=before[model])

    new(TagApplication).update(
        created_at=F("created_at") - shift,
        updated_at=F("updated_at") - shift,
        submitted_at=F("submitted_at") - shift,
        decided_at=F("decided_at") - shift,
    )
    new(ApplicationCheck).update(checked_at=F("checked_at") - shift)
    new(TagAgreement).update(signed_at=F("signed_at") - shift)
    holdings = new(HoldingEvent).values("holding_id")
    TagHolding.objects.filter(pk__in=holdings).update(
        granted_at=F("granted_at") - shift, created_at=F("created_at") - shift
    )
    new(HoldingEvent).update(at=F("at") - shift)
    BadgeHolding.objects.filter(pk__in=new(BadgeEvent).values("holding_id")).update(
        since=F("since") - shift, created_at=F("created_at") - shift
    )
    new(BadgeEvent).update(at=F("at") - shift)
    new(Notice).update(created_at=F("created_at") - shift)
    new(AuditEvent).update(created_at=F("created_at") - shift)


def _owner(mid: int):
    m = Membership.objects.select_related("user").filter(merchant_id=mid, role="merchant_owner").first()
    return m.user if m else None


def _application_flows(rng, *, named, crowd, main_of, categories, tags, reviewer, badge_tags) -> dict:
    """Real applications through the services: active (signed), awaiting review, rejected by checks or staff."""

    figures = {"applications_active": 0, "awaiting_review": 0, "rejected_by_checks": 0, "rejected_by_staff": 0,
               "awaiting_agreement": 0, "granted": 0}  # fmt: skip
    balance = dict(
        DepositAccount.objects.filter(merchant_id__in=named + crowd[:400]).values_list(
            "merchant_id", "balance"
        )
    )
    required = dict(Category.objects.values_list("pk", "required_deposit"))

    def run(mid, code, *, sign=True, decide=None, config=None):
        owner = _owner(mid)
        cat = Category.objects.get(pk=main_of[mid])
        try:
            app = application_create(merchant=Merchant.objects.get(pk=mid), category=cat, tag=tags[code],
                                     config=config if config is not None else _config(code, rng), actor=owner)  # fmt: skip
            app = application_submit(application_id=app.pk, actor=owner)
            if app.state == "rejected":
                figures["rejected_by_checks"] += 1
                return app
            if not sign or owner is None:
                figures["awaiting_agreement"] += 1
                return app
            app = application_sign(application_id=app.pk, merchant=app.merchant, actor=owner,
                                   signer_name=owner.get_username(), accept=True)  # fmt: skip
            if app.state == "under_review":
                if decide == "approve":
                    app = application_approve(application_id=app.pk, actor=reviewer, note="资料齐全")
                elif decide == "reject":
                    app = application_reject(application_id=app.pk, actor=reviewer,
                                             reason=rng.choice(STAFF_REJECT_REASONS))  # fmt: skip
                    figures["rejected_by_staff"] += 1
                    return app
                else:
                    figures["awaiting_review"] += 1
                    return app
            if app.state == "active":
                figures["applications_active"] += 1
                figures["granted"] += 1
            return app
        except ApplicationError:
            return None

    # The named official stores: the badge set through real applications, approved before the order
    # history the commitments demo simulates (dated then); one still in review, one awaiting the
    # owner's signature (today's). Each flagship keeps FLAGSHIP_APPLICATION to apply for itself.
    before = _last_ids()
    still_open = []
    for i, mid in enumerate(named):
        cat = categories[main_of[mid]]
        for code in badge_tags[cat]:
            if i == 1 and code == "nationwide_warranty":
                still_open.append((mid, code, {}))  # stays in the review queue
            else:
                run(mid, code, decide="approve")
        run(mid, "ship_24h")
        if cat == DIGITAL and balance.get(mid, 0) >= required[main_of[mid]]:
            still_open.append((mid, "installments", {"sign": False}))  # waits for the owner's signature
    _backdate(before, timedelta(days=HISTORY_DAYS))
    for mid, code, options in still_open:
        run(mid, code, **options)

    # Crowd: a queue for staff, some rejections by staff and by checks.
    sample = crowd[:400]
    rng.shuffle(sample)
    held_by: dict[int, set[str]] = {}
    for mid, code in TagHolding.objects.filter(merchant_id__in=sample).values_list(
        "merchant_id", "tag__code"
    ):
        held_by.setdefault(mid, set()).add(code)
    reviewable = []
    for mid in sample:
        for code in ("nationwide_warranty", "sf_free_shipping"):
            if code not in held_by.get(mid, set()) and categories[main_of[mid]] in _eligible(tags[code]):
                reviewable.append((mid, code))
                break
    for n, (mid, code) in enumerate(reviewable[:35]):
        config = {"warehouse": True} if code == "sf_free_shipping" else _config(code, rng)
        run(mid, code, config=config, decide=None if n < 25 else "reject")
    used = {mid for mid, _ in reviewable[:35]}
    sample = [m for m in sample if m not in used]
    for mid in sample[:20]:
        # exclusivity or eligibility failures: a second dispatch speed, or a tag outside the category
        held = set(
            TagHolding.objects.filter(merchant_id=mid, state="active").values_list("tag__code", flat=True)
        )
        code = next((c for c in ("ship_same_day", "ship_24h", "ship_48h") if c not in held), "ship_48h")
        if not held & {"ship_same_day", "ship_24h", "ship_48h"}:
            code = "next_day_delivery" if categories[main_of[mid]] == LARGE else "worry_free_returns"
        run(mid, code, config={})
    return figures
