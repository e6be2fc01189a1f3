"""The fault-complaint-rate check offered to tag applications (registered in ComplaintsConfig.ready)."""

from datetime import timedelta

from django.utils.translation import gettext as _


def fault_complaint_rate_check(*, merchant, category, tag, now):
    """Last N days: fault complaint rate < 0.5%; below 30 orders: at most 1 upheld fault complaint."""
    from tags.checks import CheckOutcome

    from .models import DeskSettings
    from .selectors import fault_complaint_rate

    config = DeskSettings.current()
    start = now - timedelta(days=config.check_window_days)
    rate = fault_complaint_rate(start=start, end=now, merchant_ids=[merchant.pk]).get(merchant.pk)
    faults, orders = (rate.numerator, rate.denominator) if rate else (0, 0)
    if orders < config.small_sample_orders:
        passed = faults <= config.small_sample_max_upheld
        detail = _(
            "%(faults)d upheld complaints with the shop at fault on %(orders)d orders in %(days)d days "
            "(fewer than %(min)d orders: at most %(max)d allowed)"
        ) % {
            "faults": faults,
            "orders": orders,
            "days": config.check_window_days,
            "min": config.small_sample_orders,
            "max": config.small_sample_max_upheld,
        }
        return CheckOutcome(passed=passed, detail=detail)
    share = rate.rate
    passed = share < config.fault_rate_max
    detail = _(
        "fault complaint rate %(rate).2f%% (%(faults)d of %(orders)d orders); must be below %(max).2f%%"
    ) % {
        "rate": share * 100,
        "faults": faults,
        "orders": orders,
        "max": config.fault_rate_max * 100,
    }
    return CheckOutcome(passed=passed, detail=detail)


def register() -> bool:
    """Register with tags.checks when that registry exists; False when it has not landed yet."""
    try:
        from tags.checks import register_application_check
    except ImportError:
        return False
    register_application_check(
        "fault_complaint_rate",
        "Fault complaint rate (last 30 days)",
        "过失投诉率（近30天）",
        fault_complaint_rate_check,
    )
    return True
