"""The on-time-dispatch check offered to tag applications (registered in CommitmentsConfig.ready)."""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_noop as N_

from core.metrics import EMPTY, percent_text
from tags.checks import CheckOutcome

from .indicators import on_time_dispatch_rate
from .models import CommitmentRules
from .selectors import commitment_settings

CHECK_FEW_KEY = N_(
    "%(orders)s dispatch-tracked orders in the last %(days)s days (fewer than %(min_orders)s): passes on counts"
)
CHECK_PASS_KEY = N_(
    "on-time dispatch %(rate)s%% over %(orders)s orders in the last %(days)s days (≥ %(min_rate)s%%)"
)
CHECK_FAIL_KEY = N_(
    "on-time dispatch %(rate)s%% over %(orders)s orders in the last %(days)s days is below %(min_rate)s%%"
)


def check_on_time_dispatch(*, merchant, category, tag, now, rules: CommitmentRules | None = None):
    """Dispatch tags: on-time rate ≥ the minimum over ≥ the minimum orders in the window; fewer pass.

    The numbers come from CommitmentSettings (SPEC defaults: 95%, 30 orders, 30 days).
    """
    now = now or timezone.now()
    rules = rules or commitment_settings()
    rate = on_time_dispatch_rate(start=now - rules.check_window, end=now, merchant_ids=[merchant.pk]).get(
        merchant.pk, EMPTY
    )
    params = {"orders": rate.denominator, "days": rules.check_window_days}
    if rate.denominator < rules.on_time_min_orders:
        params["min_orders"] = rules.on_time_min_orders
        return CheckOutcome(True, CHECK_FEW_KEY % params, CHECK_FEW_KEY, params)
    params.update(rate=f"{rate.value * 100:.1f}", min_rate=percent_text(rules.on_time_percent_min))
    # Exact comparison (kept / total ≥ percent / 100), not the rounded rate shown to the merchant.
    passed = Decimal(rate.numerator) * 100 >= rules.on_time_percent_min * rate.denominator
    key = CHECK_PASS_KEY if passed else CHECK_FAIL_KEY
    return CheckOutcome(passed, key % params, key, params)
