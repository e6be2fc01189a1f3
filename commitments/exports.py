"""CSV rows of breaches and vouchers (back office: own shop; staff console: the page's filters)."""

from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from core.exports import ITERATOR_CHUNK, csv_response, export_name
from core.texts import render_stored
from tags.models import Tag

from .models import Breach, BreachAppeal, Voucher


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


def _tag_names() -> dict[int, str]:
    return {tag.pk: tag.name for tag in Tag.objects.all()}


def breaches_csv(qs: QuerySet[Breach], *, name: str, with_merchant: bool = False):
    """`qs`: already filtered (a merchant's own, or the staff page's filters)."""
    sources = _labels(Breach.Source.choices)
    appeals = _labels(BreachAppeal.State.choices)
    tags = _tag_names()
    yes, no = _("yes"), _("no")
    header = [_("Detected"), _("Order"), _("Tag"), _("How"), _("Detail"), _("Voucher (CNY)"), _("Appeal")]
    header += [_("Counts in metrics")]
    if with_merchant:
        header = [_("Shop code"), _("Merchant")] + header

    fields = ["detected_at", "commitment__order__external_id", "commitment__tag_id", "source", "detail"]
    fields += ["voucher__amount", "appeal__state", "counts_in_metrics", "detail_code", "detail_params"]
    if with_merchant:
        fields += ["merchant__shop_code", "merchant__name"]
    qs = qs.order_by("-detected_at", "-pk")
    language = translation.get_language()  # the rows are streamed after the view returns

    def rows() -> Iterator[list]:
        with translation.override(language):
            for values in qs.values_list(*fields).iterator(chunk_size=ITERATOR_CHUNK):
                detected, order, tag_id, source, detail, amount, appeal, counted, code, params = values[:10]
                detail = render_stored(code, params, detail)
                row = [detected, order, tags.get(tag_id, ""), sources.get(source, source), detail, amount]
                row += [appeals.get(appeal, "") if appeal else "", yes if counted else no]
                yield list(values[10:12]) + row if with_merchant else row

    return csv_response(export_name("breaches", name), header=header, rows=rows())


def vouchers_csv(qs: QuerySet[Voucher], *, name: str, with_merchant: bool = False):
    states = _labels(Voucher.State.choices)
    funded = _labels(Voucher.FundedBy.choices)
    sources = {key: str(label) for key, label in Voucher.SOURCE_LABELS.items()}
    other = _("other compensation")
    tags = _tag_names()
    header = [_("Issued"), _("Code"), _("Order"), _("Reason"), _("Amount (CNY)"), _("Funded by")]
    header += [_("State"), _("Valid until")]
    if with_merchant:
        header = [_("Shop code"), _("Merchant")] + header
    fields = [
        "created_at",
        "code",
        "order__external_id",
        "breach__commitment__tag_id",
        "source_type",
        "amount",
    ]
    fields += ["funded_by", "state", "valid_until"]
    if with_merchant:
        fields += ["merchant__shop_code", "merchant__name"]
    qs = qs.order_by("-created_at", "-pk")

    def rows() -> Iterator[list]:
        for values in qs.values_list(*fields).iterator(chunk_size=ITERATOR_CHUNK):
            created, code, order, tag_id, source_type, amount, funded_by, state, valid_until = values[:9]
            reason = tags.get(tag_id) if tag_id else sources.get(source_type, other)
            row = [created, code, order, reason, amount, funded.get(funded_by, funded_by)]
            row += [states.get(state, state), valid_until]
            yield list(values[9:11]) + row if with_merchant else row

    return csv_response(export_name("vouchers", name), header=header, rows=rows())
