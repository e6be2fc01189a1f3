"""The fault-complaint-rate check offered to tag applications (registered in ComplaintsConfig.ready)."""

from datetime import timedelta

from django.utils.translation import gettext_noop as N_

from core.metrics import percent_text
from tags.checks import CheckOutcome, register_application_check

from .indicators import fault_complaint_rate
from .selectors import desk_settings

SMALL_SAMPLE_KEY = N_(
    "%(faults)s upheld complaints with the shop at fault on %(orders)s orders in %(days)s days "
    "(fewer than %(min)s orders: at most %(max)s allowed)"
)
RATE_KEY = N_(
    "fault complaint rate %(rate)s%% (%(faults)s of %(orders)s orders in %(days)s days); must be below %(max)s%%"
)


def fault_complaint_rate_check(*, merchant, category, tag, now):
    """Over DeskSettings.check_window_days (30): fault complaint rate below fault_rate_max (0.5%);
    below small_sample_orders (30) orders: at most small_sample_max_upheld (1) upheld fault complaints.
    The numbers are read on every run and stated in the detail; the label names only the check."""
    config = desk_settings()
    start = now - timedelta(days=config.check_window_days)
    rate = fault_complaint_rate(start=start, end=now, merchant_ids=[merchant.pk]).get(merchant.pk)
    faults, orders = (rate.numerator, rate.denominator) if rate else (0, 0)
    params = {"faults": faults, "orders": orders, "days": config.check_window_days}
    if orders < config.small_sample_orders:
        params.update(min=config.small_sample_orders, max=config.small_sample_max_upheld)
        passed = faults <= config.small_sample_max_upheld
        return CheckOutcome(passed, SMALL_SAMPLE_KEY % params, SMALL_SAMPLE_KEY, params)
    share = rate.value
    params.update(rate=f"{share * 100:.2f}", max=percent_text(config.fault_rate_max * 100))
    return CheckOutcome(share < config.fault_rate_max, RATE_KEY % params, RATE_KEY, params)


def register() -> None:
    """Offer the check to tag applications (tags.checks' registry)."""
    # The thresholds are staff-editable (DeskSettings): the label registered at start-up names the
    # check only, each result's detail states the window and limits it was judged against.
    register_application_check(
        "fault_complaint_rate", "Fault complaint rate", "过失投诉率", fault_complaint_rate_check
    )
