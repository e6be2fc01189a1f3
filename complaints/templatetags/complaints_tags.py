"""`{{ complaint.due_at|time_left }}`: "2 d 3 h left" / "overdue by 5 h", in the active language."""

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

register = template.Library()


def _span(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": rest // 60}
    return _("%(m)d min") % {"m": max(rest // 60, 1)}


@register.filter
def time_left(due_at) -> str:
    if due_at is None:
        return "—"
    delta = int((due_at - timezone.now()).total_seconds())
    if delta >= 0:
        return _("%(span)s left") % {"span": _span(delta)}
    return _("overdue by %(span)s") % {"span": _span(-delta)}


@register.filter
def is_past(moment) -> bool:
    return moment is not None and moment < timezone.now()
