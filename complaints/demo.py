"""Demo data for the desk: complaints in every state (some overdue, some urgent, some upheld against
third parties), appeals, and help requests across scenarios, on the orders the commitments demo made.

Called by `python manage.py demo` after the commitments demo. The first (named) merchants get a
showcase set written through the desk's own services, so vouchers, deposit entries, recovery claims,
breaches and the timeline are exactly what production would leave. The bulk of complaints and help
requests for every other merchant are planned in memory and written with bulk inserts.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count

from commitments.models import Commitment, Order
from core.audit import SYSTEM
from core.calendar import local_date
from core.models import AuditEvent
from merchants.demo import ledger_redate, named_store_ids
from merchants.models import DepositEntry, Membership

from .models import Complaint, ServiceStandard
from .services import (
    HelpRequestItem,
    complaint_accept,
    complaint_appeal_decide,
    complaint_appeal_file,
    complaint_decide,
    complaint_file,
    complaint_merchant_respond,
    complaint_start_review,
    complaint_withdraw,
    complaints_escalate_overdue,
    help_requests_ingest,
)
from .services.decisions import SOURCE_TYPE as COMPLAINT_SOURCE
from .services.workflow import complaint_due

BATCH = 2000
SHOWCASE_MERCHANTS = 3

CARRIERS = ["顺丰速运", "中通快递", "圆通速递", "京东物流", "德邦快递", "韵达快递"]
BRAND_SERVICES = ["海尔服务（授权网点）", "美的售后服务中心", "格力授权安装服务商", "小米之家售后"]

# What shoppers write, by complaint type and the product's category, with the merchant's answer and
# the desk's reason either way, so that a decision always speaks to its own complaint.
# (text, merchant response, reason when upheld, reason when rejected)
CASES: dict[str, dict[str, list[tuple[str, str, str, str]]]] = {
    "logistics": {
        "large_appliances": [
            (
                "说好送货上门，结果冰箱放在小区驿站让我自己搬，一百多斤搬不动。",
                "已联系物流补送上门，今天下午师傅送货入户，附预约短信截图。",
                "商家承诺送货上门，驿站签收照片显示货物未入户，投诉成立。",
                "物流轨迹与签收照片显示货物已送至消费者家中，消费者本人签收。",
            ),
            (
                "洗衣机外箱破损严重，侧面凹进去一块，送货员不让开箱验货。",
                "出库照片显示外箱完好，已安排上门检测，如有损坏直接换新。",
                "签收时外箱破损照片清晰，商家未能证明出库后完好运输，投诉成立。",
                "开箱视频显示机身无损伤，外箱轻微压痕不影响使用。",
            ),
        ],
        "small_appliances": [
            (
                "电饭煲物流三天没有更新，客服一直说在路上。",
                "已向快递公司发起查件，附查件工单号，今天已恢复派送。",
                "物流停滞超过72小时，商家未主动跟进也未补发，投诉成立。",
                "物流轨迹显示包裹于次日恢复运输并已签收，延迟属承运商正常中转。",
            ),
        ],
        "digital_3c": [
            (
                "下单选的顺丰包邮，实际发的是普通快递，路上走了五天。",
                "因仓库顺丰揽收延误改发其他快递，已补偿顾客并附说明。",
                "商家承诺顺丰发货却改用其他快递，未提前告知消费者，投诉成立。",
                "收货地址不在商家登记的顺丰覆盖范围内，页面已注明改发其他快递。",
            ),
        ],
        "accessories_3c": [
            (
                "充电器快递显示已签收，但我根本没收到，快递柜里也没有。",
                "已联系快递核实投递记录，附快递员投递照片，已为顾客补发。",
                "签收记录为代签，无消费者本人或约定代收点签收凭证，投诉成立。",
                "快递员投递照片显示包裹放入消费者指定的快递柜并已取件。",
            ),
        ],
    },
    "appearance_consistency": {
        "large_appliances": [
            (
                "详情页写一级能效，收到的冰箱能效标签是三级。",
                "经核实该批次为一级能效，附能效备案截图与出厂标签照片。",
                "实物能效标签与详情页描述不一致，商家未能举证，投诉成立。",
                "消费者上传照片中的标签为包装箱上的旧版标签，机身铭牌为一级能效。",
            ),
        ],
        "small_appliances": [
            (
                "收到的空气炸锅颜色和详情页不一样，页面是奶白色，实物是灰色。",
                "下单选择的是“雾霾灰”款，附订单规格截图。",
                "实物颜色与消费者所购规格不符，商家发错颜色，投诉成立。",
                "订单记录显示消费者所选规格即为灰色，实物与订单一致。",
            ),
        ],
        "digital_3c": [
            (
                "页面写的是256G，收到的手机只有128G。",
                "已核对出库序列号，确为仓库错发，已安排换货。",
                "实物存储容量与详情页及订单规格不符，投诉成立。",
                "序列号查询结果为256G版本，消费者截图为系统占用后的可用空间。",
            ),
        ],
        "accessories_3c": [
            (
                "数据线详情页写支持100W快充，实际只能充到20W。",
                "该线材支持100W，需配合100W充电器使用，附检测报告。",
                "检测报告显示线材仅支持60W，与详情页100W描述不符，投诉成立。",
                "第三方检测报告显示线材支持100W，消费者使用的是20W充电头。",
            ),
        ],
    },
    "installation": {
        "large_appliances": [
            (
                "约好周六上门安装空调，师傅没来也没打电话。",
                "安装师傅临时改约未及时通知，已重新预约并赠送延保。",
                "商家未按约定时间安装且未提前告知，投诉成立。",
                "通话记录显示消费者主动要求改期，新约定时间内已完成安装。",
            ),
            (
                "安装热水器师傅额外收了120元材料费，页面写免费安装。",
                "材料费为消费者自选的加长管件，附收费清单。",
                "页面承诺免费安装，额外收费无消费者书面同意，投诉成立。",
                "收费清单显示为消费者自行要求加装的管件，页面已标注另计费用。",
            ),
        ],
        "small_appliances": [
            (
                "买的净水器包安装，下单十天了一直没人联系上门。",
                "已联系当地服务商，明天上午上门安装，附派工单。",
                "超过承诺安装时限且未联系消费者，投诉成立。",
                "派工记录显示师傅三次致电消费者未接通，并已短信告知。",
            ),
        ],
        "digital_3c": [
            (
                "智能门锁说包安装，师傅来了说门不适配，白跑一趟。",
                "下单前客服已提醒测量门厚，附聊天记录，已安排退款。",
                "商家未在售前核实门型适配，安装失败未给出解决方案，投诉成立。",
                "聊天记录显示消费者下单前已被告知门型要求并确认适配。",
            ),
        ],
        "accessories_3c": [
            (
                "买的壁挂支架页面写含安装，结果只寄了配件。",
                "该款为自行安装款，详情页已注明，附页面截图。",
                "详情页标注含上门安装，商家未履行，投诉成立。",
                "详情页与订单均注明“不含安装”，消费者误解页面描述。",
            ),
        ],
    },
    "quality": {
        "large_appliances": [
            (
                "洗衣机用了一周，脱水时剧烈抖动还有异响。",
                "已安排售后上门检测，确认为运输固定螺栓未拆除，已现场处理。",
                "售后检测确认为电机故障，属产品质量问题，投诉成立。",
                "售后检测为运输螺栓未拆除，拆除后运行正常，不属质量问题。",
            ),
        ],
        "small_appliances": [
            (
                "电水壶用了三天，开机十分钟就自动断电，换了插座也一样。",
                "已为顾客办理换新，附换货单号。",
                "检测确认温控器故障，属产品质量问题，投诉成立。",
                "检测产品正常，断电为干烧保护正常触发。",
            ),
        ],
        "digital_3c": [
            (
                "新买的平板屏幕有一条亮线，开机就有。",
                "已安排寄回检测，检测属实直接换新。",
                "官方检测确认屏幕硬件缺陷，签收7天内出现，属质量问题，投诉成立。",
                "检测报告显示屏幕有外力挤压痕迹，属人为损坏。",
            ),
        ],
        "accessories_3c": [
            (
                "充电宝充了两次就充不进电了。",
                "已为顾客补发新品，并请寄回故障件检测。",
                "检测确认电芯故障，属产品质量问题，投诉成立。",
                "检测产品充放电正常，消费者使用的充电线不支持输入。",
            ),
        ],
    },
    "return_exchange": {
        "large_appliances": [
            (
                "电视签收第三天申请七天无理由退货，商家说已拆封不给退。",
                "已同意退货，安排物流上门取件。",
                "商品包装完好可二次销售，符合七天无理由退货条件，商家拒绝不当，投诉成立。",
                "取件检查发现屏幕有划痕，影响二次销售，不符合无理由退货条件。",
            ),
        ],
        "small_appliances": [
            (
                "吸尘器有质量问题申请换货，商家一直不处理。",
                "换货申请已审核通过，新机今日发出，附快递单号。",
                "消费者换货申请超过48小时未处理，投诉成立。",
                "商家已在规定时限内同意换货，消费者未寄回原商品。",
            ),
        ],
        "digital_3c": [
            (
                "耳机七天无理由退货，寄回后商家说配件不全拒绝退款。",
                "收到退货缺少充电盒，附开箱视频，顾客补寄后立即退款。",
                "商家未提供拆包视频证明配件缺失，投诉成立。",
                "商家开箱视频完整清晰，显示退回商品缺少充电盒。",
            ),
        ],
        "accessories_3c": [
            (
                "手机壳尺寸不对申请换货，商家让我自己出运费。",
                "已为顾客报销换货运费，附转账记录。",
                "商家承诺无忧退换，运费应由商家承担，投诉成立。",
                "消费者下单时选错型号，页面已注明非质量问题换货运费自理。",
            ),
        ],
    },
    "repair": {
        "large_appliances": [
            (
                "冰箱不制冷，全国联保报修五天了没人上门。",
                "已催促授权网点，明天上门维修，附派工单。",
                "授权网点超过24小时未响应，维修超期，投诉成立。",
                "网点记录显示次日已上门，消费者家中无人，已改约。",
            ),
        ],
        "small_appliances": [
            (
                "扫地机器人寄修一个月了还没修好寄回。",
                "维修配件已到货，本周内修好寄回，附维修进度截图。",
                "维修超过30天承诺期限，投诉成立。",
                "维修记录显示已于第20天修好寄回，消费者未及时取件。",
            ),
        ],
        "digital_3c": [
            (
                "笔记本保修期内主板坏了，网点说要寄回厂家，已经超过一个月。",
                "已为顾客申请以换代修，新机今日发出。",
                "保修期内维修超过30天，商家承诺以换代修未履行，投诉成立。",
                "维修记录显示故障由进液导致，不在保修范围内。",
            ),
        ],
        "accessories_3c": [
            (
                "智能手表保修期内充不进电，商家让我自己找售后。",
                "已为顾客登记寄修，运费由我方承担。",
                "商家承诺全国联保却推诿售后，投诉成立。",
                "商家已在24小时内提供寄修地址和预付运单。",
            ),
        ],
    },
    "personal_injury": {
        "large_appliances": [
            (
                "燃气灶打火时回火，烫伤了手臂，已去医院处理。",
                "已派技术人员上门检测，先行承担医疗费用，附垫付凭证。",
                "检测确认灶具阀门缺陷导致回火，造成人身伤害，投诉成立。",
                "检测显示燃气软管为消费者自行更换的非标配件，与产品无关。",
            ),
        ],
        "small_appliances": [
            (
                "电热水壶把手断裂，开水烫伤手背，已就医。",
                "已联系顾客承担医疗费用并召回该批次产品。",
                "把手断裂属产品结构缺陷，造成人身伤害，投诉成立。",
                "检测显示把手断口为外力撞击所致，非产品缺陷。",
            ),
        ],
        "digital_3c": [
            (
                "手机充电时电池鼓包发烫，烫伤了孩子的手。",
                "已回收手机送检，并先行承担医疗费用。",
                "检测确认电池缺陷导致过热，造成人身伤害，投诉成立。",
                "检测显示使用了非原装快充头导致过热，与产品质量无关。",
            ),
        ],
        "accessories_3c": [
            (
                "充电宝充电时鼓包冒烟，烫伤了手。",
                "已回收产品送检，并先行承担医疗费用。",
                "检测确认电芯缺陷，产品存在安全隐患，造成人身伤害，投诉成立。",
                "检测显示产品曾被浸水，属使用不当。",
            ),
        ],
    },
    "invoice": {
        "large_appliances": [
            (
                "申请开发票一周了还没开，要拿去单位报销。",
                "发票已于今日开具并发送至顾客邮箱，附开票记录。",
                "消费者申请开票超过3个工作日未开具，投诉成立。",
                "开票记录显示发票已在申请次日发送至消费者预留邮箱。",
            ),
        ],
        "small_appliances": [
            (
                "要求开增值税专票，商家要加收6%税点。",
                "已按原价开具专票，未额外收费，附开票记录。",
                "商家以开票为由加收费用，违反正品发票承诺，投诉成立。",
                "开票记录显示专票已按原价开具，未收取额外费用。",
            ),
        ],
        "digital_3c": [
            (
                "发票抬头开错了，联系客服重开一直拖着。",
                "已作废原发票并按正确抬头重新开具，附新发票。",
                "重开发票超过3个工作日未处理，投诉成立。",
                "消费者提交的抬头即为开具的抬头，商家已按申请开票。",
            ),
        ],
        "accessories_3c": [
            (
                "买了三件配件，发票只开了一件的金额。",
                "已补开差额发票，附开票记录。",
                "发票金额与实付金额不符，投诉成立。",
                "另两件为赠品，实付金额与发票金额一致。",
            ),
        ],
    },
}


def _case(rng: random.Random, standard: str, category: str) -> tuple[str, str, str, str]:
    """A complaint that fits the order: its type and the product's category."""
    by_category = CASES[standard]
    return rng.choice(by_category.get(category) or next(iter(by_category.values())))


