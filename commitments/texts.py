"""The stored texts commitments writes (breach details, exemption reasons, deposit memos of vouchers
and appeals), registered with core.texts and built here so that every writer stores the same codes."""

from datetime import datetime

from django.utils.translation import gettext_lazy as _

from core.texts import Text, choice, cny, each, identity, local_time, register

# What a late fact was (terms._fulfilled_by): the code stored, the words shown.
DONE_WORDS = {
    "first_pickup": _("first pickup scan"),
    "signed": _("signed for"),
    "installed": _("installed"),
    "refunded": _("refunded"),
    "invoice_issued": _("invoice issued"),
    "freight_reimbursed": _("freight reimbursed"),
}


def _carrier(value) -> str:
    return str(value) if value else str(_("an unknown carrier"))


register(
    "breach.late",
    _("%(what)s at %(done_at)s, deadline %(deadline)s"),
    what=choice(DONE_WORDS),
    done_at=local_time,
    deadline=local_time,
)
register("breach.not_sf", _("picked up by %(carrier)s, not SF"), carrier=_carrier)
register("breach.shipping_fee", _("shipping fee %(fee)s charged"), fee=cny)
register("breach.deadline_passed", _("deadline passed without the fulfilling event"))
register("breach.complaint", _("complaint %(complaint)s: %(reason)s"))
register("breach.repair_not_accepted", _("repair ticket %(ticket)s not accepted in time"))
register("breach.repair_not_completed", _("repair ticket %(ticket)s not completed in time"))

register("exemption.remote_province", _("remote province: free shipping does not cover it"))
register("exemption.outside_sf_coverage", _("address outside the merchant's SF coverage"))
register("exemption.return_window", _("return outside the covered window"))
register("exemption.cancelled", _("order cancelled before the deadline"))
register("exemption.force_majeure", _("force majeure #%(declaration)s: %(reason)s"))

register("deposit.voucher_recovery", _("voucher %(voucher)s for order %(order)s"))
register("deposit.appeal_upheld_vouchers", _("appeal upheld: voucher %(vouchers)s"), vouchers=each(identity))


def breach_late(what: str, *, done_at: datetime, deadline: datetime) -> Text:
    return Text(
        "breach.late", {"what": what, "done_at": done_at.isoformat(), "deadline": deadline.isoformat()}
    )


def breach_not_sf(carrier: str) -> Text:
    return Text("breach.not_sf", {"carrier": carrier})


def breach_shipping_fee(fee) -> Text:
    return Text("breach.shipping_fee", {"fee": str(fee)})


BREACH_DEADLINE_PASSED = Text("breach.deadline_passed")


def breach_complaint(complaint_ref: str, reason: str) -> Text:
    return Text("breach.complaint", {"complaint": complaint_ref, "reason": reason})


def breach_repair_late(ticket_ref: str, *, missed_response: bool) -> Text:
    code = "breach.repair_not_accepted" if missed_response else "breach.repair_not_completed"
    return Text(code, {"ticket": ticket_ref})


EXEMPT_REMOTE_PROVINCE = Text("exemption.remote_province")
EXEMPT_OUTSIDE_SF_COVERAGE = Text("exemption.outside_sf_coverage")
EXEMPT_RETURN_WINDOW = Text("exemption.return_window")
EXEMPT_CANCELLED = Text("exemption.cancelled")


def exempt_force_majeure(declaration_id: int, reason: str) -> Text:
    return Text("exemption.force_majeure", {"declaration": declaration_id, "reason": reason})


def memo_voucher_recovery(voucher_code: str, order_ref: str) -> Text:
    return Text("deposit.voucher_recovery", {"voucher": voucher_code, "order": order_ref})


def memo_appeal_upheld_vouchers(voucher_codes: list[str]) -> Text:
    return Text("deposit.appeal_upheld_vouchers", {"vouchers": list(voucher_codes)})
