"""Catalog writes: a change to a tag's terms is a new, immutable terms version; every catalog write
(tag names, terms, category badges) refreshes the public badge answers after it commits."""

from decimal import Decimal

from django.db import transaction
from django.db.models import Max

from core.audit import audit_record
from core.errors import ApplicationError

from .. import public
from ..compensation import FormulaError, validate_formula
from ..models import CategoryBadge, Tag, TagTermsVersion

TERMS_FIELDS = (
    "promise_zh",
    "promise_en",
    "compensation_zh",
    "compensation_en",
    "terms",
    "compensation",
    "daily_cap",
    "agreement_zh",
    "agreement_en",
)


def catalog_changed() -> None:
    """Public badge answers render catalog data (tag names and promises, badge names and boosts):
    once the write commits, drop them all so that every process rebuilds them. Called by every
    catalog write below, whatever path (admin, shell, demo) made it."""
    transaction.on_commit(public.clear_all)


def catalog_entry_save(*, entry: Tag | CategoryBadge, actor=None, changed=()) -> Tag | CategoryBadge:
    """Save a tag's or a category badge's own fields (not a tag's terms: tag_terms_update), audit
    which fields changed, and refresh the public badge answers after commit."""
    with transaction.atomic():
        created = entry.pk is None
        entry.save()
        audit_record(
            actor=actor,
            verb=f"{entry._meta.model_name}.{'created' if created else 'changed'}",
            target=entry,
            data={"changed": sorted(changed)},
        )
        catalog_changed()
    return entry


def tag_terms_update(*, tag_id: int, actor=None, **changes) -> TagTermsVersion:
    """Create version n+1 from the current version with `changes` applied, and make it current.

    Existing versions are never edited: holdings, agreements and commitments keep theirs.
    """
    unknown = set(changes) - set(TERMS_FIELDS)
    if unknown:
        raise ApplicationError(f"unknown terms fields: {', '.join(sorted(unknown))}")
    if "compensation" in changes:
        try:
            validate_formula(changes["compensation"])
        except FormulaError as exc:
            raise ApplicationError(str(exc), fields={"compensation": [str(exc)]}) from exc
    if "daily_cap" in changes and Decimal(changes["daily_cap"]) < 0:
        raise ApplicationError("daily cap must not be negative", fields={"daily_cap": ["must be ≥ 0"]})
    if "terms" in changes and not isinstance(changes["terms"], dict):
        raise ApplicationError("terms must be an object", fields={"terms": ["must be an object"]})

    with transaction.atomic():
        tag = Tag.objects.select_for_update().get(pk=tag_id)
        current = tag.current_terms
        base = {f: getattr(current, f) for f in TERMS_FIELDS} if current else {}
        base.update(changes)
        if current is not None and all(base[f] == getattr(current, f) for f in TERMS_FIELDS):
            return current  # nothing changed: no new version
        number = (tag.terms_versions.aggregate(n=Max("version"))["n"] or 0) + 1
        version = TagTermsVersion.objects.create(tag=tag, version=number, **base)
        tag.current_terms = version
        tag.save(update_fields=["current_terms", "updated_at"])
        audit_record(
            actor=actor,
            verb="tag.terms_updated",
            target=tag,
            data={"version": number, "changed": sorted(changes)},
        )
        catalog_changed()
    return version
