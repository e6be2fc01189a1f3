"""The stored texts the monthly evaluation writes into tag holding history, registered with core.texts."""

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
    """`code` one of the codes above; `month_code` "2026-10"; `metrics` the failed metric codes."""
    params: dict = {"month": month_code}
    if metrics is not None:
        params["metrics"] = list(metrics)
    return Text(code, params)
