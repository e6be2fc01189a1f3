"""Demo data for merchants: shops with Chinese and English names, members, brands, products, deposits.

Called by the demo orchestrator (`python manage.py demo`, core/management/commands/demo.py) through
`generate(...)`. Everything is decided first by `plan_merchants(rng, n)` (pure, deterministic for a
seed) and then written with bulk inserts in batches, so 20,000 merchants take seconds, not minutes.

Deposits are written as ledger rows (top-ups) whose running `balance_after` and the account's
`balance` agree, exactly as `deposit_post_entry` would leave them; most merchants hold at least
their category's requirement, some new shops hold less and carry the "top up within 14 days" flag.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import models
from tqdm import tqdm

from core.roles import MERCHANT_OWNER, MERCHANT_STAFF

from .models import Brand, Category, DepositAccount, DepositEntry, Membership, Merchant, Product
from .services import memo_fields

DEMO_PASSWORD = "demo-pass-2024"
BATCH = 1000  # merchants per batch; each batch is a handful of bulk INSERTs

LARGE, SMALL, DIGITAL, ACCESSORIES = "large_appliances", "small_appliances", "digital_3c", "accessories_3c"

# (zh, en, slug, large-appliance brand, categories it sells in, weight)
BRANDS: list[tuple[str, str, str, bool, tuple[str, ...], int]] = [
    ("海尔", "Haier", "haier", True, (LARGE, SMALL), 10),
    ("美的", "Midea", "midea", True, (LARGE, SMALL), 10),
    ("格力", "Gree", "gree", True, (LARGE, SMALL), 7),
    ("西门子", "Siemens", "siemens", True, (LARGE, SMALL), 5),
    ("松下", "Panasonic", "panasonic", True, (LARGE, SMALL), 4),
    ("海信", "Hisense", "hisense", True, (LARGE,), 5),
    ("TCL", "TCL", "tcl", True, (LARGE, DIGITAL), 4),
    ("小天鹅", "Little Swan", "littleswan", True, (LARGE,), 4),
    ("容声", "Ronshen", "ronshen", True, (LARGE,), 3),
    ("方太", "Fotile", "fotile", True, (LARGE,), 3),
    ("老板", "Robam", "robam", True, (LARGE,), 2),
    ("苏泊尔", "Supor", "supor", False, (SMALL,), 6),
    ("九阳", "Joyoung", "joyoung", False, (SMALL,), 6),
    ("戴森", "Dyson", "dyson", False, (SMALL,), 3),
    ("飞利浦", "Philips", "philips", False, (SMALL, ACCESSORIES), 4),
    ("小熊", "Bear", "bear", False, (SMALL,), 4),
    ("科沃斯", "Ecovacs", "ecovacs", False, (SMALL,), 3),
    ("小米", "Xiaomi", "xiaomi", False, (DIGITAL, SMALL, ACCESSORIES), 9),
    ("华为", "Huawei", "huawei", False, (DIGITAL, ACCESSORIES), 8),
    ("荣耀", "Honor", "honor", False, (DIGITAL, ACCESSORIES), 5),
    ("OPPO", "OPPO", "oppo", False, (DIGITAL,), 4),
    ("vivo", "vivo", "vivo", False, (DIGITAL,), 4),
    ("苹果", "Apple", "apple", False, (DIGITAL, ACCESSORIES), 4),
    ("索尼", "Sony", "sony", False, (DIGITAL, ACCESSORIES), 3),
    ("联想", "Lenovo", "lenovo", False, (DIGITAL, ACCESSORIES), 5),
    ("安克", "Anker", "anker", False, (ACCESSORIES,), 5),
    ("绿联", "Ugreen", "ugreen", False, (ACCESSORIES,), 5),
    ("倍思", "Baseus", "baseus", False, (ACCESSORIES,), 4),
    ("罗技", "Logitech", "logitech", False, (ACCESSORIES, DIGITAL), 3),
    ("漫步者", "Edifier", "edifier", False, (ACCESSORIES, DIGITAL), 3),
]
BRAND_BY_SLUG = {b[2]: b for b in BRANDS}

# (title after the brand, lowest price, highest price, bulky)
PRODUCTS: dict[str, list[tuple[str, int, int, bool]]] = {
    LARGE: [
        ("滚筒洗衣机 10公斤 变频 家用全自动", 1999, 4999, True),
        ("波轮洗衣机 8公斤 大容量 家用", 899, 1999, True),
        ("1.5匹 新一级能效 变频冷暖 壁挂式空调", 2299, 3999, True),
        ("3匹 新一级能效 变频冷暖 立式柜机空调", 5999, 9999, True),
        ("十字对开门冰箱 500升 风冷无霜 一级能效", 3499, 6999, True),
        ("双门冰箱 218升 家用小型", 1299, 1999, True),
        ("65英寸 4K超高清 智能液晶电视", 2999, 6999, True),
        ("60升 电热水器 一级能效 速热", 999, 2499, True),
        ("燃气热水器 16升 零冷水 恒温", 1499, 3299, True),
        ("嵌入式洗碗机 13套 热风烘干", 3999, 6999, True),
        ("侧吸式油烟机 大吸力 自动清洗", 1999, 4999, True),
    ],
    SMALL: [
        ("电饭煲 4L 智能预约 IH加热", 299, 899, False),
        ("电压力锅 5L 双胆 家用", 299, 699, False),
        ("破壁料理机 加热 多功能 低音", 399, 1299, False),
        ("豆浆机 1.2L 免滤 预约", 199, 499, False),
        ("空气炸锅 5.5L 可视 不用翻面", 249, 599, False),
        ("电热水壶 1.7L 304不锈钢", 89, 199, False),
        ("无线吸尘器 手持 大吸力", 999, 4499, False),
        ("扫地机器人 扫拖一体 自动集尘", 1999, 4999, False),
        ("电吹风 负离子 速干 护发", 199, 2999, False),
        ("加湿器 4L 上加水 静音", 149, 399, False),
        ("直流变频 落地扇 遥控", 199, 599, False),
    ],
    DIGITAL: [
        ("5G手机 12GB+256GB 全网通", 1999, 6999, False),
        ("平板电脑 11英寸 8GB+128GB", 1499, 4999, False),
        ("轻薄笔记本电脑 14英寸 16GB 512GB", 3999, 8999, False),
        ("游戏本 16英寸 高刷屏 独立显卡", 6999, 12999, False),
        ("智能手表 运动健康 蓝牙通话", 599, 2999, False),
        ("真无线降噪蓝牙耳机", 299, 1999, False),
        ("便携蓝牙音箱 防水", 199, 999, False),
        ("微单相机 4K视频 套机", 4999, 14999, False),
    ],
    ACCESSORIES: [
        ("65W 氮化镓充电器 多口快充", 99, 249, False),
        ("20000mAh 移动电源 22.5W快充", 99, 199, False),
        ("Type-C 数据线 1米 100W快充", 19, 69, False),
        ("手机壳 全包防摔 磨砂", 29, 99, False),
        ("钢化膜 高清全屏 2片装", 19, 49, False),
        ("无线鼠标 静音 办公", 59, 299, False),
        ("机械键盘 有线 背光", 199, 699, False),
        ("七合一 USB-C 扩展坞", 149, 399, False),
        ("车载充电器 双口快充", 49, 129, False),
    ],
}

# (zh, en) of the product line a brand store may specialise in.
LINES = {
    LARGE: [
        ("洗衣机", "Washers"),
        ("空调", "Air Conditioners"),
        ("冰箱", "Refrigerators"),
        ("厨电", "Kitchen"),
    ],
    SMALL: [
        ("厨房电器", "Kitchen Appliances"),
        ("生活电器", "Home Appliances"),
        ("个护电器", "Personal Care"),
    ],
    DIGITAL: [("手机", "Phones"), ("电脑", "Computers"), ("影音", "Audio & Video")],
    ACCESSORIES: [("配件", "Accessories"), ("数码配件", "Digital Accessories")],
}
TRADE_NAMES = [
    ("鑫达", "Xinda"), ("华联", "Hualian"), ("恒信", "Hengxin"), ("永盛", "Yongsheng"), ("百联", "Bailian"),
    ("汇通", "Huitong"), ("佳和", "Jiahe"), ("众诚", "Zhongcheng"), ("瑞丰", "Ruifeng"), ("金鼎", "Jinding"),
    ("宏图", "Hongtu"), ("天虹", "Tianhong"), ("国信", "Guoxin"), ("锦程", "Jincheng"), ("顺达", "Shunda"),
    ("博远", "Boyuan"), ("联创", "Lianchuang"), ("惠民", "Huimin"), ("优品", "Youpin"), ("新世纪", "New Century"),
]  # fmt: skip
CITIES = [
    ("北京", "Beijing"), ("上海", "Shanghai"), ("广州", "Guangzhou"), ("深圳", "Shenzhen"), ("杭州", "Hangzhou"),
    ("南京", "Nanjing"), ("成都", "Chengdu"), ("武汉", "Wuhan"), ("西安", "Xi'an"), ("苏州", "Suzhou"),
    ("青岛", "Qingdao"), ("合肥", "Hefei"), ("长沙", "Changsha"), ("郑州", "Zhengzhou"), ("重庆", "Chongqing"),
    ("天津", "Tianjin"), ("佛山", "Foshan"), ("宁波", "Ningbo"), ("厦门", "Xiamen"), ("济南", "Jinan"),
]  # fmt: skip

# The first merchants are the brands' official stores, with fixed logins (owner_<slug> / staff_<slug>).
# (brand slug, main category, deposit below the requirement?)
# The first of each category is its flagship: a busy shop in good standing that can apply for a tag
# it does not hold yet and succeed (tags/demo.py FLAGSHIP_APPLICATION); a second accessories store
# shows the deposit top-up flag.
NAMED: list[tuple[str, str, bool]] = [
    ("haier", LARGE, False),
    ("midea", LARGE, False),
    ("xiaomi", DIGITAL, False),
    ("supor", SMALL, False),
    ("anker", ACCESSORIES, False),
    ("gree", LARGE, False),
    ("huawei", DIGITAL, False),
    ("ugreen", ACCESSORIES, True),
]
# What each official store's login shows (the later apps' demos make it so; README "Demo logins").
LOGIN_NOTES = {
    "haier": "flagship: complaints to answer, breach appeals; can apply for Genuine invoice (正品发票) and get it",
    "midea": "in rectification after last month's evaluation; an application in staff review",
    "xiaomi": "flagship: tags barred, bar ended (may apply again); can apply for Genuine invoice (正品发票)",
    "supor": "flagship: can apply for Genuine invoice (正品发票) and get it",
    "anker": "flagship: can apply for Genuine invoice (正品发票) and get it",
    "gree": "tags revoked, then restored after the rectification month",
    "huawei": "an Instalments (分期付款) application waiting for the owner's signature",
    "ugreen": "new shop: deposit below requirement (top-up flag), too few orders for a score total",
}
FLAGSHIPS: dict[str, str] = {}  # category code → brand slug of its flagship store
for _slug, _category, _below in NAMED:
    FLAGSHIPS.setdefault(_category, _slug)


def named_store_ids(merchant_ids) -> list[int]:
    """The official stores with fixed logins among these merchants (by their owner's username)."""
    return list(
        Membership.objects.filter(
            merchant_id__in=list(merchant_ids),
            role=MERCHANT_OWNER,
            user__username__in=[f"owner_{slug}" for slug, _c, _b in NAMED],
        ).values_list("merchant_id", flat=True)
    )


def flagship_ids(merchant_ids) -> dict[str, int]:
    """Category code → the flagship store of that category, among these merchants."""
    by_username = dict(
        Membership.objects.filter(
            merchant_id__in=list(merchant_ids),
            role=MERCHANT_OWNER,
            user__username__in=[f"owner_{slug}" for slug in FLAGSHIPS.values()],
        ).values_list("user__username", "merchant_id")
    )
    return {
        category: by_username[f"owner_{slug}"]
        for category, slug in FLAGSHIPS.items()
        if f"owner_{slug}" in by_username
    }


# Required deposit of the seeded categories (migration merchants/0002); used only to plan amounts,
# the database's value is what counts when writing.
_REQUIRED_FALLBACK = {LARGE: 50000, SMALL: 20000, DIGITAL: 30000, ACCESSORIES: 10000}


@dataclass
class MerchantPlan:
    shop_code: str
    name: str
    name_en: str
    category: str
    status: str
    created_days_ago: int
    owner_username: str
    staff_username: str
    named: bool
    below: bool = False  # deposit below the category requirement (a new shop that paid part of it)
    # (category code, brand slug, title, price, bulky)
    products: list[tuple[str, str, str, Decimal, bool]] = field(default_factory=list)
    # (days ago, amount, memo)
    top_ups: list[tuple[float, Decimal, str]] = field(default_factory=list)


def _price(rng: random.Random, low: int, high: int) -> Decimal:
    """Shop-style prices: 2999, 1299, 89, 19."""
    step = 100 if low >= 1000 else 10
    value = rng.randrange(low + 1, high + 2, step) - 1 if high - low >= step else high
    return Decimal(f"{max(value, low)}.00")


def _products(rng: random.Random, category: str, brand_slugs: list[str], count: int):
    choices = rng.sample(PRODUCTS[category], min(count, len(PRODUCTS[category])))
    items = []
    for title, low, high, bulky in choices:
        slug = rng.choice(brand_slugs)
        items.append((category, slug, f"{BRAND_BY_SLUG[slug][0]} {title}", _price(rng, low, high), bulky))
    return items


def _brands_for(category: str) -> list[str]:
    return [b[2] for b in BRANDS if category in b[4]]


def _second_category(rng: random.Random, main: str, brand_slugs: list[str]) -> str:
    own = [c for slug in brand_slugs for c in BRAND_BY_SLUG[slug][4] if c != main]
    if own:
        return rng.choice(own)
    return {LARGE: SMALL, SMALL: LARGE, DIGITAL: ACCESSORIES, ACCESSORIES: DIGITAL}[main]


def _deposits(rng: random.Random, category: str, below: bool, created_days_ago: int, *, named: bool = False):
    required = _REQUIRED_FALLBACK[category]
    if below:
        # A new shop that paid part of its deposit.
        amount = Decimal(rng.randrange(required * 3 // 10, required * 95 // 100, 100))
        return [
            (
                created_days_ago - rng.uniform(0, 0.5),
                amount.quantize(Decimal("0.01")),
                "开店保证金（部分缴纳）",
            )
        ]
    total = required * rng.choice([10, 10, 10, 12, 15, 20]) // 10
    if named:
        # An official store's sales are large: it keeps a multiple of the requirement, so months of
        # compensation recoveries leave it above the line (the demo's top-up case is a new shop).
        total *= 3
    count = rng.choice([1, 1, 2, 3])
    first = Decimal(required if count > 1 else total)
    entries = [(created_days_ago - rng.uniform(0, 2), first.quantize(Decimal("0.01")), "开店保证金缴纳")]
    rest = Decimal(total) - first
    for i in range(1, count):
        part = rest if i == count - 1 else Decimal(int(rest / 2 / 100) * 100)
        rest -= part
        if part > 0:
            days = rng.uniform(0, max(created_days_ago - 3, 1))
            entries.append((days, part.quantize(Decimal("0.01")), "追加保证金"))
    entries.sort(key=lambda e: -e[0])
    return entries


def plan_merchants(rng: random.Random, count: int) -> list[MerchantPlan]:
    """Everything about `count` merchants, decided from `rng` alone (no database)."""
    codes = [str(code) for code in rng.sample(range(10_000_000, 100_000_000), count)]
    weights = [b[5] for b in BRANDS]
    plans: list[MerchantPlan] = []
    for index, code in enumerate(codes):
        if index < len(NAMED):
            slug, category, below = NAMED[index]
            zh, en = BRAND_BY_SLUG[slug][0], BRAND_BY_SLUG[slug][1]
            plan = MerchantPlan(
                shop_code=code,
                name=f"{zh}官方旗舰店",
                name_en=f"{en} Official Flagship Store",
                category=category,
                status=Merchant.Status.ACTIVE,
                created_days_ago=rng.randint(10, 13) if below else rng.randint(400, 1200),
                owner_username=f"owner_{slug}",
                staff_username=f"staff_{slug}",
                named=True,
                below=below,
            )
            brand_slugs = [slug]
        else:
            brand = rng.choices(BRANDS, weights=weights)[0]
            category = rng.choice(brand[4])
            below = rng.random() < 0.06  # a new shop that paid part of its deposit so far
            trade_zh, trade_en = rng.choice(TRADE_NAMES)
            city_zh, city_en = rng.choice(CITIES)
            line_zh, line_en = rng.choice(LINES[category])
            pattern = rng.randrange(5)
            brand_slugs = [brand[2]]
            if pattern == 0:
                name, name_en = f"{brand[0]}{line_zh}旗舰店", f"{brand[1]} {line_en} Flagship Store"
            elif pattern == 1:
                name, name_en = f"{trade_zh}{brand[0]}专营店", f"{trade_en} {brand[1]} Authorized Store"
            elif pattern == 2:
                name, name_en = f"{brand[0]}{city_zh}专卖店", f"{brand[1]} {city_en} Store"
            else:
                # A multi-brand shop: an appliance city or a digital store.
                if category in (LARGE, SMALL):
                    name, name_en = f"{trade_zh}电器城", f"{trade_en} Appliance City"
                else:
                    name, name_en = f"{trade_zh}数码专营店", f"{trade_en} Digital Store"
                if pattern == 4:
                    name, name_en = f"{city_zh}{name}", f"{city_en} {name_en}"
                candidates = _brands_for(category)
                brand_slugs = rng.sample(candidates, min(len(candidates), rng.randint(2, 4)))
            roll = rng.random()
            status = (
                Merchant.Status.CLOSED
                if roll < 0.01
                else Merchant.Status.SUSPENDED
                if roll < 0.04
                else Merchant.Status.ACTIVE
            )
            plan = MerchantPlan(
                shop_code=code,
                name=name,
                name_en=name_en,
                category=category,
                status=status,
                created_days_ago=rng.randint(3, 13) if below else rng.randint(30, 1500),
                owner_username=f"owner_{code}",
                staff_username=f"staff_{code}",
                named=False,
                below=below,
            )
        plan.products = _products(rng, category, brand_slugs, rng.randint(3, 8))
        if rng.random() < 0.3:
            second = _second_category(rng, category, brand_slugs)
            second_brands = [s for s in brand_slugs if second in BRAND_BY_SLUG[s][4]] or _brands_for(second)
            plan.products += _products(rng, second, second_brands, rng.randint(1, 3))
        plan.top_ups = _deposits(rng, category, below, plan.created_days_ago, named=plan.named)
        plans.append(plan)
    return plans


def ledger_redate(moves: dict[int, datetime]) -> int:
    """Date deposit entries a service posted while the demo ran at the time of what they record (a
    voucher issued last month, a complaint decided last week), then recompute the running balance of
    every account touched in the new order, as the ledger would read had they been posted then.
    `moves` is {entry id: time}. The balances themselves do not change. Returns the entries moved."""
    if not moves:
        return 0
    entries = DepositEntry.objects.in_bulk(list(moves))
    for pk, entry in entries.items():
        entry.created_at = moves[pk]
    DepositEntry.objects.bulk_update(list(entries.values()), ["created_at"], batch_size=1000)
    running: dict[int, Decimal] = {}
    changed = []
    for pk, account_id, amount, balance_after in (
        DepositEntry.objects.filter(account_id__in={e.account_id for e in entries.values()})
        .order_by("account_id", "created_at", "id")
        .values_list("pk", "account_id", "amount", "balance_after")
    ):
        running[account_id] = running.get(account_id, Decimal("0.00")) + amount
        if balance_after != running[account_id]:
            changed.append(DepositEntry(pk=pk, balance_after=running[account_id]))
    DepositEntry.objects.bulk_update(changed, ["balance_after"], batch_size=1000)
    return len(entries)


@contextmanager
def _explicit_timestamps(*model_classes: type[models.Model]) -> Iterator[None]:
    """Let bulk inserts carry historical created_at/updated_at (auto_now[_add] would stamp 'now')."""
    saved = []
    for model in model_classes:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _ids_by(model: type[models.Model], key: str, objs: list) -> dict:
    """Primary keys of freshly bulk-inserted rows, by a unique field."""
    if objs and all(o.pk is not None for o in objs):
        return {getattr(o, key): o.pk for o in objs}
    keys = [getattr(o, key) for o in objs]
    found: dict = {}
    for start in range(0, len(keys), 500):
        found.update(model.objects.filter(**{f"{key}__in": keys[start : start + 500]}).values_list(key, "pk"))
    return found


def _ensure_brands() -> dict[str, Brand]:
    existing = {b.name_zh: b for b in Brand.objects.all()}
    missing = [
        Brand(name_zh=zh, name_en=en, is_large_appliance=large)
        for zh, en, _slug, large, _cats, _w in BRANDS
        if zh not in existing
    ]
    Brand.objects.bulk_create(missing)
    by_zh = {b.name_zh: b for b in Brand.objects.filter(name_zh__in=[b[0] for b in BRANDS])}
    return {slug: by_zh[zh] for zh, _en, slug, *_rest in BRANDS}


def _write_batch(
    plans: list[MerchantPlan], *, now: datetime, categories, brands, groups, password_hash
) -> dict:
    User = get_user_model()
    merchants = []
    for p in plans:
        created = now - timedelta(days=p.created_days_ago)
        merchants.append(
            Merchant(
                name=p.name,
                name_en=p.name_en,
                shop_code=p.shop_code,
                main_category=categories[p.category],
                status=p.status,
                contact_email=f"service.{p.shop_code}@shops.example.com",
                created_at=created,
                updated_at=created,
            )
        )
    Merchant.objects.bulk_create(merchants)
    merchant_ids = _ids_by(Merchant, "shop_code", merchants)

    users = []
    for p in plans:
        joined = now - timedelta(days=p.created_days_ago)
        for username in (p.owner_username, p.staff_username):
            users.append(
                User(
                    username=username,
                    email=f"{username}@shops.example.com",
                    password=password_hash,
                    date_joined=joined,
                )
            )
    User.objects.bulk_create(users)
    user_ids = _ids_by(User, "username", users)

    memberships, group_links, accounts, entries_by_code, products = [], [], [], {}, []
    Link = User.groups.through
    topup_flagged = 0
    for p in plans:
        merchant_id = merchant_ids[p.shop_code]
        created = now - timedelta(days=p.created_days_ago)
        for username, role in ((p.owner_username, MERCHANT_OWNER), (p.staff_username, MERCHANT_STAFF)):
            memberships.append(
                Membership(
                    user_id=user_ids[username],
                    merchant_id=merchant_id,
                    role=role,
                    created_at=created,
                    updated_at=created,
                )
            )
            group_links.append(Link(user_id=user_ids[username], group_id=groups[role]))
        balance = Decimal("0.00")
        required = categories[p.category].required_deposit
        lines = []
        flagged_since = None
        for days_ago, amount, memo in p.top_ups:
            balance += amount
            at = now - timedelta(days=days_ago)
            lines.append((at, amount, balance, memo))
            # deposit_post_entry raises the flag on the first entry that leaves the balance short.
            if balance < required and flagged_since is None:
                flagged_since = at
            elif balance >= required:
                flagged_since = None
        topup_flagged += flagged_since is not None
        accounts.append(
            DepositAccount(
                merchant_id=merchant_id,
                balance=balance,
                topup_required_since=flagged_since,
                created_at=created,
                updated_at=lines[-1][0] if lines else created,
            )
        )
        entries_by_code[p.shop_code] = lines
        for category, slug, title, price, bulky in p.products:
            products.append(
                Product(
                    merchant_id=merchant_id,
                    category=categories[category],
                    brand=brands[slug],
                    title=title,
                    price=price,
                    is_bulky=bulky,
                    created_at=created,
                    updated_at=created,
                )
            )
    Membership.objects.bulk_create(memberships)
    Link.objects.bulk_create(group_links)
    DepositAccount.objects.bulk_create(accounts)
    account_ids = dict(
        DepositAccount.objects.filter(merchant_id__in=merchant_ids.values()).values_list("merchant_id", "pk")
    )
    memos = {memo: memo_fields(memo) for lines in entries_by_code.values() for *_, memo in lines}
    entries = [
        DepositEntry(
            account_id=account_ids[merchant_ids[code]],
            created_at=at,
            kind=DepositEntry.Kind.TOP_UP,
            amount=amount,
            balance_after=balance_after,
            **memos[memo],
        )
        for code, lines in entries_by_code.items()
        for at, amount, balance_after, memo in lines
    ]
    DepositEntry.objects.bulk_create(entries, batch_size=2000)
    Product.objects.bulk_create(products, batch_size=2000)
    return {
        "ids": [merchant_ids[p.shop_code] for p in plans],
        "members": len(memberships),
        "products": len(products),
        "deposit_entries": len(entries),
        "topup_flagged": topup_flagged,
    }


def generate(*, rng: random.Random, merchant_ids: list[int], now: datetime, stdout, scale: dict) -> dict:
    """Create scale["merchants"] merchants with members, products and deposits; return their ids."""
    count = int(scale.get("merchants", 300))
    plans = plan_merchants(rng, count)
    categories = Category.objects.in_bulk(field_name="code")
    brands = _ensure_brands()
    groups = dict(Group.objects.filter(name__in=[MERCHANT_OWNER, MERCHANT_STAFF]).values_list("name", "pk"))
    password_hash = make_password(DEMO_PASSWORD)  # once: hashing per user would take minutes at 20,000

    ids: list[int] = []
    totals = {"members": 0, "products": 0, "deposit_entries": 0, "topup_flagged": 0}
    with (
        _explicit_timestamps(Merchant, Membership, DepositAccount, DepositEntry, Product),
        tqdm(total=count, desc="merchants", unit="shop", disable=None, leave=False) as bar,
    ):
        for start in range(0, count, BATCH):
            batch = plans[start : start + BATCH]
            result = _write_batch(
                batch,
                now=now,
                categories=categories,
                brands=brands,
                groups=groups,
                password_hash=password_hash,
            )
            ids += result.pop("ids")
            for key, value in result.items():
                totals[key] += value
            bar.update(len(batch))

    logins = []
    for plan in plans:
        if not plan.named:
            break
        cat = categories[plan.category].name_en
        slug = plan.owner_username.removeprefix("owner_")
        note = f" — {LOGIN_NOTES[slug]}" if slug in LOGIN_NOTES else ""
        logins.append((plan.owner_username, DEMO_PASSWORD, MERCHANT_OWNER, f"{plan.name} ({cat}){note}"))
        logins.append((plan.staff_username, DEMO_PASSWORD, MERCHANT_STAFF, f"{plan.name} ({cat})"))
    return {
        "merchant_ids": ids,
        "merchants": count,
        "brands": len(brands),
        **totals,
        "logins": logins,
    }
