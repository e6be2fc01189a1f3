"""Row locks for services, and the one order in which they are taken.

Two transactions that lock the same rows in different orders can deadlock; PostgreSQL then kills
one of them. Every service takes its locks in this order (skipping what it does not need), and
several rows of one table in primary-key order:

1. a settings row (`core.models.SingletonSettings`), alone: its service locks nothing else;
2. the merchant (`merchants.Merchant`): every tags write (applications, holdings, badges) locks it
   first, then the tag application, then the holding (`tags.services.applications._lock`,
   `tags.services.holdings._locked_holding`);
3. the complaint (`complaints.services.workflow.complaint_lock`), then what its decision touches below;
4. commitments (pk order), then the breach, the breach appeal, the voucher, the compensation day
   (`commitments.services.payments`), in that order;
5. the deposit account (`merchants.services.deposit_post_entry`), always last: every payer reaches
   it at the end of its transaction.

Claims on queued work (the sweep, the outbox, overdue complaints) use `skip_locked=True` instead,
and never wait.
"""

from django.db.models import Model, QuerySet

from .errors import NotFound


def lock_one(queryset: QuerySet | type[Model], *, missing: str, **filters):
    """The one row matching `filters`, locked until the transaction ends (call inside
    `transaction.atomic`); NotFound(`missing`) when there is none."""
    if not isinstance(queryset, QuerySet):
        queryset = queryset.objects.all()
    row = queryset.select_for_update().filter(**filters).first()
    if row is None:
        raise NotFound(missing)
    return row
