"""`{% tag_config application.config %}`: a tag's configuration as labelled fields in the reader's
language (provinces by name, warranty options as words), never the stored dict."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from core.regions import province_name

from ..models import BrandWarrantyService

register = template.Library()

WARRANTY_OPTIONS = {
    "brand_service": N_("brand warranty service integrated with the platform"),
    "disclosed": N_("brand repair information disclosed"),
    "certified_provider": N_("platform-certified after-sales provider"),
}


def config_fields(config: dict) -> list[tuple[str, str]]:
    config = config or {}
    fields: list[tuple[str, str]] = []
    if config.get("warehouse"):
        fields.append((_("Fulfilment"), _("platform warehouse")))
    if config.get("sf_coverage"):
        names = [province_name(str(code)) for code in config["sf_coverage"]]
        fields.append(
            (
                _("SF coverage"),
                _("%(count)s provinces: %(names)s") % {"count": len(names), "names": "、".join(names)},
            )
        )
    if config.get("returns_terms_accepted") is not None:
        accepted = config["returns_terms_accepted"] is True
        fields.append(
            (_("7-day return / 15-day exchange terms"), _("accepted") if accepted else _("not accepted"))
        )
    warranty = config.get("warranty") or {}
    if warranty:
        option = warranty.get("option", "")
        fields.append(
            (_("Warranty"), _(WARRANTY_OPTIONS[option]) if option in WARRANTY_OPTIONS else _("not chosen"))
        )
        if warranty.get("service_id"):
            service = (
                BrandWarrantyService.objects.select_related("brand").filter(pk=warranty["service_id"]).first()
            )
            fields.append((_("Brand warranty service"), service.brand.name if service else "—"))
        for key, label in (
            ("provider", _("After-sales provider")),
            ("hotline", _("Hotline")),
            ("outlets", _("Outlets")),
            ("warranty_period_months", _("Warranty period (months)")),
            ("policy", _("Policy")),
        ):
            if warranty.get(key):
                fields.append((label, str(warranty[key])))
    return fields


@register.inclusion_tag("partials/tag_config.html")
def tag_config(config):
    return {"fields": config_fields(config)}