HELP_SCENARIOS = [
    ("urge_dispatch", 30),
    ("urge_logistics", 25),
    ("logistics_stalled", 12),
    ("missing_items", 8),
    ("install_appointment", 10),
    ("invoice", 7),
    ("refund", 6),
    ("other", 2),
]
STANDARD_WEIGHTS = [
    ("logistics", 30),
    ("quality", 18),
    ("installation", 12),
    ("return_exchange", 12),
    ("repair", 10),
    ("appearance_consistency", 8),
    ("invoice", 7),
    ("personal_injury", 3),
]
# Tags a complaint of a type may be about ("promised home delivery, left at the station").
TAG_FOR_STANDARD = {
    "logistics": ("home_delivery", "sf_free_shipping"),
    "installation": ("delivery_install",),
    "repair": ("nationwide_warranty", "exchange_for_repair"),
    "return_exchange": ("worry_free_returns",),
    "invoice": ("genuine_invoice",),
}
PNG = b"\x89PNG\r\n\x1a\n" + bytes(120)


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([k for k, _ in pairs], weights=[w for _, w in pairs])[0]


class _DueCache:
    """Due dates per Shanghai filing date: one calendar lookup per distinct day, not per complaint."""

    def __init__(self):
        self.by_day: dict[date, tuple[datetime, bool]] = {}

    def __call__(self, filed_at: datetime) -> tuple[datetime, bool]:
        day = local_date(filed_at)
        if day not in self.by_day:
            self.by_day[day] = complaint_due(filed_at)
        return self.by_day[day]


