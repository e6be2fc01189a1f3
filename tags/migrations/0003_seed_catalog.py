"""Seed the tag catalog (SPEC §3.1), terms version 1 of each tag, and the category badges (§3.2).

Idempotent (update_or_create on codes; version 1 is created once and never rewritten); the reverse
is a no-op. The data is frozen here on purpose: later catalog edits are new terms versions.
"""

from decimal import Decimal

from django.db import migrations

ALL = ["large_appliances", "small_appliances", "digital_3c", "accessories_3c"]
NOT_LARGE = ["small_appliances", "digital_3c", "accessories_3c"]
APPLIANCES_AND_DIGITAL = ["large_appliances", "small_appliances", "digital_3c"]

P5 = {"formula": "percent", "percent": "5", "min": "5", "max": "50"}
P3 = {"formula": "percent", "percent": "5", "min": "3", "max": "50"}
P5_ZH, P5_EN = (
    "按实付金额5%赔付无门槛代金券，最低5元、最高50元",
    "A voucher of 5% of the paid amount, ¥5 minimum, ¥50 maximum",
)
P3_ZH, P3_EN = (
    "按实付金额5%赔付无门槛代金券，最低3元、最高50元",
    "A voucher of 5% of the paid amount, ¥3 minimum, ¥50 maximum",
)
REMOTE = ["650000", "540000", "150000", "620000", "630000", "640000"]

