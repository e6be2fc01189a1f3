"""Staff console of the monthly evaluation: runs, a run's results (filters, CSV), one merchant's
history, a dry run of any month, and the rules with a threshold-impact preview before saving."""

import csv
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.calendar import local_date
from core.errors import ApplicationError
from core.roles import STAFF_OPS, has_role, staff_required
from merchants.models import Category, Merchant
from tags.models import Tag

from ..evaluation import selectors, services
from ..evaluation.metrics import add_months, parse_month
from ..evaluation.notices import metric_name
from ..models import EvaluationResult, EvaluationSettings


def _run_or_404(month: str):
    period = parse_month(month)
    run = selectors.run_get(period) if period else None
    if run is None:
        raise Http404("No evaluation of this month.")
    return run


def _recent_months(count: int = 12) -> list[str]:
    last = add_months(local_date(timezone.now()).replace(day=1), -1)
    return [f"{add_months(last, -i):%Y-%m}" for i in range(count)]


@staff_required
def runs(request):
    return render(
        request,
        "staff/scoring/runs.html",
        {
            "runs": list(selectors.run_list()[:36]),
            "months": _recent_months(),
            "rules": selectors.evaluation_settings(),
            "can_dry_run": has_role(request.user, STAFF_OPS),
        },
    )


def _filters(request) -> dict:
    params = {name: request.GET.get(name, "") for name in ("outcome", "tag", "category", "action")}
    if params["outcome"] not in EvaluationResult.Outcome.values:
        params["outcome"] = ""
    if params["action"] not in EvaluationResult.Action.values:
        params["action"] = ""
    return params


@staff_required
def run_detail(request, month: str):
    run = _run_or_404(month)
    params = _filters(request)
    page = Paginator(selectors.result_list(run=run, **params), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "staff/scoring/run.html",
        {
            "run": run,
            "page": page,
            "params": params,
            "outcomes": EvaluationResult.Outcome.choices,
            "actions": EvaluationResult.Action.choices,
            "tags": Tag.objects.filter(monitored=True).order_by("sort_order"),
            "categories": Category.objects.order_by("sort_order"),
            "exclusions": list(selectors.exclusions_for(run=run)[:100]),
        },
    )


CSV_COLUMNS = [
    "month", "shop_code", "category", "tag", "state_before", "orders", "on_counts",
    "fault_numerator", "fault_denominator", "fault_result",
    "dsr_numerator", "dsr_denominator", "dsr_ratings", "dsr_result",
    "dispute_numerator", "dispute_denominator", "dispute_result",
    "excluded_complaints", "outcome", "failed_metrics", "action", "action_until", "rule_version", "revision",
]  # fmt: skip


