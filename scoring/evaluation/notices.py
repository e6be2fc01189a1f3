"""What the monthly evaluation tells a merchant: notice parameters, and their rendering in the reader's language.

A notice stores codes, numbers and dates only (`notice_params`); the words come from here at
reading time (page or e-mail), so a merchant reads them in zh-hans or en whatever the job's language.
"""

from datetime import date
from decimal import Decimal

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.i18n import is_chinese
from merchants.notices import RenderedNotice, register_notice_renderer

from .. import hooks
from ..models import EvaluationResult
from .metrics import DISPUTE, DSR, FAULT


def notice_params(result: EvaluationResult) -> dict:
    return {
        "month": result.month,
        "tag": {"code": result.tag.code, "zh": result.tag.name_zh, "en": result.tag.name_en},
        "category": {
            "code": result.category.code,
            "zh": result.category.name_zh,
            "en": result.category.name_en,
        },
        "action": result.action,
        "until": result.action_until.isoformat() if result.action_until else "",
        "on_counts": result.on_counts,
        "failed": [
            {
                "code": code,
                "numerator": {
                    FAULT: result.fault_numerator,
                    DSR: result.dsr_numerator,
                    DISPUTE: result.dispute_numerator,
                }[code],
                "denominator": {
                    FAULT: result.fault_denominator,
                    DSR: result.dsr_denominator,
                    DISPUTE: result.dispute_denominator,
                }[code],
            }
            for code in result.failed_metrics
        ],
        "thresholds": result.thresholds,
    }


def metric_name(code: str) -> str:
    return {
        FAULT: _("fault complaint rate"),
        DSR: _("shop rating (DSR) mean"),
        DISPUTE: _("refund dispute rate"),
    }.get(code, code)


def _percent(numerator: int, denominator: int) -> str:
    if not denominator:
        return "—"
    value = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"))
    return f"{value}%"


def metric_figure(code: str, numerator: int, denominator: int, *, on_counts: bool, thresholds: dict) -> str:
    """One failed (or judged) metric in words, with its figures and its threshold."""
    if code == FAULT and on_counts:
        return _(
            "%(name)s: %(count)s upheld complaints in a month with fewer than %(orders)s orders "
            "(fails with %(limit)s)"
        ) % {
            "name": metric_name(code),
            "count": numerator,
            "orders": thresholds.get("small_sample_orders", 30),
            "limit": thresholds.get("small_sample_fail_complaints", 2),
        }
    if code == FAULT:
        return _(
            "%(name)s: %(numerator)s of %(denominator)s orders = %(value)s (fails at %(limit)s%% or more)"
        ) % {
            "name": metric_name(code),
            "numerator": numerator,
            "denominator": denominator,
            "value": _percent(numerator, denominator),
            "limit": thresholds.get("fault_rate_fail_percent", ""),
        }
    if code == DISPUTE:
        return _(
            "%(name)s: %(numerator)s of %(denominator)s orders = %(value)s (fails above %(limit)s%%)"
        ) % {
            "name": metric_name(code),
            "numerator": numerator,
            "denominator": denominator,
            "value": _percent(numerator, denominator),
            "limit": thresholds.get("dispute_rate_fail_percent", ""),
        }
    mean = (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.01")) if denominator else "—"
    return _("%(name)s: %(mean)s over the last %(days)s days (fails below %(limit)s)") % {
        "name": metric_name(code),
        "mean": mean,
        "days": thresholds.get("dsr_window_days", 180),
        "limit": thresholds.get("dsr_fail_below", ""),
    }


def _month(text: str) -> str:
    year, month = (int(part) for part in text.split("-")[:2])
    return date_format(date(year, month, 1), "YEAR_MONTH_FORMAT")


def _name(entry: dict) -> str:
    return entry["zh"] if is_chinese() or not entry.get("en") else entry["en"]


def _failed_lines(params: dict) -> list[str]:
    return [
        metric_figure(
            item["code"], item["numerator"], item["denominator"],
            on_counts=params.get("on_counts", False), thresholds=params.get("thresholds", {}),
        )
        for item in params.get("failed", [])
    ]  # fmt: skip


def _course(params: dict) -> tuple[str, str]:
    for item in params.get("failed", []):
        link = hooks.course_for(item["code"])
        if link is not None:
            return link.url, _("Recommended course: %(title)s") % {"title": link.title}
    return reverse("office:evaluation"), _("Your evaluations")


def render_revoked(params: dict) -> RenderedNotice:
    subject = {
        "tag": _name(params["tag"]),
        "category": _name(params["category"]),
        "month": _month(params["month"]),
    }
    until = _month(params["until"]) if params.get("until") else ""
    url, label = _course(params)
    return RenderedNotice(
        title=_("%(tag)s (%(category)s) removed after the evaluation of %(month)s") % subject,
        lines=[
            *_failed_lines(params),
            _(
                "The tag and any category badge that needs it are removed. %(month)s is your rectification "
                "month: if it passes the next evaluation, the tag and badge come back automatically, "
                "without a new application. If it fails, you may not apply for the tag for three months."
            )
            % {"month": until},
        ],
        link_url=url,
        link_label=label,
    )


def render_restored(params: dict) -> RenderedNotice:
    subject = {
        "tag": _name(params["tag"]),
        "category": _name(params["category"]),
        "month": _month(params["month"]),
    }
    return RenderedNotice(
        title=_("%(tag)s (%(category)s) restored: the rectification month %(month)s passed") % subject,
        lines=[_("The tag and any category badge it completes are active again; no application was needed.")],
        link_url=reverse("office:evaluation"),
        link_label=_("Your evaluations"),
    )


def render_barred(params: dict) -> RenderedNotice:
    subject = {
        "tag": _name(params["tag"]),
        "category": _name(params["category"]),
        "month": _month(params["month"]),
    }
    until = date.fromisoformat(params["until"]) if params.get("until") else None
    url, label = _course(params)
    return RenderedNotice(
        title=_("%(tag)s (%(category)s): the rectification month %(month)s failed") % subject,
        lines=[
            *_failed_lines(params),
            _("You may apply for this tag again from %(day)s.")
            % {"day": date_format(until, "DATE_FORMAT") if until else "—"},
        ],
        link_url=url,
        link_label=label,
    )


def register() -> None:
    register_notice_renderer("evaluation.revoked", render_revoked)
    register_notice_renderer("evaluation.restored", render_restored)
    register_notice_renderer("evaluation.barred", render_barred)
