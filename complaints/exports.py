"""CSV rows of complaints (back office: own shop; staff console: the queue's filters)."""

from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.exports import ITERATOR_CHUNK, csv_response, export_name
from tags.models import Tag

from .models import Complaint, ServiceStandard


def complaints_csv(qs: QuerySet[Complaint], *, name: str, with_merchant: bool = False):
    """`qs`: already filtered (a merchant's own, or the staff queue's filters)."""
    states = {value: str(label) for value, label in Complaint.State.choices}
    parties = {value: str(label) for value, label in Complaint.Responsibility.choices}
    standards = {standard.pk: standard.name for standard in ServiceStandard.objects.all()}
    tags = {tag.pk: tag.name for tag in Tag.objects.all()}
    yes, no = _("yes"), _("no")
    header = [_("Complaint"), _("Filed"), _("Order"), _("Type"), _("Tag"), _("State"), _("Urgent")]
    header += [_("Respond by"), _("Desk decides by"), _("Responsibility"), _("Compensation (CNY)")]
    fields = ["external_id", "filed_at", "order__external_id", "standard_id", "tag_id", "state", "urgent"]
    fields += ["merchant_response_due_at", "due_at", "responsibility", "compensation_amount"]
    if with_merchant:
        header = [_("Shop code"), _("Merchant")] + header
        fields += ["merchant__shop_code", "merchant__name"]
    qs = qs.order_by("-filed_at", "-pk")

    def rows() -> Iterator[list]:
        for values in qs.values_list(*fields).iterator(chunk_size=ITERATOR_CHUNK):
            external_id, filed, order, standard_id, tag_id, state, urgent, respond_by, due, party, amount = (
                values[:11]
            )
            row = [external_id, filed, order, standards.get(standard_id, ""), tags.get(tag_id, "")]
            row += [states.get(state, state), yes if urgent else no, respond_by, due]
            row += [parties.get(party, "") if party else "", amount]
            yield list(values[11:13]) + row if with_merchant else row

    return csv_response(export_name("complaints", name), header=header, rows=rows())