@staff_required
def run_csv(request, month: str):
    run = _run_or_404(month)
    params = _filters(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="evaluation-{run.month}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 with the BOM
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for r in selectors.result_list(run=run, **params).iterator(chunk_size=2000):
        writer.writerow(
            [
                r.month, r.merchant.shop_code, r.category.code, r.tag.code, r.state_before, r.orders,
                int(r.on_counts), r.fault_numerator, r.fault_denominator, r.fault_result,
                r.dsr_numerator, r.dsr_denominator, r.dsr_ratings, r.dsr_result,
                r.dispute_numerator, r.dispute_denominator, r.dispute_result,
                r.excluded_complaints, r.outcome, " ".join(r.failed_metrics), r.action,
                r.action_until.isoformat() if r.action_until else "", r.rule_version, r.revision,
            ]
        )  # fmt: skip
    return response


@staff_required
def merchant_history(request, merchant_id: int):
    merchant = Merchant.objects.filter(pk=merchant_id).first()
    if merchant is None:
        raise Http404("No such merchant.")
    page = Paginator(selectors.merchant_history(merchant_id=merchant.pk), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "staff/scoring/merchant.html",
        {
            "merchant": merchant,
            "page": page,
            "exclusions": list(selectors.merchant_exclusions(merchant_id=merchant.pk)[:50]),
        },
    )


@staff_required
def dry_run(request):
    """Any month, nothing written: what the evaluation would decide now."""
    period = parse_month(request.GET.get("month", ""))
    if period is None:
        messages.error(request, _("Choose a month."))
        return redirect("staff:evaluation-runs")
    merchant = request.GET.get("merchant", "").strip()
    merchant_ids = None
    if merchant:
        found = Merchant.objects.filter(shop_code__iexact=merchant).values_list("pk", flat=True).first()
        if found is None and merchant.isdigit():
            found = Merchant.objects.filter(pk=int(merchant)).values_list("pk", flat=True).first()
        merchant_ids = [found] if found else []
    computed = services.evaluation_compute(period=period, merchant_ids=merchant_ids)
    failing = [d for d in computed.drafts if d.outcome == EvaluationResult.Outcome.FAILED]
    shown = failing[:200]
    names = dict(
        Merchant.objects.filter(pk__in={d.key.merchant_id for d in shown}).values_list("pk", "shop_code")
    )
    tags = {t.pk: t for t in Tag.objects.all()}
    categories = {c.pk: c for c in Category.objects.all()}
    rows = [
        {
            "draft": d,
            "shop_code": names.get(d.key.merchant_id, ""),
            "tag": tags.get(d.key.tag_id),
            "category": categories.get(d.key.category_id),
            "failed": [metric_name(code) for code in d.failed_metrics],
        }
        for d in shown
    ]
    return render(
        request,
        "staff/scoring/dry_run.html",
        {
            "month": f"{period:%Y-%m}",
            "merchant": merchant,
            "evaluated": len(computed.drafts),
            "failing": len(failing),
            "merchants_failing": len({d.key.merchant_id for d in failing}),
            "excluded": len(computed.exclusions),
            "rows": rows,
            "rules": computed.rules,
        },
    )


RULE_FIELDS = EvaluationSettings.THRESHOLDS


def _candidate(post, current):
    """The rules as edited in the form (only valid values), and the field errors."""
    values, errors = {}, {}
    for name in RULE_FIELDS:
        raw = (post.get(name) or "").strip()
        if raw == "":
            continue
        field = EvaluationSettings._meta.get_field(name)
        try:
            value = Decimal(raw) if isinstance(getattr(current, name), Decimal) else int(raw)
            field.run_validators(value)
        except (InvalidOperation, ValueError, ValidationError):
            errors[name] = _("Enter a valid value.")
            continue
        if isinstance(value, Decimal) and (not value.is_finite() or value.as_tuple().exponent < -2):
            errors[name] = _("Enter a valid value.")
            continue
        values[name] = value
    return values, errors


@staff_required
def rules(request):
    """The rules; staff_ops preview how many merchants and tags a change would flip, then save it."""
    current = selectors.evaluation_settings()
    can_change = has_role(request.user, STAFF_OPS)
    impact = None
    values, errors = {}, {}
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied("Changing the evaluation rules needs staff_ops.")
        values, errors = _candidate(request.POST, current)
        if not errors and request.POST.get("action") == "save":
            try:
                services.evaluation_settings_update(actor=request.user, **values)
            except ApplicationError as exc:
                errors = {k: "; ".join(v) for k, v in exc.fields.items()}
            else:
                messages.success(request, _("Evaluation rules saved."))
                return redirect("staff:evaluation-rules")
        if not errors:
            impact = selectors.threshold_impact(rules=replace(current, **values))
    fields = [
        {
            "name": name,
            "label": EvaluationSettings._meta.get_field(name).verbose_name,
            "help": EvaluationSettings._meta.get_field(name).help_text,
            "current": getattr(current, name),
            "value": request.POST.get(name, getattr(current, name))
            if request.method == "POST"
            else getattr(current, name),
            "error": errors.get(name, ""),
        }
        for name in RULE_FIELDS
    ]
    return render(
        request,
        "staff/scoring/rules.html",
        {"rules": current, "fields": fields, "impact": impact, "can_change": can_change, "errors": errors},
    )
