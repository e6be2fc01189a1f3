"""Dashboard cards of the monthly evaluation (order 30): rectification and bar status with dates
for the merchant, the last run for staff. Imported from ScoringConfig.ready()."""

from django.urls import reverse

from core.calendar import first_working_day_of_month
from core.dashboard import office_card, staff_card
from tags.models import TagHolding

from .evaluation.metrics import add_months
from .evaluation.selectors import last_completed_run


@office_card(order=30, template="office/scoring/_evaluation_card.html")
def evaluation_status_card(request, merchant) -> dict | None:
    holdings = list(
        TagHolding.objects.filter(
            merchant=merchant, state__in=[TagHolding.State.RECTIFYING, TagHolding.State.BARRED]
        )
        .select_related("tag", "category")
        .order_by("state", "tag__sort_order")
    )
    rows = []
    for holding in holdings:
        row = {"holding": holding, "decided_on": None}
        if holding.state == TagHolding.State.RECTIFYING and holding.rectification_month:
            following = add_months(holding.rectification_month, 1)
            row["decided_on"] = first_working_day_of_month(following.year, following.month).day
        rows.append(row)
    return {"rows": rows, "url": reverse("office:evaluation")}


@staff_card(order=30, template="staff/scoring/_evaluation_card.html")
def evaluation_run_card(request) -> dict | None:
    return {"run": last_completed_run(), "url": reverse("staff:evaluation-runs")}
