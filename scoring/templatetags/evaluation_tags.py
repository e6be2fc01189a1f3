"""Filters for evaluation pages: figures as words and percentages, never raw codes."""

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from ..evaluation.notices import metric_name

register = template.Library()


@register.simple_tag
def percent(numerator, denominator) -> str:
    """'2 / 88 = 2.27%'; '0 / 0' when there is nothing to divide."""
    if not denominator:
        return f"{numerator} / {denominator}"
    value = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"))
    return f"{numerator} / {denominator} = {value}%"


@register.simple_tag
def mean(numerator, denominator) -> str:
    if not denominator:
        return "—"
    return str((Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.01")))


@register.filter
def metric_names(codes) -> str:
    return ", ".join(metric_name(code) for code in codes or []) or _("none")


@register.filter
def judgement(value: str) -> str:
    return {"pass": _("passed"), "fail": _("failed"), "not_judged": _("not judged")}.get(value, value)