def _orders(merchant_ids: list[int]) -> list[tuple]:
    return list(
        Order.objects.filter(merchant_id__in=merchant_ids)
        .order_by("pk")
        .values_list(
            "pk", "external_id", "merchant_id", "shopper_ref", "paid_amount", "paid_at", "category__code"
        )
    )


def _tags_by_order(order_ids: list[int]) -> dict[int, dict[str, int]]:
    result: dict[int, dict[str, int]] = {}
    for start in range(0, len(order_ids), 5000):
        for order_id, code, tag_id in Commitment.objects.filter(
            order_id__in=order_ids[start : start + 5000]
        ).values_list("order_id", "tag__code", "tag_id"):
            result.setdefault(order_id, {})[code] = tag_id
    return result


def _showcase(rng, orders, tags_by_order, now, adjudicator, owner_by_merchant) -> Counter:
    """Through the services: every state, urgent, overdue, third parties, an appeal each way."""
    counts: Counter = Counter()
    # (standard, final state, responsibility, days ago filed)
    # (standard, final state, responsibility, days ago filed, appeal: "" | "filed" | "upheld"),
    # the most telling first: small shops have only a few orders.
    script = [
        ("logistics", "awaiting_merchant", "", 0.5, ""),
        ("installation", "upheld", "merchant", 20, "upheld"),
        ("logistics", "upheld", "third_party", 6, ""),
        ("logistics", "upheld", "merchant", 40, ""),  # before the 30 days tag applications look at
        ("personal_injury", "under_review", "", 1, ""),
        ("repair", "under_review", "", 12, ""),  # overdue
        ("quality", "upheld", "merchant", 3, "filed"),
        ("quality", "rejected", "shopper", 8, ""),
        ("installation", "filed", "", 0.1, ""),
        ("appearance_consistency", "accepted", "", 0.3, ""),
        ("return_exchange", "withdrawn", "", 3, ""),
        ("invoice", "upheld", "platform", 5, ""),
        ("repair", "upheld", "third_party", 9, ""),
        ("quality", "awaiting_merchant", "", 1, ""),
    ]
    unused = list(orders)
    for n, (code, state, responsibility, days_ago, appeal_to) in enumerate(script):
        # An order paid (and delivered) before the complaint about it; the preferred order first.
        order = next((o for o in unused if o[5] <= now - timedelta(days=days_ago + 3)), None)
        if order is None:
            if not unused:
                break
            order = unused[0]
        unused.remove(order)
        order_pk, ext, merchant_id, shopper, paid, paid_at, category = order
        text, response, upheld_reason, rejected_reason = _case(rng, code, category)
        # An order paid in the last two hours is complained about now, not in the future.
        filed_at = min(max(now - timedelta(days=days_ago), paid_at + timedelta(hours=2)), now)
        tag = next((t for t in TAG_FOR_STANDARD.get(code, ()) if t in tags_by_order.get(order_pk, {})), "")
        complaint, _ = complaint_file(
            external_id=f"DEMO-S{merchant_id}-{n:02d}",
            order_external_id=ext,
            merchant_id=merchant_id,
            standard_code=code,
            text=text,
            claimed_amount=min(paid, Decimal(rng.choice([0, 50, 100, 300]))),
            tag_code=tag,
            filed_at=filed_at,
            files=[SimpleUploadedFile(f"shopper-{n}.png", PNG, content_type="image/png")],
        )
        counts[state] += 1
        if state == "filed":
            continue
        step = filed_at + timedelta(hours=3)
        if state == "withdrawn":
            complaint_withdraw(
                complaint_id=complaint.pk, reason="消费者已与商家协商解决", actor=adjudicator, now=step
            )
            continue
        complaint_accept(
            complaint_id=complaint.pk,
            ask_merchant=None if state == "accepted" else code != "personal_injury",
            actor=adjudicator,
            now=step,
        )
        if state == "accepted":
            continue
        if state == "awaiting_merchant":
            continue
        owner = owner_by_merchant.get(merchant_id)
        complaint.refresh_from_db(fields=["state"])
        if complaint.state == "awaiting_merchant":
            if rng.random() < 0.6:
                complaint_merchant_respond(
                    complaint_id=complaint.pk,
                    merchant_id=merchant_id,
                    text=response,
                    files=[SimpleUploadedFile(f"merchant-{n}.png", PNG, content_type="image/png")],
                    actor=owner,
                    now=step + timedelta(hours=rng.randint(2, 40)),
                )
            else:
                complaint_start_review(complaint_id=complaint.pk, actor=None, now=step + timedelta(hours=48))
        if state == "under_review":
            continue
        decided_at = min(now - timedelta(hours=1), filed_at + timedelta(hours=rng.randint(50, 110)))
        third = rng.choice(CARRIERS if code == "logistics" else BRAND_SERVICES)
        complaint_decide(
            complaint_id=complaint.pk,
            outcome=state,
            responsibility=responsibility,
            third_party_name=third if responsibility == "third_party" else "",
            reason=upheld_reason if state == "upheld" else rejected_reason,
            actor=adjudicator,
            now=decided_at,
        )
        if appeal_to and owner is not None:
            appeal = complaint_appeal_file(
                complaint_id=complaint.pk,
                merchant_id=merchant_id,
                reason=f"我们不认可该判定：{rejected_reason}",
                files=[
                    SimpleUploadedFile(
                        f"appeal-{n}.pdf", b"%PDF-1.4\n" + bytes(80), content_type="application/pdf"
                    )
                ],
                actor=owner,
                now=decided_at + timedelta(days=2),
            )
            counts["appeals"] += 1
            if appeal_to == "upheld":
                complaint_appeal_decide(
                    appeal_id=appeal.pk, outcome="upheld", reason="工单与通话记录属实", actor=adjudicator
                )
    return counts


