"""The application state machine (SPEC §4): draft → submitted → awaiting_agreement → (under_review) → active | rejected."""

import hashlib

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import audit_record
from core.errors import ApplicationError, Conflict, CoreError, Forbidden, NotFound, check_transition
from core.locks import lock_one
from core.roles import MERCHANT_OWNER, has_role
from core.texts import Text, verbatim
from merchants.models import Category, Merchant

from .. import texts
from ..checks import run_checks
from ..errors import TagError
from ..models import ApplicationCheck, Tag, TagAgreement, TagApplication
from .holdings import holding_grant

S = TagApplication.State
REJECTION_FIELDS = ("rejection_reason", "rejection_reason_code", "rejection_reason_params")


def _set_rejection(application: TagApplication, reason: Text) -> None:
    for name, value in reason.fields(TagApplication, "rejection_reason").items():
        setattr(application, name, value)


def _move(application: TagApplication, target: str, *, actor, data: dict | None = None) -> None:
    check_transition(
        allowed=TagApplication.ALLOWED_TRANSITIONS,
        current=application.state,
        target=target,
        what="the application",
    )
    previous = application.state
    application.state = target
    audit_record(
        actor=actor,
        verb=f"tag.application_{target}",
        target=application,
        data={"from": previous, "to": target, **(data or {})},
    )


def _lock(application_id: int, merchant: Merchant | None = None) -> TagApplication:
    """Lock the application's merchant row, then the application (of `merchant` when given).

    One lock order for the whole app (merchant first, as in holdings): signing or approving locks
    the merchant again in holding_grant, and submitting locks it first, so taking the application
    first could deadlock a sign (or approve) against a submit of the same application.
    """
    merchant_id = (
        TagApplication.objects.filter(pk=application_id).values_list("merchant_id", flat=True).first()
    )
    if merchant_id is None or (merchant is not None and merchant_id != merchant.pk):
        raise NotFound("No such application.")
    lock_one(Merchant, pk=merchant_id, missing="No such application.")
    return lock_one(
        TagApplication.objects.select_related("tag", "category", "merchant"),
        pk=application_id,
        missing="No such application.",
    )


CONFIG_MAX_DEPTH = 8


def _config_problem(value, depth: int = 1) -> str | None:
    """Why a configuration cannot be stored (PostgreSQL jsonb refuses NUL characters), or None."""
    if isinstance(value, str):
        return "must not contain NUL characters" if "\x00" in value else None
    if isinstance(value, dict | list):
        if depth > CONFIG_MAX_DEPTH:
            return f"must not be nested more than {CONFIG_MAX_DEPTH} levels deep"
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            problem = _config_problem(key) or _config_problem(item, depth + 1)
            if problem:
                return problem
    return None


def _check_config(config) -> None:
    if config is not None and not isinstance(config, dict):
        raise ApplicationError("config must be an object", fields={"config": ["must be an object"]})
    problem = _config_problem(config or {})
    if problem:
        raise ApplicationError(f"config {problem}", fields={"config": [problem]})


def _needs_review(tag: Tag, config: dict) -> bool:
    if tag.needs_review:
        return True
    return tag.code == "sf_free_shipping" and bool((config or {}).get("warehouse"))


def application_create(
    *, merchant: Merchant, category: Category, tag: Tag, config: dict | None = None, actor=None
) -> TagApplication:
    if tag.lifecycle != Tag.Lifecycle.ACTIVE:
        raise ApplicationError(
            f"{tag.code} is {tag.lifecycle}: only active tags can be applied for",
            fields={"tag": [tag.lifecycle]},
        )
    _check_config(config)
    try:
        with transaction.atomic():
            application = TagApplication.objects.create(
                merchant=merchant,
                category=category,
                tag=tag,
                config=config or {},
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
                needs_review=_needs_review(tag, config or {}),
            )
            audit_record(
                actor=actor, verb="tag.application_created", target=application, data={"tag": tag.code}
            )
    except IntegrityError as exc:
        raise Conflict(
            "you already have an open application for this tag in this category",
            code=TagError.APPLICATION_OPEN,
        ) from exc
    return application


def application_update_config(
    *, application_id: int, merchant: Merchant, config: dict, actor=None
) -> TagApplication:
    if not isinstance(config, dict):
        raise ApplicationError("config must be an object", fields={"config": ["must be an object"]})
    _check_config(config)
    with transaction.atomic():
        application = _lock(application_id, merchant)
        if application.state != S.DRAFT:
            raise Conflict("only a draft can be edited", code=CoreError.INVALID_TRANSITION)
        application.config = config
        application.needs_review = _needs_review(application.tag, config)
        application.save(update_fields=["config", "needs_review", "updated_at"])
        audit_record(actor=actor, verb="tag.application_config_updated", target=application, data={})
    return application


