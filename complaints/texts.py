"""The stored texts complaints writes (deposit memos, holding history), registered with core.texts."""

from django.utils.translation import gettext_lazy as _

from core.texts import Text, register

register("deposit.complaint_recovery", _("complaint %(complaint)s"))
register("complaint.appeal_upheld", _("appeal upheld: complaint %(complaint)s"))


def memo_complaint_recovery(complaint_ref: str) -> Text:
    return Text("deposit.complaint_recovery", {"complaint": complaint_ref})


def appeal_upheld(complaint_ref: str) -> Text:
    return Text("complaint.appeal_upheld", {"complaint": complaint_ref})
