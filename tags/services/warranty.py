"""Brand warranty services (品牌全国联保服务): published by a brand, approved by staff_reviewer."""

from django.db import transaction
from django.utils import timezone

from core.audit import audit_record
from core.errors import ApplicationError, check_transition
from core.locks import lock_one
from merchants.models import Brand

from ..errors import TagError
from ..models import BrandWarrantyService, WarrantyOutlet, WarrantyReviewRules


def warranty_service_create(
    *,
    brand: Brand,
    hotline: str,
    warranty_period_months: int,
    policy_zh: str,
    response_hours: int,
    repair_days: int,
    integration_mode: str,
    outlets: list[dict],
    policy_en: str = "",
    actor=None,
) -> BrandWarrantyService:
    if integration_mode not in BrandWarrantyService.Integration.values:
        raise ApplicationError("unknown integration mode", fields={"integration_mode": ["unknown"]})
    with transaction.atomic():
        service = BrandWarrantyService.objects.create(
            brand=brand, hotline=hotline, warranty_period_months=warranty_period_months, policy_zh=policy_zh,
            policy_en=policy_en, response_hours=response_hours, repair_days=repair_days,
            integration_mode=integration_mode,
            submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
        )  # fmt: skip
        WarrantyOutlet.objects.bulk_create(
            [
                WarrantyOutlet(
                    service=service,
                    name=o["name"],
                    city=o["city"],
                    province=o.get("province", ""),
                    address=o.get("address", ""),
                    phone=o.get("phone", ""),
                )  # fmt: skip
                for o in outlets
            ]
        )
        audit_record(
            actor=actor, verb="tag.warranty_service_submitted", target=service, data={"outlets": len(outlets)}
        )
    return service


def warranty_rule_failures(
    service: BrandWarrantyService, *, rules: WarrantyReviewRules | None = None
) -> list[str]:
    """What a large-appliance brand's service misses against the review rules (empty when it passes).

    Pass `rules` (and prefetch `outlets`) when checking many services: no query per service then.
    """
    if not service.brand.is_large_appliance:
        return []
    rules = rules or WarrantyReviewRules.current()
    outlets = [outlet.city for outlet in service.outlets.all()]
    designated = set(rules.designated_cities)
    in_designated = sum(1 for city in outlets if city in designated)
    failures = []
    if len(outlets) < rules.min_outlets:
        failures.append(f"{len(outlets)} outlets, at least {rules.min_outlets} needed")
    if in_designated < rules.min_designated_city_outlets:
        failures.append(
            f"{in_designated} outlets in designated cities, at least {rules.min_designated_city_outlets} needed"
        )
    if service.response_hours > rules.max_response_hours:
        failures.append(
            f"response within {service.response_hours} h, at most {rules.max_response_hours} h allowed"
        )
    if service.repair_days > rules.max_repair_days:
        failures.append(f"repair within {service.repair_days} days, at most {rules.max_repair_days} allowed")
    return failures


def _lock(service_id: int) -> BrandWarrantyService:
    return lock_one(
        BrandWarrantyService.objects.select_related("brand"),
        pk=service_id,
        missing="No such brand warranty service.",
    )


def warranty_service_approve(*, service_id: int, actor) -> BrandWarrantyService:
    with transaction.atomic():
        service = _lock(service_id)
        check_transition(
            allowed=BrandWarrantyService.ALLOWED_TRANSITIONS, current=service.state, target="approved",
            what="the warranty service",
        )  # fmt: skip
        failures = warranty_rule_failures(service)
        if failures:
            raise ApplicationError(
                "the service does not meet the large-appliance outlet rules: " + "; ".join(failures),
                code=TagError.RULES_NOT_MET,
                fields={"rules": failures},
            )
        service.state = BrandWarrantyService.State.APPROVED
        service.reviewed_by, service.reviewed_at = actor, timezone.now()
        service.save(update_fields=["state", "reviewed_by", "reviewed_at", "updated_at"])
        audit_record(actor=actor, verb="tag.warranty_service_approved", target=service, data={})
    return service


def warranty_service_reject(*, service_id: int, actor, reason: str) -> BrandWarrantyService:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("a reason is required to reject", fields={"reason": ["required"]})
    with transaction.atomic():
        service = _lock(service_id)
        check_transition(
            allowed=BrandWarrantyService.ALLOWED_TRANSITIONS, current=service.state, target="rejected",
            what="the warranty service",
        )  # fmt: skip
        service.state = BrandWarrantyService.State.REJECTED
        service.reviewed_by, service.reviewed_at = actor, timezone.now()
        service.rejection_reason = reason
        service.save(update_fields=["state", "reviewed_by", "reviewed_at", "rejection_reason", "updated_at"])
        audit_record(
            actor=actor, verb="tag.warranty_service_rejected", target=service, data={"reason": reason}
        )
    return service
