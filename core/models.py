"""Shared kernel models: the abstract BaseModel, audit events and the business-calendar overrides."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class BaseModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """Who did what to which object. Written by services, never edited."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # "system" for jobs, the username for people; kept even if the user is deleted.
    actor_label = models.CharField(max_length=150)
    verb = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=80)
    target_id = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "created_at"])]
        verbose_name = _("audit event")

    def __str__(self) -> str:
        return f"{self.actor_label} {self.verb} {self.target_type}#{self.target_id}"


class CalendarDay(BaseModel):
    """A staff-edited override of the PRC working-day calendar (holidays, 调休, years not yet published)."""

    date = models.DateField(unique=True)
    is_workday = models.BooleanField()
    note = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day override")

    def __str__(self) -> str:
        return f"{self.date} {'workday' if self.is_workday else 'holiday'} {self.note}"


class SingletonSettings(BaseModel):
    """Base of every settings table: one row of staff-editable numbers per app.

    The one pattern (CommitmentSettings, DeskSettings, and any new settings table):

    - the subclass lists its `EDITABLE` fields, a frozen dataclass `Snapshot` with exactly those
      fields, its `AUDIT_VERB`, field validators for the ranges and the same ranges as
      `CheckConstraint`s, and `single_row_constraint(...)` in its `Meta.constraints` (pk 1 only);
    - reads go through `core.singletons.settings_snapshot(Model)` (a cached snapshot: one cache
      read, the database only on a miss or when the cache is down), wrapped by the app's selector;
    - writes go through `core.singletons.settings_update(Model, actor=..., **changes)` (validated,
      row-locked, audited with before/after, the cached snapshot dropped now and after commit),
      wrapped by the app's service;
    - the admin subclasses `core.admin.SingletonSettingsAdmin` (no add/delete, saves through the
      service, shows the recent changes).

    `save()` also drops the cached snapshot, so a write by any other path (a shell, a test) is
    seen at once rather than after `CACHE_SECONDS`.
    """

    SINGLETON_PK = 1
    EDITABLE: tuple[str, ...] = ()
    Snapshot: type = dict
    AUDIT_VERB = ""
    # Bounds how long another process may keep reading an old value if an invalidation is missed.
    CACHE_SECONDS = 60
    CACHE_KEY = ""  # default: settings:<app_label>.<model>:v1

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.forget_snapshot()

    @staticmethod
    def single_row_constraint(name: str) -> models.CheckConstraint:
        return models.CheckConstraint(condition=models.Q(id=1), name=name)

    @classmethod
    def cache_key(cls) -> str:
        return cls.CACHE_KEY or f"settings:{cls._meta.label_lower}:v1"

    @classmethod
    def current(cls):
        """The row, created with the defaults when missing (a data migration normally made it)."""
        row, _created = cls.objects.get_or_create(pk=cls.SINGLETON_PK)
        return row

    def snapshot(self):
        return self.Snapshot(**{name: getattr(self, name) for name in self.EDITABLE})

    @classmethod
    def forget_snapshot(cls) -> None:
        """Drop the cached snapshot, now and again after the transaction commits."""

        def forget():
            try:
                cache.delete(cls.cache_key())
            except Exception:  # noqa: BLE001 - the cache is an optimisation, the row is the truth
                logger.warning("%s: cache delete failed", cls.cache_key(), exc_info=True)

        forget()
        transaction.on_commit(forget)