def application_submit(
    *, application_id: int, merchant: Merchant | None = None, actor=None
) -> TagApplication:
    """Run every check, store each result, and move on to awaiting_agreement or rejected."""
    now = timezone.now()
    with transaction.atomic():
        # Submissions of one merchant run one at a time, so that two applications for mutually
        # exclusive tags cannot both pass the exclusivity check (_lock takes the merchant row).
        application = _lock(application_id, merchant)
        _move(application, S.SUBMITTED, actor=actor)
        application.submitted_at = now
        application.terms_version = application.tag.current_terms
        application.needs_review = _needs_review(application.tag, application.config)
        results = run_checks(
            merchant=application.merchant, category=application.category, tag=application.tag, now=now,
            application=application,
        )  # fmt: skip
        application.checks.all().delete()
        checks = ApplicationCheck.objects.bulk_create(
            [
                ApplicationCheck(
                    application=application,
                    position=i,
                    code=r.code,
                    label_en=r.label_en,
                    label_zh=r.label_zh,
                    status=r.status,
                    detail=r.detail,
                    detail_key=r.detail_key,
                    detail_params=r.params,
                    checked_at=now,
                )  # fmt: skip
                for i, r in enumerate(results, start=1)
            ]
        )
        failed = [c for c in checks if c.status == ApplicationCheck.Status.FAILED]
        if failed:
            _move(application, S.REJECTED, actor=None, data={"failed": [c.code for c in failed]})
            application.decided_at = now
            _set_rejection(application, texts.application_checks_failed(failed))
        else:
            _move(application, S.AWAITING_AGREEMENT, actor=None)
        application.save(
            update_fields=[
                "state", "submitted_at", "terms_version", "needs_review", "decided_at", *REJECTION_FIELDS, "updated_at",
            ]
        )  # fmt: skip
    return application


def agreement_text(application: TagApplication, lang: str) -> str:
    terms = application.tag.current_terms
    return (
        (terms.agreement_zh if lang.startswith("zh") else terms.agreement_en or terms.agreement_zh)
        if terms
        else ""
    )


def application_sign(
    *,
    application_id: int,
    merchant: Merchant,
    actor,
    signer_name: str,
    accept: bool,
    ip_address: str | None = None,
) -> TagApplication:
    """The merchant owner signs the agreement of the current terms version; then review or activation."""
    if not has_role(actor, MERCHANT_OWNER):
        raise Forbidden("only the merchant owner may sign an agreement")
    if not accept:
        raise ApplicationError(
            "you must accept the agreement to sign it", fields={"accept": ["must be true"]}
        )
    signer_name = (signer_name or "").strip()
    if not signer_name:
        raise ApplicationError("type your full name to sign", fields={"signer_name": ["required"]})
    now = timezone.now()
    with transaction.atomic():
        application = _lock(application_id, merchant)
        target = S.UNDER_REVIEW if application.needs_review else S.ACTIVE
        check_transition(
            allowed={S.AWAITING_AGREEMENT: (target,)},
            current=application.state,
            target=target,
            what="the application",
        )
        terms = application.tag.current_terms
        text = (terms.agreement_zh or "") + "\n---\n" + (terms.agreement_en or "")
        TagAgreement.objects.create(
            application=application, merchant=application.merchant, tag=application.tag, terms_version=terms,
            signed_by=actor, signer_name=signer_name[:120], signed_at=now, ip_address=ip_address,
            text_sha256=hashlib.sha256(text.encode()).hexdigest(),
        )  # fmt: skip
        application.terms_version = terms
        _move(application, target, actor=actor, data={"terms_version": terms.version})
        if target == S.ACTIVE:
            application.decided_at = now
            application.holding = holding_grant(
                merchant_id=application.merchant_id, category=application.category, tag=application.tag,
                terms_version=terms, config=application.config, actor=actor,
                reason=texts.holding_agreement_signed(application.pk),
            )  # fmt: skip
        application.save(update_fields=["state", "terms_version", "decided_at", "holding", "updated_at"])
    return application


def application_approve(*, application_id: int, actor, note: str = "") -> TagApplication:
    now = timezone.now()
    with transaction.atomic():
        application = _lock(application_id)
        check_transition(
            allowed={S.UNDER_REVIEW: (S.ACTIVE,)},
            current=application.state,
            target=S.ACTIVE,
            what="the application",
        )
        _move(application, S.ACTIVE, actor=actor, data={"note": note})
        application.decided_at = now
        application.decided_by = actor
        application.holding = holding_grant(
            merchant_id=application.merchant_id, category=application.category, tag=application.tag,
            terms_version=application.terms_version or application.tag.current_terms, config=application.config,
            actor=actor, reason=texts.holding_approved_by_staff(application.pk, note),
        )  # fmt: skip
        application.save(update_fields=["state", "decided_at", "decided_by", "holding", "updated_at"])
    return application


def application_reject(*, application_id: int, actor, reason: str) -> TagApplication:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("a reason is required to reject", fields={"reason": ["required"]})
    now = timezone.now()
    with transaction.atomic():
        application = _lock(application_id)
        check_transition(
            allowed={S.UNDER_REVIEW: (S.REJECTED,)}, current=application.state, target=S.REJECTED,
            what="the application",
        )  # fmt: skip
        _move(application, S.REJECTED, actor=actor, data={"reason": reason})
        application.decided_at = now
        application.decided_by = actor
        _set_rejection(application, verbatim(reason))
        application.save(update_fields=["state", "decided_at", "decided_by", *REJECTION_FIELDS, "updated_at"])
    return application
