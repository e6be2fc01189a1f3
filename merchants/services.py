"""Writes for merchants, members and the deposit ledger."""

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Case, DecimalField, F, OuterRef, Subquery, Value, When
from django.utils import timezone, translation

from core.audit import audit_record
from core.bulk import insert_rows, json_text
from core.errors import ApplicationError, CoreError
from core.jobs import enqueue_on_commit
from core.models import AuditEvent
from core.money import fits_column, format_cny, max_entry_amount, to_money
from core.texts import Text, verbatim

from .errors import MerchantError
from .models import Category, DepositAccount, DepositEntry, Membership, Merchant, Notice
from .notices import render_notice


def merchant_create(
    *,
    name: str,
    shop_code: str,
    main_category: Category,
    name_en: str = "",
    contact_email: str = "",
    actor=None,
) -> Merchant:
    with transaction.atomic():
        merchant = Merchant.objects.create(
            name=name,
            name_en=name_en,
            shop_code=shop_code,
            main_category=main_category,
            contact_email=contact_email,
        )
        DepositAccount.objects.create(merchant=merchant)
        audit_record(actor=actor, verb="merchant.created", target=merchant, data={"shop_code": shop_code})
    return merchant


def membership_add(*, user, merchant: Merchant, role: str, actor=None) -> Membership:
    if role not in Membership.Role.values:
        raise ApplicationError(f"unknown merchant role {role!r}", fields={"role": ["unknown role"]})
    with transaction.atomic():
        membership = Membership.objects.create(user=user, merchant=merchant, role=role)
        user.groups.add(Group.objects.get(name=role))
        audit_record(
            actor=actor, verb="membership.added", target=merchant, data={"user": user.pk, "role": role}
        )
    return membership


def _required_deposit(account: DepositAccount) -> Decimal:
    return Category.objects.filter(pk=account.merchant.main_category_id).values_list(
        "required_deposit", flat=True
    )[0]


def memo_fields(memo: Text | str) -> dict:
    """The DepositEntry columns of a memo: a stored text, or what a person typed (shown as typed)."""
    if isinstance(memo, str):
        memo = verbatim(memo.strip()) if memo.strip() else None
    return memo.fields(DepositEntry, "memo") if memo is not None else {}


