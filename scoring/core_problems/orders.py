"""One order's negative events, for the order numbers of the core-problems panel."""

from dataclasses import dataclass

from django.http import Http404

from commitments.models import Order
from complaints.models import Complaint, HelpRequest


@dataclass
class OrderEvents:
    order: Order
    help_requests: list[HelpRequest]
    complaints: list[Complaint]


def order_events(external_id: str, *, merchant_id: int | None = None) -> OrderEvents:
    """The order (of `merchant_id` when given, else any: staff) with its help requests and complaints."""
    qs = Order.objects.select_related("product", "merchant")
    if merchant_id is not None:
        qs = qs.filter(merchant_id=merchant_id)
    order = qs.filter(external_id=external_id).first()
    if order is None:
        raise Http404("No such order.")
    return OrderEvents(
        order=order,
        help_requests=list(HelpRequest.objects.filter(order=order).order_by("requested_at")),
        complaints=list(
            Complaint.objects.filter(order=order).select_related("standard").order_by("filed_at")
        ),
    )