def _bulk_complaints(rng, orders, tags_by_order, now, start_index: int) -> tuple[Counter, list[int]]:
    """Open and closed complaints without money (filed, accepted, awaiting, under review, rejected, withdrawn)."""
    standards = dict(ServiceStandard.objects.values_list("code", "pk"))
    urgent_codes = set(ServiceStandard.objects.filter(urgent=True).values_list("code", flat=True))
    due = _DueCache()
    rows: list[Complaint] = []
    uphold: list[Complaint] = []
    counts: Counter = Counter()
    for n, (order_pk, ext, merchant_id, shopper, paid, paid_at, category) in enumerate(
        orders, start=start_index
    ):
        code = _weighted(rng, STANDARD_WEIGHTS)
        text, response, upheld_reason, rejected_reason = _case(rng, code, category)
        state = _weighted(
            rng,
            [
                ("filed", 6),
                ("awaiting_merchant", 14),
                ("under_review", 16),
                ("upheld", 22),
                ("rejected", 22),
                ("withdrawn", 14),
            ],
        )
        to_uphold = state == "upheld"
        if to_uphold:
            state = "under_review"  # written open, then decided through the service (money moves)
        age_days = rng.uniform(0.05, 4) if state in ("filed", "awaiting_merchant") else rng.uniform(0.5, 25)
        filed_at = max(now - timedelta(days=age_days), paid_at + timedelta(hours=1))
        if filed_at > now:
            filed_at = now - timedelta(minutes=5)
        due_at, fallback = due(filed_at)
        tag_code = next(
            (t for t in TAG_FOR_STANDARD.get(code, ()) if t in tags_by_order.get(order_pk, {})), None
        )
        accepted = filed_at + timedelta(hours=rng.uniform(1, 8)) if state != "filed" else None
        if accepted is not None and accepted > now:
            accepted = now
        row = Complaint(
            external_id=f"DEMO-C{n:07d}",
            order_id=order_pk,
            merchant_id=merchant_id,
            standard_id=standards[code],
            tag_id=tags_by_order.get(order_pk, {}).get(tag_code) if tag_code else None,
            shopper_ref=shopper,
            text=text,
            claimed_amount=min(paid, Decimal(rng.choice([0, 0, 20, 50, 100, 200]))),
            filed_at=filed_at,
            state=state,
            urgent=code in urgent_codes,
            due_at=due_at,
            due_fallback=fallback,
            accepted_at=accepted,
        )
        if state == "awaiting_merchant":
            row.merchant_response_due_at = accepted + timedelta(hours=48)
        if state in ("under_review", "rejected"):
            row.merchant_response_due_at = accepted + timedelta(hours=48)
            if rng.random() < 0.7:
                row.responded_at = min(now, accepted + timedelta(hours=rng.uniform(2, 46)))
                row.response_text = response
            else:
                row.response_lapsed = True
            row.review_started_at = min(now, row.responded_at or row.merchant_response_due_at)
        if state == "rejected":
            row.decided_at = min(
                now - timedelta(minutes=10), filed_at + timedelta(hours=rng.uniform(30, 150))
            )
            row.closed_at = row.decided_at
            row.responsibility = "shopper"
            row.decision_reason = rejected_reason
            row.payout = "none"
            row.recovery = "none"
            row.counts_in_metrics = False
        if state == "withdrawn":
            row.closed_at = min(now, filed_at + timedelta(hours=rng.uniform(2, 72)))
        if to_uphold:
            row.demo_code = code
            row.demo_reason = upheld_reason
            uphold.append(row)
        else:
            counts[state] += 1
        row.filed_audit = {"order": ext, "standard": code, "files": 0}  # what complaint_file records
        rows.append(row)
    for start in range(0, len(rows), BATCH):
        batch = Complaint.objects.bulk_create(rows[start : start + BATCH])
        AuditEvent.objects.bulk_create(
            [
                AuditEvent(
                    actor_label=SYSTEM,
                    verb="complaint.filed",
                    target_type="complaints.complaint",
                    target_id=str(c.pk),
                    data=c.filed_audit,
                )
                for c in batch
            ]
        )
    return counts, uphold