def deposit_post_entry(
    *,
    merchant_id: int,
    kind: str,
    amount: Decimal,
    memo: Text | str = "",
    source_type: str = "",
    source_id: str = "",
    actor=None,
    floor_at_zero: bool = False,
) -> DepositEntry:
    """Append one ledger entry and move the balance, under the account's row lock.

    `memo` is a stored text (core.texts), or what a person typed.
    `amount` is the magnitude; the sign follows the kind (top-up and reversal credit, the rest
    debit). With a source, posting the same (kind, source) twice returns the first entry.
    A recovery may take the balance below zero: compensation is owed whatever the deposit holds,
    and the top-up flag says so. A refund (money paid back to the merchant), and any debit with
    `floor_at_zero` (what staff enter by hand), may not: it is refused with nothing written.
    """
    if kind not in DepositEntry.Kind.values:
        raise ApplicationError(f"unknown ledger entry kind {kind!r}", fields={"kind": ["unknown kind"]})
    magnitude = to_money(amount)
    if magnitude <= 0:
        raise ApplicationError("amount must be greater than zero", fields={"amount": ["must be > 0"]})
    if magnitude > max_entry_amount():
        limit = format_cny(max_entry_amount())
        raise ApplicationError(f"amount must be at most {limit}", fields={"amount": [f"at most {limit}"]})
    signed = magnitude if kind in DepositEntry.CREDIT_KINDS else -magnitude

    with transaction.atomic():
        account = (
            DepositAccount.objects.select_for_update().select_related("merchant").get(merchant_id=merchant_id)
        )
        if source_type:
            existing = DepositEntry.objects.filter(
                account=account, kind=kind, source_type=source_type, source_id=str(source_id)
            ).first()
            if existing is not None:
                return existing
        new_balance = account.balance + signed
        if not fits_column(new_balance):
            raise ApplicationError(
                "this entry would take the balance beyond what a deposit can hold",
                code=CoreError.OUT_OF_RANGE,
                fields={"amount": ["the balance would be out of range"]},
            )
        if signed < 0 and new_balance < 0 and (floor_at_zero or kind == DepositEntry.Kind.REFUND):
            raise ApplicationError(
                f"The deposit holds ¥{account.balance}; ¥{magnitude} would take it below zero.",
                code=MerchantError.INSUFFICIENT_DEPOSIT,
                fields={"amount": [f"at most {max(account.balance, Decimal('0.00'))}"]},
            )
        try:
            with transaction.atomic():
                entry = DepositEntry.objects.create(
                    account=account,
                    kind=kind,
                    amount=signed,
                    balance_after=new_balance,
                    **memo_fields(memo),
                    source_type=source_type,
                    source_id=str(source_id) if source_type else "",
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
        except IntegrityError as exc:
            raise ApplicationError(
                "this ledger entry could not be written", code=MerchantError.LEDGER_CONFLICT
            ) from exc
        DepositAccount.objects.filter(pk=account.pk).update(
            balance=F("balance") + signed, updated_at=timezone.now()
        )
        account.balance = new_balance
        _refresh_topup_flag(account)
        audit_record(
            actor=actor,
            verb=f"deposit.{kind}",
            target=account.merchant,
            data={
                "amount": str(signed),
                "balance_after": str(new_balance),
                "source": f"{source_type}:{source_id}",
            },
        )
    return entry


def deposit_post_recoveries(
    *, kind: str, items: list[tuple[int, Decimal, Text | str, str, str]], actor=None
) -> list[DepositEntry]:
    """Append many debits of one kind, over one or many merchants' ledgers, in one go:
    (merchant_id, amount, memo, source_type, source_id) each, amounts as magnitudes.

    The accounts are locked once each, in id order (every writer of a deposit takes this lock);
    one multi-row INSERT writes the entries with each account's `balance_after` chain computed in
    one pass; one UPDATE moves the balances (``balance + delta``, never a value read earlier); two
    UPDATEs raise or clear the top-up flags; one audit INSERT. Sources already posted are skipped
    (the same idempotency key as ``deposit_post_entry``). The caller holds a transaction.
    """
    if kind not in DepositEntry.DEBIT_KINDS or kind == DepositEntry.Kind.REFUND:
        raise ApplicationError(f"not a recovery kind: {kind!r}", fields={"kind": ["recovery kinds only"]})
    if not items:
        return []
    accounts = {
        a.merchant_id: a
        for a in DepositAccount.objects.select_for_update(of=("self",))
        .filter(merchant_id__in={i[0] for i in items})
        .select_related("merchant")
        .order_by("pk")
    }
    posted = set(
        DepositEntry.objects.filter(
            account__in=[a.pk for a in accounts.values()],
            kind=kind,
            source_type__in={i[3] for i in items},
            source_id__in=[str(i[4]) for i in items],
        ).values_list("account_id", "source_type", "source_id")
    )
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    balance = {a.pk: a.balance for a in accounts.values()}
    entries = []
    for merchant_id, amount, memo, source_type, source_id in items:
        account = accounts[merchant_id]
        key = (account.pk, source_type, str(source_id))
        if key in posted:
            continue
        posted.add(key)
        magnitude = to_money(amount)
        if magnitude <= 0:
            raise ApplicationError("amount must be greater than zero", fields={"amount": ["must be > 0"]})
        balance[account.pk] -= magnitude
        entries.append(
            DepositEntry(
                account=account,
                kind=kind,
                amount=-magnitude,
                balance_after=balance[account.pk],
                **memo_fields(memo),
                source_type=source_type,
                source_id=str(source_id),
                created_by=actor if is_user else None,
            )  # fmt: skip
        )
    if not entries:
        return []
    now = timezone.now()
    entry_ids = insert_rows(
        DepositEntry._meta.db_table,
        ["account_id", "created_at", "kind", "amount", "balance_after", "memo", "memo_code", "memo_params",
         "source_type", "source_id", "created_by_id"],
        [(e.account_id, now, e.kind, e.amount, e.balance_after, e.memo, e.memo_code,
          json_text(e.memo_params), e.source_type, e.source_id, e.created_by_id)
         for e in entries],
        returning="id",
    )  # fmt: skip
    for entry, pk in zip(entries, entry_ids, strict=True):
        entry.pk = entry.id = pk
        entry.created_at = now
    moved = {a.pk: balance[a.pk] - a.balance for a in accounts.values() if balance[a.pk] != a.balance}
    DepositAccount.objects.filter(pk__in=list(moved)).update(
        balance=F("balance") + Case(*[When(pk=pk, then=Value(delta)) for pk, delta in moved.items()],
                                    output_field=DecimalField(max_digits=14, decimal_places=2)),
        updated_at=now,
    )  # fmt: skip
    required = dict(
        Category.objects.filter(pk__in={a.merchant.main_category_id for a in accounts.values()}).values_list(
            "pk", "required_deposit"
        )
    )
    below = [
        a.pk
        for a in accounts.values()
        if a.pk in moved and balance[a.pk] < required[a.merchant.main_category_id]
    ]
    DepositAccount.objects.filter(pk__in=below, topup_required_since__isnull=True).update(
        topup_required_since=now, updated_at=now
    )
    DepositAccount.objects.filter(pk__in=[pk for pk in moved if pk not in set(below)]).exclude(
        topup_required_since__isnull=True
    ).update(topup_required_since=None, updated_at=now)
    label = actor.get_username() if is_user else "system"
    merchant_of = {a.pk: a.merchant_id for a in accounts.values()}
    insert_rows(
        AuditEvent._meta.db_table,
        ["created_at", "actor_id", "actor_label", "verb", "target_type", "target_id", "data"],
        [
            (now, actor.pk if is_user else None, label, f"deposit.{kind}", Merchant._meta.label_lower,
             str(merchant_of[e.account_id]),
             json_text({"amount": str(e.amount), "balance_after": str(e.balance_after),
                        "source": f"{e.source_type}:{e.source_id}"}))
            for e in entries
        ],
    )  # fmt: skip
    return entries


def _refresh_topup_flag(account: DepositAccount) -> None:
    """Raise or clear the 'top up within 14 days' flag for one locked account."""
    below = account.balance < _required_deposit(account)
    if below and account.topup_required_since is None:
        account.topup_required_since = timezone.now()
        account.save(update_fields=["topup_required_since", "updated_at"])
    elif not below and account.topup_required_since is not None:
        account.topup_required_since = None
        account.save(update_fields=["topup_required_since", "updated_at"])


def deposit_refresh_topup_flags() -> dict[str, int]:
    """Set-based: flag every account below its requirement, clear every one that is not.

    Needed when staff change a category's requirement; two UPDATEs, whatever the number of merchants.
    """
    required = Subquery(
        Category.objects.filter(pk=OuterRef("merchant__main_category_id")).values("required_deposit")[:1]
    )
    now = timezone.now()
    raised = (
        DepositAccount.objects.filter(topup_required_since__isnull=True)
        .annotate(required=required)
        .filter(balance__lt=F("required"))
        .values("pk")
    )
    cleared = (
        DepositAccount.objects.filter(topup_required_since__isnull=False)
        .annotate(required=required)
        .filter(balance__gte=F("required"))
        .values("pk")
    )
    return {
        "raised": DepositAccount.objects.filter(pk__in=raised).update(
            topup_required_since=now, updated_at=now
        ),
        "cleared": DepositAccount.objects.filter(pk__in=cleared).update(
            topup_required_since=None, updated_at=now
        ),
    }


# --- notices (the back-office notification centre) ----------------------------------------------


def notice_create(*, merchant_id: int, key: str, code: str, params: dict, now=None) -> Notice | None:
    """Store a notice once per `key` (None when it already exists) and e-mail it after commit.

    The e-mail goes to the merchant's contact address, where one is configured.
    """
    email = Merchant.objects.filter(pk=merchant_id).values_list("contact_email", flat=True).first() or ""
    notice, created = Notice.objects.get_or_create(
        key=key[:120],
        defaults={
            "merchant_id": merchant_id,
            "code": code,
            "params": params,
            "created_at": now or timezone.now(),
            "email_to": email,
        },
    )
    if not created:
        return None
    if email:
        enqueue_on_commit("merchants.send_notice_emails", [notice.pk])
    return notice


EMAILS_PER_TASK = 100  # e-mails one task sends (well within its time limit over SMTP)


def notices_create(drafts: list[tuple[int, str, str, dict]], *, now=None) -> int:
    """``notice_create`` for many (merchant_id, key, code, params) at once, in a fixed number of
    queries: existing keys are left alone; each new notice with an address is e-mailed after commit.
    Returns how many were created."""
    if not drafts:
        return 0
    now = now or timezone.now()
    keys = [key[:120] for _m, key, _c, _p in drafts]
    existing = set(Notice.objects.filter(key__any_of=keys).values_list("key", flat=True))
    emails = dict(
        Merchant.objects.filter(pk__any_of={m for m, _k, _c, _p in drafts}).values_list("pk", "contact_email")
    )
    rows = [
        (m, key[:120], code, json_text(params), now, emails.get(m) or "")
        for m, key, code, params in drafts
        if key[:120] not in existing
    ]
    # Plain rows (thousands per evaluation batch); a key written meanwhile by another run is skipped.
    created = insert_rows(
        Notice._meta.db_table,
        ["merchant_id", "key", "code", "params", "created_at", "email_to"],
        rows,
        returning="id",
        skip_conflicts=True,
    )
    if any(row[-1] for row in rows):
        # One task per EMAILS_PER_TASK notices, not one each: an evaluation batch writes thousands, and a
        # message per notice would cost a broker round trip each after the commit.
        emailed = list(
            Notice.objects.filter(pk__any_of=created)
            .exclude(email_to="")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for start in range(0, len(emailed), EMAILS_PER_TASK):
            enqueue_on_commit("merchants.send_notice_emails", emailed[start : start + EMAILS_PER_TASK])
    return len(created)


def notice_mark_read(*, merchant_id: int, notice_ids: list[int] | None = None, user=None) -> int:
    """Mark the merchant's unread notices read (all of them, or those listed). Returns how many."""
    qs = Notice.objects.filter(merchant_id=merchant_id, read_at__isnull=True)
    if notice_ids is not None:
        qs = qs.filter(pk__in=notice_ids)
    reader = user if getattr(user, "is_authenticated", False) else None
    return qs.update(read_at=timezone.now(), read_by=reader)


def notice_email_send(*, notice_id: int) -> bool:
    """Send a notice's e-mail at most once: claim it (compare-and-set), then send; a failure releases it.

    Rendered in the platform's default language (zh-hans) with the English text below it.
    """
    claimed_at = timezone.now()
    if (
        not Notice.objects.filter(pk=notice_id, email_sent_at__isnull=True)
        .exclude(email_to="")
        .update(email_sent_at=claimed_at)
    ):
        return False
    notice = Notice.objects.get(pk=notice_id)
    parts = []
    subject = ""
    for language in (settings.LANGUAGE_CODE, "en"):
        with translation.override(language):
            rendered = render_notice(notice.code, notice.params)
        subject = subject or rendered.title
        body = [rendered.title, "", *rendered.lines]
        if rendered.link_url:
            body += ["", f"{rendered.link_label}: {_absolute(rendered.link_url)}"]
        parts.append("\n".join(body))
    try:
        send_mail(subject, "\n\n----------\n\n".join(parts), None, [notice.email_to])
    except Exception:
        Notice.objects.filter(pk=notice_id, email_sent_at=claimed_at).update(email_sent_at=None)
        raise
    return True


def _absolute(url: str) -> str:
    if url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL.rstrip("/") + url
