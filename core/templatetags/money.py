from django import template

from core.money import format_cny

register = template.Library()


@register.filter(name="cny")
def cny(value):
    """{{ entry.amount|cny }} → ¥1,234.50"""
    return format_cny(value)