# The desk's timeline is the complaint's audit trail; the services stamp each event when it is
# written, i.e. at seeding. Each is dated by the complaint field that records the same step.
AUDIT_STEP_TIMES = {
    "complaint.filed": "filed_at",
    "complaint.accepted": "accepted_at",
    "complaint.merchant_asked": "accepted_at",
    "complaint.merchant_responded": "responded_at",
    "complaint.review_started": "review_started_at",
    "complaint.upheld": "decided_at",
    "complaint.rejected": "decided_at",
    "complaint.platform_absorbed": "decided_at",
    "complaint.withdrawn": "closed_at",
}


def _date_audit_trail() -> int:
    fields = sorted(set(AUDIT_STEP_TIMES.values()))
    times = {
        str(row[0]): dict(zip(fields, row[1:], strict=True))
        for row in Complaint.objects.values_list("pk", *fields)
    }
    events = []
    for event in AuditEvent.objects.filter(
        target_type="complaints.complaint", verb__in=list(AUDIT_STEP_TIMES), target_id__in=list(times)
    ).only("pk", "verb", "target_id", "created_at"):
        at = times[event.target_id][AUDIT_STEP_TIMES[event.verb]]
        if at is not None and at != event.created_at:
            event.created_at = at
            events.append(event)
    AuditEvent.objects.bulk_update(events, ["created_at"], batch_size=BATCH)
    return len(events)


