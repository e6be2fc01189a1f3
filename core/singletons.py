"""Reading and changing the settings tables (`core.models.SingletonSettings` subclasses).

Every app's settings selector and update service are these two calls on its own model, so the
cache, the validation and the audit trail work the same for every settings table.
"""

import logging
from dataclasses import asdict

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction

from .audit import audit_record
from .errors import ApplicationError

logger = logging.getLogger(__name__)


def settings_snapshot(model):
    """The current row of `model` as its frozen `Snapshot`: one cache read, the database only on a miss.

    Hot paths call it once per batch and pass the snapshot on. The cache down: read the row.
    """
    key = model.cache_key()
    try:
        cached = cache.get(key)
    except Exception:  # noqa: BLE001 - the cache is an optimisation, the row is the truth
        logger.warning("%s: cache read failed", key, exc_info=True)
        cached = None
    if cached is not None:
        try:
            return model.Snapshot(**cached)
        except TypeError:  # written by an older release with other fields
            pass
    snapshot = model.current().snapshot()
    try:
        cache.set(key, asdict(snapshot), model.CACHE_SECONDS)
    except Exception:  # noqa: BLE001
        logger.warning("%s: cache write failed", key, exc_info=True)
    return snapshot


def settings_forget(model) -> None:
    """Drop the cached snapshot of `model`, now and again after the transaction commits."""
    model.forget_snapshot()


def settings_update(model, *, actor=None, **changes):
    """Set some of the numbers of `model`'s row. Every value is validated (ranges, types) before
    anything is saved; unknown names and bad values are an ApplicationError naming the fields.

    The row is locked, only changed fields are saved, one audit event (`model.AUDIT_VERB`) carries
    before and after, and the cached snapshot is dropped now and after commit, so this process
    sees the change at once and no other process keeps a value read while it was in flight.
    """
    unknown = sorted(set(changes) - set(model.EDITABLE))
    if unknown:
        raise ApplicationError(
            f"unknown settings: {', '.join(unknown)}", fields={name: ["unknown setting"] for name in unknown}
        )
    with transaction.atomic():
        model.current()
        row = model.objects.select_for_update().get(pk=model.SINGLETON_PK)
        before = {name: getattr(row, name) for name in changes}
        for name, value in changes.items():
            setattr(row, name, value)
        try:
            row.full_clean()
        except ValidationError as exc:
            raise ApplicationError(
                f"invalid {model._meta.verbose_name_raw}",
                fields={k: [str(m) for m in v] for k, v in exc.message_dict.items()},
            ) from exc
        changed = [name for name in changes if getattr(row, name) != before[name]]
        if not changed:
            return row
        row.save(update_fields=[*changed, "updated_at"])  # also drops the cached snapshot
        row.refresh_from_db(fields=changed)  # as stored (97.5 → 97.50)
        audit_record(
            actor=actor,
            verb=model.AUDIT_VERB,
            target=row,
            data={name: [str(before[name]), str(getattr(row, name))] for name in changed},
        )
    return row
