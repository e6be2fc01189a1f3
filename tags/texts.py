"""The stored texts tags writes (holding and badge history reasons, automatic rejection reasons),
registered with core.texts; tags are stored by code and shown by their name in the reader's language."""

import contextlib
from functools import lru_cache

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.i18n import is_chinese
from core.texts import Text, each, register, render

from .models import Tag

_TAG_NAMES: dict[str, tuple[str, str]] = {}


def tag_name(code) -> str:
    """A tag's name in the reader's language (the catalogue is small: loaded whole, once per process,
    again when an unknown code shows up); an unknown code is shown as is."""
    if code not in _TAG_NAMES:
        _TAG_NAMES.update(
            {c: (zh, en) for c, zh, en in Tag.objects.values_list("code", "name_zh", "name_en")}
        )
    zh, en = _TAG_NAMES.get(code, (code, code))
    return zh if is_chinese() else (en or zh)


def nested(value) -> str:
    """A stored text inside another's parameters: {"code": ..., "params": ...}."""
    return render(value["code"], value.get("params") or {}, fallback="")


def failed_checks(checks) -> str:
    """Failed application checks: label (zh/en) and detail (an English msgid + parameters translated
    now, or the plain text a provider returned), as ApplicationCheck shows them."""
    parts = []
    for check in checks:
        label = check["label_zh"] if is_chinese() else (check["label_en"] or check["label_zh"])
        detail = check.get("detail", "")
        if check.get("detail_key"):
            with contextlib.suppress(KeyError, TypeError, ValueError):  # older parameters: the English
                detail = gettext(check["detail_key"]) % (check.get("detail_params") or {})
        parts.append(f"{label}{'：' if is_chinese() else ': '}{detail}")
    return ("；" if is_chinese() else "; ").join(parts)


register("holding.application_approved", _("application approved"))
register("holding.agreement_signed", _("application #%(application)s: agreement signed"))
register("holding.approved_by_staff", _("application #%(application)s approved by staff"))
register("holding.approved_by_staff_note", _("application #%(application)s approved by staff: %(note)s"))
register("holding.withdrawn_by_merchant", _("withdrawn by the merchant"))

register("badge.all_tags_held", _("all required tags held"))
register("badge.tag_granted", _("%(tag)s granted"), tag=tag_name)
register("badge.tag_withdrawn", _("%(tag)s withdrawn"), tag=tag_name)
register("badge.tag_revoked", _("%(tag)s revoked"), tag=tag_name)
register("badge.tag_restored", _("%(tag)s restored"), tag=tag_name)
register("badge.tag_barred", _("%(tag)s barred"), tag=tag_name)
register("badge.missing_tags", _("missing: %(missing)s"), missing=each(tag_name))
register(
    "badge.missing_tags_after", _("%(cause)s; missing: %(missing)s"), cause=nested, missing=each(tag_name)
)

register("application.checks_failed", "%(checks)s", checks=failed_checks)

BADGE_CHANGES = ("granted", "withdrawn", "revoked", "restored", "barred")


def holding_approved_by_staff(application_id: int, note: str = "") -> Text:
    if note:
        return Text("holding.approved_by_staff_note", {"application": application_id, "note": note})
    return Text("holding.approved_by_staff", {"application": application_id})


def holding_agreement_signed(application_id: int) -> Text:
    return Text("holding.agreement_signed", {"application": application_id})


HOLDING_APPLICATION_APPROVED = Text("holding.application_approved")
HOLDING_WITHDRAWN_BY_MERCHANT = Text("holding.withdrawn_by_merchant")
BADGE_ALL_TAGS_HELD = Text("badge.all_tags_held")


@lru_cache(maxsize=1024)
def badge_tag_changed(tag_code: str, change: str) -> Text:
    """A badge granted or revoked because a tag was `change` (one of BADGE_CHANGES). The same arguments
    give the same (immutable) Text: a batch of thousands of changes shares a few."""
    return Text(f"badge.tag_{change}", {"tag": tag_code})


def badge_missing_tags(missing: list[str], cause: Text | None = None) -> Text:
    if cause is None:
        return Text("badge.missing_tags", {"missing": list(missing)})
    return Text(
        "badge.missing_tags_after",
        {"cause": {"code": cause.code, "params": cause.params}, "missing": list(missing)},
    )


def application_checks_failed(checks) -> Text:
    """The automatic rejection: the failed ApplicationChecks (or check results) as parameters."""
    return Text(
        "application.checks_failed",
        {
            "checks": [
                {
                    "code": c.code,
                    "label_en": c.label_en,
                    "label_zh": c.label_zh,
                    "detail": c.detail,
                    "detail_key": c.detail_key,
                    "detail_params": c.detail_params,
                }
                for c in checks
            ]
        },
    )