def _uphold_many(rng, complaints: list[Complaint], now, adjudicator) -> Counter:
    """Decide through the service: voucher, deposit entry or recovery claim, breach — as in production."""
    counts: Counter = Counter()
    for complaint in complaints:
        responsibility = _weighted(rng, [("merchant", 60), ("third_party", 25), ("platform", 15)])
        standard_code = complaint.demo_code
        decided_at = min(
            now - timedelta(minutes=5), complaint.filed_at + timedelta(hours=rng.uniform(20, 160))
        )
        complaint_decide(
            complaint_id=complaint.pk,
            outcome="upheld",
            responsibility=responsibility,
            third_party_name=rng.choice(CARRIERS if standard_code == "logistics" else BRAND_SERVICES)
            if responsibility == "third_party"
            else "",
            reason=complaint.demo_reason,
            actor=adjudicator,
            now=decided_at,
        )
        counts["upheld"] += 1
    return counts


def _help_requests(rng, orders, now, share: float) -> int:
    """Shoppers asking the platform for help on about `share` of the orders, received through the
    same service as the integration API (so they mark the score's days as ingestion does)."""
    items = []
    for order_pk, ext, _merchant, _shopper, _paid, paid_at, _category in orders:
        if rng.random() >= share:
            continue
        for k in range(1 if rng.random() < 0.85 else 2):
            items.append(
                HelpRequestItem(
                    external_id=f"DEMO-H{order_pk}-{k}",
                    order_external_id=ext,
                    scenario=_weighted(rng, HELP_SCENARIOS),
                    requested_at=min(now, paid_at + timedelta(hours=rng.uniform(2, 120))),
                )
            )
    created = 0
    for start in range(0, len(items), BATCH):
        created += help_requests_ingest(items=items[start : start + BATCH])["created"]
    return created