# code, zh, en, group, monitored, lifecycle, needs_review, exclusive_group, requires, categories, sort,
# promise zh, promise en, compensation zh, compensation en, terms, compensation, daily cap
TAGS = [
    ("genuine_invoice", "正品发票", "Genuine invoice", "value_added", True, "active", False, "", None, ALL, 10,
     "消费者申请发票后3个工作日内开具正规发票", "An official invoice is issued within 3 business days of the request",
     P5_ZH, P5_EN, {"kind": "invoice_within_business_days", "days": 3}, P5, "100"),
    ("installments", "分期付款", "Instalments", "value_added", True, "active", False, "", None, ALL, 20,
     "结算时提供商品页所列的分期方案", "The listed instalment plan is offered at checkout",
     "退还分期手续费并赔付5元无门槛代金券", "Instalment fees refunded plus a ¥5 voucher",
     {"kind": "complaint_only", "complaint_type": "quality"}, {"formula": "fees_plus", "fixed": "5"}, "100"),
    ("return_shipping_paid", "退货包运费", "Return shipping paid", "value_added", True, "active", False, "", None, ALL, 30,
     "发货后90天内申请的退货，退货签收后72小时内报销退货运费",
     "For returns requested within 90 days of dispatch, return freight is reimbursed within 72 h of the return being signed",
     "退货运费加5元无门槛代金券", "The return freight plus a ¥5 voucher",
     {"kind": "return_freight_within_hours", "hours": 72, "return_window_days": 90},
     {"formula": "fee_plus", "fixed": "5"}, "100"),
    ("ship_same_day", "当日发货", "Same-day dispatch", "dispatch", True, "active", False, "dispatch_speed", None, ALL, 40,
     "16:00前付款当日23:59:59前揽收，16:00后付款次日23:59:59前揽收",
     "Paid before 16:00 (Beijing time): first carrier pickup scan by 23:59:59 that day; otherwise by 23:59:59 the next day",
     P3_ZH, P3_EN, {"kind": "pickup_by_cutoff", "cutoff": "16:00"}, P3, "100"),
    ("ship_24h", "24h发货", "24-hour dispatch", "dispatch", True, "active", False, "dispatch_speed", None, ALL, 50,
     "付款后24小时内揽收", "First carrier pickup scan within 24 hours of payment",
     P3_ZH, P3_EN, {"kind": "pickup_within_hours", "hours": 24}, P3, "100"),
    ("ship_48h", "48小时发货", "48-hour dispatch", "dispatch", True, "active", False, "dispatch_speed", None, ALL, 60,
     "付款后48小时内揽收", "First carrier pickup scan within 48 hours of payment",
     P3_ZH, P3_EN, {"kind": "pickup_within_hours", "hours": 48}, P3, "100"),
    ("free_shipping", "全国包邮", "Free shipping", "dispatch", True, "active", False, "", None, ALL, 70,
     "消费者无需支付运费（新疆、西藏、内蒙古、甘肃、青海、宁夏除外）",
     "The shopper pays no shipping fee (except Xinjiang, Tibet, Inner Mongolia, Gansu, Qinghai, Ningxia)",
     "运费加5元无门槛代金券", "The shipping fee plus a ¥5 voucher",
     {"kind": "free_shipping", "remote_provinces_excepted": True, "remote_provinces": REMOTE},
     {"formula": "fee_plus", "fixed": "5"}, "100"),
    ("fast_refund", "极速退款", "Fast refund", "after_sales", True, "active", False, "", None, ALL, 80,
     "发货前申请的退款1小时内到账", "A refund requested before dispatch is paid within 1 hour",
     "赔付3元无门槛代金券", "A ¥3 voucher", {"kind": "refund_within_hours", "hours": 1, "before_dispatch": True},
     {"formula": "fixed", "amount": "3"}, "100"),
    ("nationwide_warranty", "全国联保", "Nationwide warranty", "after_sales", True, "active", True, "", None,
     APPLIANCES_AND_DIGITAL, 90,
     "任一授权网点均受理维修，24小时内响应，30天内修复",
     "Any authorised outlet accepts the repair; response within 24 h, repair done within 30 days",
     P5_ZH, P5_EN, {"kind": "complaint_only", "complaint_type": "repair", "response_hours": 24, "repair_days": 30},
     P5, "100"),
    ("home_delivery", "送货上门", "Home delivery", "after_sales", True, "active", False, "", None,
     ["large_appliances"], 100,
     "商品免费搬运入户", "Goods are carried into the home at no charge",
     P5_ZH, P5_EN, {"kind": "complaint_only", "complaint_type": "logistics"}, P5, "100"),
    ("delivery_install", "送装服务", "Delivery & installation", "after_sales", True, "active", False, "", None,
     ["large_appliances"], 110,
     "在约定日23:59:59前送货并安装完成；未约定的，签收后5天内完成",
     "Delivered and installed by 23:59:59 of the agreed day, or within 5 days of signature when no day was agreed",
     "超时赔付50元；未安装或超时15天以上赔付300元",
     "Late: a ¥50 voucher; not installed or more than 15 days late: ¥300",
     {"kind": "install_by_agreed_day", "default_days_after_signature": 5, "severe_late_days": 15},
     {"formula": "tiered", "late": "50", "severe": "300"}, "300"),
    ("sf_free_shipping", "顺丰包邮", "SF Express free shipping", "dispatch", True, "active", False, "", None, ALL, 120,
     "商家配置的顺丰覆盖区域内使用顺丰配送；覆盖区域外不受此承诺约束",
     "SF Express is the carrier for addresses within the merchant's configured SF coverage; outside it the promise does not apply",
     P5_ZH, P5_EN, {"kind": "sf_carrier"}, P5, "100"),
    ("worry_free_returns", "无忧退换", "Worry-free returns", "after_sales", True, "active", False, "", None, ALL, 130,
     "签收后7天内可退货、15天内可换货（商品完好可二次销售，或存在质量问题）",
     "Returns accepted within 7 days and exchanges within 15 days of receipt (goods resaleable, or a quality fault)",
     P5_ZH, P5_EN, {"kind": "complaint_only", "complaint_type": "return_exchange", "return_days": 7, "exchange_days": 15},
     P5, "100"),
    ("timeliness_display", "时效展示", "Delivery time display", "dispatch", False, "active", False, "", None, ALL, 140,
     "展示承诺送达时间（不监控）", "Promised delivery times are displayed (not monitored)",
     "", "", {"kind": "display_only"}, {}, "100"),
    ("next_day_delivery", "次日必达", "Next-day delivery", "dispatch", True, "active", False, "", None, NOT_LARGE, 150,
     "16:00前付款，次日23:59:59前签收", "Paid before 16:00: signed for by 23:59:59 the next day",
     P5_ZH, P5_EN, {"kind": "signed_by_next_day", "cutoff": "16:00"}, P5, "100"),
    ("late_free_order", "迟到免单", "Late = free", "dispatch", True, "active", False, "", "next_day_delivery",
     NOT_LARGE, 160,
     "与次日必达同时开通：迟到则本单免单", "With next-day delivery: if late, the order is free",
     "按实付金额全额赔付，最高5000元", "The full paid amount, at most ¥5,000",
     {"kind": "signed_by_next_day", "cutoff": "16:00"}, {"formula": "order_amount", "cap": "5000"}, "5000"),
    ("exchange_for_repair", "以换代修", "Exchange instead of repair", "after_sales", True, "active", False, "", None,
     NOT_LARGE, 170,
     "保修期内出现故障直接换新，不维修", "A faulty item within warranty is replaced, not repaired",
     P5_ZH, P5_EN, {"kind": "complaint_only", "complaint_type": "repair"}, P5, "100"),
    ("price_protect_30d", "价保30天", "30-day price protection", "value_added", True, "coming_soon", False, "", None,
     ALL, 180,
     "30天内同SKU降价退差价", "A lower price for the same SKU within 30 days is refunded",
     "差价加5元无门槛代金券", "The difference plus a ¥5 voucher",
     {"kind": "price_protection", "days": 30}, {"formula": "fee_plus", "fixed": "5"}, "100"),
    ("bulky_return_shipping", "大件退货包运费", "Bulky return shipping paid", "value_added", True, "coming_soon", False,
     "", None, ["large_appliances"], 190,
     "大件商品退货运费报销，规则同退货包运费", "As return shipping paid, for bulky items",
     "退货运费加10元无门槛代金券", "The return freight plus a ¥10 voucher",
     {"kind": "return_freight_within_hours", "hours": 72, "return_window_days": 90, "bulky": True},
     {"formula": "fee_plus", "fixed": "10"}, "100"),
]  # fmt: skip

