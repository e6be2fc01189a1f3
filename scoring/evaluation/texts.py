"""The stored texts the monthly evaluation writes into tag holding history, registered with core.texts."""

from functools import lru_cache

from django.utils.translation import gettext_lazy as _

from core.texts import Text, each, month, register

from .notices import metric_name

register(
    "evaluation.failed", _("evaluation %(month)s: failed %(metrics)s"), month=month, metrics=each(metric_name)
)
register("evaluation.rectification_passed", _("evaluation %(month)s: rectification passed"), month=month)
register(
    "evaluation.rectification_failed",
    _("evaluation %(month)s: rectification failed %(metrics)s"),
    month=month,
    metrics=each(metric_name),
)
register(
    "reevaluation.failed",
    _("re-evaluation %(month)s: failed %(metrics)s"),
    month=month,
    metrics=each(metric_name),
)
register(
    "reevaluation.rectification_failed",
    _("re-evaluation %(month)s: rectification failed %(metrics)s"),
    month=month,
    metrics=each(metric_name),
)


def evaluation_text(code: str, month_code: str, metrics: list[str] | None = None) -> Text:
    """`code` one of the codes above; `month_code` "2026-10"; `metrics` the failed metric codes.
    The same arguments give the same (immutable) Text: a month's thousands of results share a few."""
    return _evaluation_text(code, month_code, None if metrics is None else tuple(metrics))


@lru_cache(maxsize=1024)
def _evaluation_text(code: str, month_code: str, metrics: tuple[str, ...] | None) -> Text:
    params: dict = {"month": month_code}
    if metrics is not None:
        params["metrics"] = list(metrics)
    return Text(code, params)
