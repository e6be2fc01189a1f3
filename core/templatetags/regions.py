"""`{{ code|province }}`: a GB/T 2260 province code as its name in the reader's language;
`{{ codes|provinces }}`: a list of codes as names joined with the language's separator."""

from django import template

from core.i18n import is_chinese
from core.regions import province_name

register = template.Library()


@register.filter
def province(code) -> str:
    return province_name(str(code)) if code else "—"


@register.filter
def provinces(codes) -> str:
    return ("、" if is_chinese() else ", ").join(province_name(str(code)) for code in codes or [])