BADGES = [
    ("large_appliances", "la_city", "大家电电器城", "Appliance City · Large appliances",
     ["home_delivery", "worry_free_returns", "nationwide_warranty"], "1.30"),
    ("small_appliances", "sa_city", "小家电电器城", "Appliance City · Small appliances",
     ["timeliness_display", "worry_free_returns", "nationwide_warranty"], "1.20"),
    ("digital_3c", "d3c_city", "3C数码电器城", "Appliance City · 3C digital",
     ["sf_free_shipping", "worry_free_returns", "nationwide_warranty"], "1.20"),
    ("accessories_3c", "a3c_city", "3C配件电器城", "Appliance City · 3C accessories",
     ["sf_free_shipping", "worry_free_returns"], "1.10"),
]  # fmt: skip


DESIGNATED_CITIES = [
    "北京", "上海", "广州", "深圳", "天津", "重庆", "成都", "杭州", "武汉", "南京", "西安", "苏州",
    "郑州", "长沙", "沈阳", "青岛", "宁波", "东莞", "无锡", "济南", "大连", "厦门", "福州", "合肥",
    "昆明", "哈尔滨", "长春", "石家庄", "南宁", "南昌", "贵阳", "太原", "佛山", "温州", "泉州",
]  # fmt: skip


def agreement_texts(name_zh, name_en, promise_zh, promise_en, comp_zh, comp_en):
    zh = (
        f"《{name_zh}服务协议》\n商家自愿开通“{name_zh}”服务标签，并承诺：{promise_zh}。"
        f"\n违背承诺时，平台向消费者发放：{comp_zh or '无'}，金额从商家保证金中扣回。"
        "\n月度考核不达标的，标签将被取消并进入整改期；整改期仍不达标的，3个月内不得再次申请。"
    )
    en = (
        f'"{name_en}" service agreement\nThe merchant opts into the "{name_en}" tag and promises: {promise_en}.'
        f"\nWhen the promise is broken the platform issues to the shopper: {comp_en or 'nothing'}, recovered from the merchant's deposit."
        "\nFailing the monthly evaluation removes the tag for a rectification month; failing again bars new applications for 3 months."
    )
    return zh, en


def seed(apps, schema_editor):
    Tag = apps.get_model("tags", "Tag")
    TagTermsVersion = apps.get_model("tags", "TagTermsVersion")
    CategoryBadge = apps.get_model("tags", "CategoryBadge")
    Category = apps.get_model("merchants", "Category")
    WarrantyReviewRules = apps.get_model("tags", "WarrantyReviewRules")
    categories = {c.code: c for c in Category.objects.all()}

    for (code, zh, en, group, monitored, lifecycle, review, excl, _req, cats, sort,
         p_zh, p_en, c_zh, c_en, terms, comp, cap) in TAGS:  # fmt: skip
        tag, _ = Tag.objects.update_or_create(
            code=code,
            defaults={
                "name_zh": zh, "name_en": en, "group": group, "monitored": monitored,
                "lifecycle": lifecycle, "needs_review": review, "exclusive_group": excl, "sort_order": sort,
            },
        )  # fmt: skip
        tag.categories.set([categories[c] for c in cats if c in categories])
        a_zh, a_en = agreement_texts(zh, en, p_zh, p_en, c_zh, c_en)
        version, _ = TagTermsVersion.objects.get_or_create(
            tag=tag,
            version=1,
            defaults={
                "promise_zh": p_zh, "promise_en": p_en, "compensation_zh": c_zh, "compensation_en": c_en,
                "terms": terms, "compensation": comp, "daily_cap": Decimal(cap),
                "agreement_zh": a_zh, "agreement_en": a_en,
            },
        )  # fmt: skip
        if tag.current_terms_id is None:
            tag.current_terms = version
            tag.save(update_fields=["current_terms"])
    for row in TAGS:
        if row[8]:
            Tag.objects.filter(code=row[0]).update(requires=Tag.objects.get(code=row[8]))

    for cat, code, zh, en, required, boost in BADGES:
        if cat not in categories:
            continue
        badge, _ = CategoryBadge.objects.update_or_create(
            category=categories[cat],
            defaults={
                "code": code, "name_zh": zh, "name_en": en, "title_prefix_zh": "电器城",
                "title_prefix_en": "Appliance City", "search_boost": Decimal(boost), "campaign_eligible": True,
            },
        )  # fmt: skip
        badge.required_tags.set(Tag.objects.filter(code__in=required))

    if not WarrantyReviewRules.objects.exists():
        WarrantyReviewRules.objects.create(designated_cities=DESIGNATED_CITIES)


class Migration(migrations.Migration):
    dependencies = [("tags", "0002_applications_warranty"), ("merchants", "0002_seed_categories")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
