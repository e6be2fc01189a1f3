"""The checks run when a tag application is submitted (SPEC §4), and the registry lower apps plug into.

Built-in checks (not barred / not in rectification, category eligibility, mutual exclusivity, the
tag it requires, deposit, tag configuration) live here. Metric checks need data owned by later
apps; they register a provider from their ``AppConfig.ready()``::

    from tags.checks import CheckOutcome, register_application_check

    register_application_check("on_time_dispatch", "On-time dispatch ≥ 95%", "准时发货率 ≥ 95%", fn)

where ``fn(*, merchant, category, tag, now) -> CheckOutcome(passed, detail)``.

Two metric checks have a place in the list before any provider registers: ``fault_complaint_rate``
(every tag) and ``on_time_dispatch`` (dispatch tags). Until a provider is registered they are stored
as ``not_evaluated`` with "not evaluated yet (no metric provider)" and do NOT block the application:
refusing every application because another app is not deployed yet would be worse than letting the
monthly evaluation catch a bad merchant a month later.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext_noop as N_

from core.calendar import local_date
from core.regions import PROVINCES
from merchants.models import DepositAccount, Product

from .models import BrandWarrantyService, Tag, TagApplication, TagHolding


@dataclass(frozen=True)
class CheckOutcome:
    passed: bool
    detail: str = ""
    # For built-in checks: an English message with %(name)s placeholders, translated at display time.
    detail_key: str = ""
    params: dict = field(default_factory=dict)


@dataclass
class _Entry:
    code: str
    label_en: str
    label_zh: str
    fn: Callable | None
    applies_to: Callable | None = None  # tag -> bool; None = every tag
    builtin: bool = False


_REGISTRY: dict[str, _Entry] = {}

NOT_EVALUATED_DETAIL = "not evaluated yet (no metric provider)"


def register_application_check(
    code: str, label_en: str, label_zh: str, fn: Callable, *, applies_to: Callable | None = None
) -> None:
    """Register (or replace) the provider of a check. Registering a placeholder keeps its position."""
    existing = _REGISTRY.get(code)
    if existing is not None:
        existing.label_en, existing.label_zh, existing.fn = label_en, label_zh, fn
        if applies_to is not None:
            existing.applies_to = applies_to
        return
    _REGISTRY[code] = _Entry(code, label_en, label_zh, fn, applies_to)


def unregister_application_check(code: str) -> None:
    """Back to a placeholder (tests use this to restore the registry)."""
    entry = _REGISTRY.get(code)
    if entry is None:
        return
    if code in _PLACEHOLDERS:
        entry.fn = None
        entry.label_en, entry.label_zh = _PLACEHOLDERS[code][:2]
    else:
        del _REGISTRY[code]


def _ok(key: str, **params) -> CheckOutcome:
    return CheckOutcome(True, key % params, key, params)


def _fail(key: str, **params) -> CheckOutcome:
    return CheckOutcome(False, key % params, key, params)


# --- built-in checks ----------------------------------------------------------------------------


def check_not_barred(*, merchant, category, tag, now, application=None) -> CheckOutcome:
    holding = TagHolding.objects.filter(merchant=merchant, category=category, tag=tag).first()
    today = local_date(now)
    if holding is None:
        return _ok(N_("No earlier holding of this tag: nothing bars the application."))
    if holding.state == TagHolding.State.ACTIVE:
        return _fail(N_("You already hold this tag for this category."))
    if holding.barred_until and holding.barred_until > today:
        return _fail(
            N_("Barred from applying for this tag until %(until)s after failing the rectification month."),
            until=holding.barred_until.isoformat(),
        )
    if holding.state == TagHolding.State.RECTIFYING:
        month = holding.rectification_month.strftime("%Y-%m") if holding.rectification_month else "—"
        return _fail(
            N_(
                "In rectification for this tag (month %(month)s); it is restored automatically "
                "if the month passes the evaluation."
            ),
            month=month,
        )
    return _ok(N_("Not barred and not in rectification for this tag."))


def check_category_eligible(*, merchant, category, tag, now, application=None) -> CheckOutcome:
    if tag.categories.filter(pk=category.pk).exists():
        return _ok(N_("This tag is available in %(category)s."), category=category.name_en)
    return _fail(N_("This tag is not available in %(category)s."), category=category.name_en)


def check_exclusive(*, merchant, category, tag, now, application=None) -> CheckOutcome:
    if not tag.exclusive_group:
        return _ok(N_("This tag has no mutually exclusive tags."))
    others = Tag.objects.filter(exclusive_group=tag.exclusive_group).exclude(pk=tag.pk)
    held = TagHolding.objects.filter(
        merchant=merchant, category=category, tag__in=others, state=TagHolding.State.ACTIVE
    ).select_related("tag")
    conflict = next(iter(held), None)
    if conflict is not None:
        return _fail(
            N_("You hold %(other)s in this category; only one of the dispatch-speed tags may be held."),
            other=conflict.tag.code,
        )
    pending = (
        TagApplication.objects.filter(
            merchant=merchant,
            category=category,
            tag__in=others,
            state__in=["submitted", "awaiting_agreement", "under_review"],
        )
        .select_related("tag")
        .first()
    )
    if pending is not None:
        return _fail(
            N_("Your application for %(other)s in this category is still open; only one may be held."),
            other=pending.tag.code,
        )
    return _ok(N_("No mutually exclusive tag held or applied for in this category."))


def check_requires(*, merchant, category, tag, now, application=None) -> CheckOutcome:
    if tag.requires_id is None:
        return _ok(N_("This tag needs no other tag."))
    if TagHolding.objects.filter(
        merchant=merchant, category=category, tag_id=tag.requires_id, state=TagHolding.State.ACTIVE
    ).exists():
        return _ok(N_("You hold the required tag %(other)s."), other=tag.requires.code)
    return _fail(
        N_("This tag needs %(other)s in the same category: apply for it first."), other=tag.requires.code
    )


def check_deposit(*, merchant, category, tag, now, application=None) -> CheckOutcome:
    balance = DepositAccount.objects.filter(merchant=merchant).values_list("balance", flat=True).first()
    balance = balance if balance is not None else Decimal("0.00")
    required = category.required_deposit
    params = {"balance": f"{balance:.2f}", "required": f"{required:.2f}"}
    if balance >= required:
        return _ok(N_("Deposit ¥%(balance)s meets the category requirement of ¥%(required)s."), **params)
    return _fail(
        N_("Deposit ¥%(balance)s is below the category requirement of ¥%(required)s: top up."), **params
    )


def check_configuration(*, merchant, category, tag, now, application=None) -> CheckOutcome:
    config = (application.config if application is not None else {}) or {}
    if tag.code == "sf_free_shipping":
        coverage = config.get("sf_coverage") or []
        warehouse = bool(config.get("warehouse"))
        if warehouse and coverage:
            return _fail(N_("Choose one: SF coverage provinces or platform-warehouse fulfilment, not both."))
        if warehouse:
            return _ok(N_("Platform-warehouse fulfilment declared (staff review needed)."))
        if not coverage:
            return _fail(N_("Configure SF coverage provinces or declare platform-warehouse fulfilment."))
        unknown = [c for c in coverage if c not in PROVINCES]
        if unknown:
            return _fail(N_("Unknown province codes: %(codes)s."), codes=", ".join(map(str, unknown)))
        return _ok(N_("SF coverage configured for %(count)s provinces."), count=len(coverage))
    if tag.code == "nationwide_warranty":
        return _check_warranty(merchant=merchant, config=config.get("warranty") or {})
    if tag.code == "worry_free_returns":
        if config.get("returns_terms_accepted") is True:
            return _ok(N_("7-day return and 15-day exchange terms accepted."))
        return _fail(N_("Accept the 7-day return / 15-day exchange terms."))
    return _ok(N_("This tag needs no configuration."))


def _check_warranty(*, merchant, config: dict) -> CheckOutcome:
    option = config.get("option")
    if option == "brand_service":
        service = (
            BrandWarrantyService.objects.filter(pk=config.get("service_id"), state="approved")
            .select_related("brand")
            .first()
        )
        if service is None:
            return _fail(N_("Choose an approved brand warranty service."))
        if not Product.objects.filter(merchant=merchant, brand_id=service.brand_id).exists():
            return _fail(N_("You sell no products of %(brand)s."), brand=service.brand.name_zh)
        return _ok(N_("Brand warranty service of %(brand)s chosen."), brand=service.brand.name_zh)
    if option == "disclosed":
        missing = [
            key for key in ("hotline", "outlets", "warranty_period_months", "policy") if not config.get(key)
        ]
        if missing:
            return _fail(
                N_("Brand repair information is incomplete: %(missing)s."), missing=", ".join(missing)
            )
        return _ok(N_("Brand repair information disclosed."))
    if option == "certified_provider":
        if not config.get("provider"):
            return _fail(N_("Name the platform-certified after-sales provider."))
        return _ok(N_("Platform-certified after-sales provider: %(provider)s."), provider=config["provider"])
    return _fail(
        N_(
            "Choose one warranty option: an integrated brand warranty service, disclosed brand repair "
            "information, or a platform-certified after-sales provider."
        )
    )


def _is_dispatch(tag) -> bool:
    return tag.group == "dispatch" and tag.monitored


_PLACEHOLDERS = {
    # Labels name the metric only: the thresholds are staff-editable settings of the providing app,
    # and the provider's detail text states the ones it judged against.
    "fault_complaint_rate": ("Fault complaint rate", "过失投诉率", None),
    "on_time_dispatch": ("On-time dispatch rate", "准时发货率", _is_dispatch),
}

_BUILTINS = [
    (
        "not_barred",
        "Not barred or in rectification for this tag",
        "未被禁止申请且不在整改期",
        check_not_barred,
    ),
    ("category_eligible", "Tag available in the category", "类目可申请该标签", check_category_eligible),
    ("exclusive", "No mutually exclusive tag", "无互斥标签", check_exclusive),
    ("requires", "Required companion tag held", "已开通前置标签", check_requires),
    ("placeholder:fault_complaint_rate", "", "", None),
    ("placeholder:on_time_dispatch", "", "", None),
    ("deposit", "Deposit ≥ the category requirement", "保证金不低于类目要求", check_deposit),
    ("configuration", "Tag configuration complete", "标签配置完整", check_configuration),
]


def _install_builtins() -> None:
    for code, label_en, label_zh, fn in _BUILTINS:
        if code.startswith("placeholder:"):
            name = code.split(":", 1)[1]
            en, zh, applies = _PLACEHOLDERS[name]
            _REGISTRY[name] = _Entry(name, en, zh, None, applies)
        else:
            _REGISTRY[code] = _Entry(code, label_en, label_zh, fn, builtin=True)


_install_builtins()


@dataclass(frozen=True)
class CheckResult:
    code: str
    label_en: str
    label_zh: str
    status: str  # passed | failed | not_evaluated
    detail: str
    detail_key: str
    params: dict


def run_checks(*, merchant, category, tag, now: datetime, application=None) -> list[CheckResult]:
    """Run every applicable check in order; a provider that raises is recorded as a failure, not a 500."""
    results: list[CheckResult] = []
    for entry in list(_REGISTRY.values()):
        if entry.applies_to is not None and not entry.applies_to(tag):
            continue
        if entry.fn is None:
            results.append(
                CheckResult(
                    entry.code,
                    entry.label_en,
                    entry.label_zh,
                    "not_evaluated",
                    NOT_EVALUATED_DETAIL,
                    N_("not evaluated yet (no metric provider)"),
                    {},
                )  # fmt: skip
            )
            continue
        kwargs = {"merchant": merchant, "category": category, "tag": tag, "now": now}
        try:
            outcome = entry.fn(application=application, **kwargs) if entry.builtin else entry.fn(**kwargs)
        except Exception as exc:  # noqa: BLE001 - a broken provider must not break submission
            outcome = CheckOutcome(False, f"check could not run: {exc.__class__.__name__}")
        results.append(
            CheckResult(
                entry.code,
                entry.label_en,
                entry.label_zh,
                "passed" if outcome.passed else "failed",
                outcome.detail,
                outcome.detail_key,
                outcome.params,
            )  # fmt: skip
        )
    return results


def registered_codes() -> list[str]:
    return list(_REGISTRY)
