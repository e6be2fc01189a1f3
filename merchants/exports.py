"""CSV rows of the deposit ledger (back office: own shop; staff console: any merchant)."""

from collections.abc import Iterator

from django.utils import translation
from django.utils.translation import gettext as _

from core.exports import ITERATOR_CHUNK, csv_response, export_name
from core.texts import render_stored

from .models import DepositEntry, Merchant


def ledger_csv(*, merchant: Merchant, kind: str = ""):
    kinds = {value: str(label) for value, label in DepositEntry.Kind.choices}
    header = [_("Time"), _("Kind"), _("Amount (CNY)"), _("Balance after (CNY)"), _("Memo")]
    qs = DepositEntry.objects.filter(account__merchant=merchant).order_by("-created_at", "-id")
    if kind:
        qs = qs.filter(kind=kind)

    language = translation.get_language()  # the rows are streamed after the view returns
    columns = ("created_at", "kind", "amount", "balance_after", "memo", "memo_code", "memo_params")

    def rows() -> Iterator[list]:
        with translation.override(language):
            for entry in qs.values_list(*columns).iterator(chunk_size=ITERATOR_CHUNK):
                created_at, entry_kind, amount, balance_after, memo, code, params = entry
                memo = render_stored(code, params, memo)
                yield [created_at, kinds.get(entry_kind, entry_kind), amount, balance_after, memo]

    return csv_response(export_name("ledger", merchant.shop_code), header=header, rows=rows())