def generate(*, rng: random.Random, merchant_ids: list[int], now: datetime, stdout, scale: dict) -> dict:
    orders = _orders(merchant_ids)
    if not orders:
        stdout.write("complaints: no orders yet (the commitments demo makes them); nothing to complain about")
        return {"complaints": 0, "help_requests": 0}
    User = get_user_model()
    adjudicator = User.objects.filter(username="adjudicator").first()

    showcase_ids = merchant_ids[:SHOWCASE_MERCHANTS]
    owner_by_merchant = {
        m.merchant_id: m.user
        for m in Membership.objects.filter(
            merchant_id__in=showcase_ids, role="merchant_owner"
        ).select_related("user")
    }
    by_merchant: dict[int, list[tuple]] = {}
    for row in orders:
        by_merchant.setdefault(row[2], []).append(row)
    tags_by_order = _tags_by_order([row[0] for row in orders])

    counts: Counter = Counter()
    for merchant_id in showcase_ids:
        mine = by_merchant.get(merchant_id, [])
        # Prefer orders that carry commitments so tag-linked complaints show breaches.
        mine = sorted(mine, key=lambda r: (r[0] not in tags_by_order, r[0]))
        counts.update(_showcase(rng, mine, tags_by_order, now, adjudicator, owner_by_merchant))

    # The showcase shops have their scripted set; about 1% of the other shops' orders get a complaint,
    # a few get two (one order, several complaints).
    # (a third of that for the other official stores, large shops that keep their fault rate low).
    named = set(named_store_ids(merchant_ids))
    rest = [row for row in orders if row[2] not in showcase_ids]
    picked = [row for row in rest if rng.random() < (0.0033 if row[2] in named else 0.01)]
    picked += [row for row in picked if rng.random() < 0.1]
    bulk_counts, uphold = _bulk_complaints(rng, picked, tags_by_order, now, start_index=0)
    counts.update(bulk_counts)
    counts.update(_uphold_many(rng, uphold, now, adjudicator))
    # Recoveries from the deposit were posted when each complaint was decided.
    decided = {
        str(pk): at
        for pk, at in Complaint.objects.filter(decided_at__isnull=False).values_list("pk", "decided_at")
    }
    ledger_redate(
        {
            pk: decided[source_id] + timedelta(seconds=5)
            for pk, source_id in DepositEntry.objects.filter(
                source_type=COMPLAINT_SOURCE, source_id__in=list(decided)
            ).values_list("pk", "source_id")
        }
    )
    helped = _help_requests(rng, orders, now, share=0.015)
    escalated = complaints_escalate_overdue(now=now)
    _date_audit_trail()
    return {
        "complaints": Complaint.objects.count(),
        **{f"state_{k}": v for k, v in sorted(_state_counts().items())},
        "urgent_open": Complaint.objects.filter(urgent=True, state__in=Complaint.OPEN_STATES).count(),
        "overdue_escalated": escalated,
        "third_party_claims": Complaint.objects.filter(recovery="third_party_claim").count(),
        "appeals": counts["appeals"],
        "help_requests": helped,
    }


def _state_counts() -> dict[str, int]:
    return dict(Complaint.objects.values("state").annotate(n=Count("pk")).values_list("state", "n"))
