"""`python manage.py demo`: realistic demo data for every app, and the logins to try it with.

The command creates the platform's own users (staff roles, an admin, an integration client with an
API token), then calls `<app>.demo.generate(...)` for each app in layer order. An app without a
demo module is skipped. Each app gets its own `random.Random` derived from `--seed`, so one app's
data does not shift when another app changes how much randomness it draws.

Idempotent: the whole run is one transaction and leaves a `demo.generated` audit event; when that
event exists the command only prints the logins again. `--reset` wipes the database (drops every
table and migrates again: the demo database is disposable) and generates afresh.
"""

from __future__ import annotations

import hashlib
import importlib
import random
import time
from types import ModuleType

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token

from core.audit import audit_record
from core.models import AuditEvent
from core.roles import INTEGRATION, STAFF_ADJUDICATOR, STAFF_OPS, STAFF_REVIEWER

DEMO_APPS = ["merchants", "tags", "commitments", "complaints", "scoring", "courses"]
PLATFORM_PASSWORD = "demo-pass-2024"
MARKER_VERB = "demo.generated"
# Enough orders over 120 days for most shops to have every part of the experience score and a total.
ORDERS_PER_MERCHANT = 120
MAX_DEFAULT_ORDERS = 200_000

# (username, role or None for the superuser, description)
PLATFORM_USERS = [
    ("reviewer", STAFF_REVIEWER, "staff console: reviews tag applications and brand warranty services"),
    ("adjudicator", STAFF_ADJUDICATOR, "staff console: complaints desk"),
    ("ops", STAFF_OPS, "staff console + admin: catalogs, thresholds, calendar, deposits"),
    ("admin", None, "Django admin superuser (/admin/)"),
    ("upstream", INTEGRATION, "integration API client"),
]


APP_TITLES = {
    "merchants": "Merchants",
    "tags": "Service tags",
    "commitments": "Orders and commitments",
    "complaints": "Complaints desk",
    "scoring": "Scores and evaluations",
    "courses": "Courses",
}
# How each figure an app's generate() returns is read out; any other key reads as its words.
FIGURE_LABELS = {
    "topup_flagged": "below their deposit requirement",
    "holdings": "tag holdings",
    "badges": "category badges",
    "rectifying": "in rectification",
    "applications_active": "applications approved",
    "awaiting_review": "awaiting staff review",
    "rejected_by_checks": "rejected by the checks",
    "rejected_by_staff": "rejected by staff",
    "awaiting_agreement": "awaiting the owner's signature",
    "warranty_services": "brand warranty services",
    "orders_bulk": "of them by the bulk writers",
    "events": "fulfilment events",
    "duplicates_sent": "duplicate events resent",
    "sweep_breached": "breaches found by the deadline sweep",
    "vouchers_paid": "vouchers paid",
    "vouchers_expired": "vouchers expired",
    "left_to_backlog_job": "breaches left to the compensation job",
    "appeals": "appeals",
    "force_majeure_exempted": "commitments exempted by force majeure",
    "urgent_open": "urgent and open",
    "overdue_escalated": "overdue and escalated",
    "third_party_claims": "recovery claims on third parties",
    "evaluation_runs": "monthly evaluations",
    "evaluation_results": "tag evaluations",
    "revoked": "tags revoked",
    "restored": "tags restored",
    "barred": "tags barred",
    "may_reapply": "bars ended (may apply again)",
    "evaluation_complaints": "complaints behind failed months",
    "score_days": "days of scores",
    "scored": "shops scored",
    "score_with_total": "with a total",
    "score_warnings": "with a warning",
    "core_problem_rows": "core-problem rows",
}
# Figure-name prefixes that label a breakdown: commitments_met → "met commitments".
BREAKDOWN_PREFIXES = {"commitments_": "commitments", "state_": "complaints"}


def figure_text(key: str, value) -> str:
    """One figure as a reader reads it: "1,234 fulfilment events", "content: 19 unchanged"."""
    label = FIGURE_LABELS.get(key)
    if label is None:
        prefix = next((p for p in BREAKDOWN_PREFIXES if key.startswith(p)), None)
        words = key.removeprefix(prefix or "").replace("_", " ")
        label = f"{words} {BREAKDOWN_PREFIXES[prefix]}" if prefix else words
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,} {label}"
    if isinstance(value, dict):
        value = ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in value.items())
    return f"{label}: {value}"


def summary_line(app: str, figures: dict, *, seconds: float) -> str:
    shown = ", ".join(figure_text(key, value) for key, value in figures.items())
    return f"{APP_TITLES.get(app, app)}: {shown} ({seconds:.1f} s)"


def demo_module(app: str) -> ModuleType | None:
    """`<app>.demo`, or None when the app has none (any other import error is a real error)."""
    name = f"{app}.demo"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return None
        raise


def demo_token(seed: int) -> str:
    """A stable API token for the demo integration user, so docs and scripts can reuse it."""
    return hashlib.sha1(f"msp-demo-token-{seed}".encode()).hexdigest()


def wipe_database() -> None:
    """Drop every table of the default database (then `migrate` rebuilds it)."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if connection.vendor == "postgresql":
            for table in tables:
                cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in tables:
                cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)}")
            cursor.execute("PRAGMA foreign_keys = ON")
        else:
            raise CommandError(f"--reset supports PostgreSQL and SQLite, not {connection.vendor}")


class Command(BaseCommand):
    help = "Generate realistic demo data (merchants, tags, orders, complaints) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=42, help="random seed (same seed, same data)")
        parser.add_argument("--merchants", type=int, default=300, help="number of merchants (default 300)")
        parser.add_argument(
            "--orders",
            type=int,
            default=None,
            help="number of orders over the last 120 days (default 120 per merchant, at most 200,000)",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="wipe the database (drop all tables, migrate) and generate again",
        )
        parser.add_argument("--force", action="store_true", help="allow --reset or seeding when DEBUG is off")
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="where the site is served, for the printed login address (make demo passes its HOST:PORT)",
        )

    def handle(
        self, *args, seed: int, merchants: int, orders: int | None, reset: bool, force: bool, **options
    ):
        self.base_url = options.get("base_url") or "http://127.0.0.1:8000"
        if merchants < 1:
            raise CommandError("--merchants must be at least 1")
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production. Pass --force to seed demo data anyway."
            )
        if reset:
            self.stdout.write("Wiping the database and migrating again ...")
            wipe_database()
            call_command("migrate", interactive=False, verbosity=0)
        else:
            marker = AuditEvent.objects.filter(verb=MARKER_VERB).order_by("-id").first()
            if marker is not None:
                self.stdout.write(
                    self.style.WARNING(
                        f"Demo data is already present (seed {marker.data.get('seed')}, "
                        f"{marker.data.get('merchants')} merchants); nothing generated. "
                        "Use --reset to start again."
                    )
                )
                self._print_logins([tuple(row) for row in marker.data.get("logins", [])])
                return

        scale = {
            "merchants": merchants,
            "orders": orders
            if orders is not None
            else min(merchants * ORDERS_PER_MERCHANT, MAX_DEFAULT_ORDERS),
        }
        now = timezone.now()
        started = time.monotonic()
        # DEBUG (required above) makes every cursor log its SQL; the demo runs ~100,000 statements.
        with override_settings(DEBUG=False), transaction.atomic():
            logins, admin = self._platform_users(seed)
            merchant_ids: list[int] = []
            figures_by_app: dict[str, dict] = {}
            for app in DEMO_APPS:
                module = demo_module(app)
                if module is None:
                    self.stdout.write(f"{APP_TITLES.get(app, app)}: no demo module, skipped")
                    continue
                app_started = time.monotonic()
                figures = module.generate(
                    rng=random.Random(f"{seed}:{app}"),
                    merchant_ids=list(merchant_ids),
                    now=now,
                    stdout=self.stdout,
                    scale=dict(scale),
                )
                figures = dict(figures or {})
                merchant_ids = figures.pop("merchant_ids", merchant_ids)
                logins += [tuple(row) for row in figures.pop("logins", [])]
                figures_by_app[app] = figures
                self.stdout.write(summary_line(app, figures, seconds=time.monotonic() - app_started))
            audit_record(
                actor=None,
                verb=MARKER_VERB,
                target=admin,
                data={
                    "seed": seed,
                    "merchants": merchants,
                    "scale": scale,
                    "figures": figures_by_app,
                    "logins": [list(row) for row in logins],
                },
            )
        self.stdout.write(self.style.SUCCESS(f"Demo data generated in {time.monotonic() - started:.1f}s."))
        self._print_logins(logins)

    def _platform_users(self, seed: int):
        User = get_user_model()
        password_hash = make_password(PLATFORM_PASSWORD)
        logins = []
        admin = None
        for username, role, description in PLATFORM_USERS:
            user, _ = User.objects.update_or_create(
                username=username,
                defaults={
                    "email": f"{username}@platform.example.com",
                    "password": password_hash,
                    "is_staff": role in (None, STAFF_OPS),
                    "is_superuser": role is None,
                },
            )
            if role is not None:
                user.groups.add(Group.objects.get(name=role))
            if role == INTEGRATION:
                Token.objects.filter(user=user).delete()
                token = Token.objects.create(user=user, key=demo_token(seed))
                description = f"{description}, header  Authorization: Token {token.key}"
            if role is None:
                admin = user
            logins.append((username, PLATFORM_PASSWORD, role or "superuser", description))
        return logins, admin

    def _print_logins(self, logins: list[tuple]) -> None:
        if not logins:
            return
        self.stdout.write("")
        base_url = getattr(self, "base_url", "http://127.0.0.1:8000").rstrip("/")
        self.stdout.write(f"Demo logins ({base_url}/login/):")
        width = max(len(str(row[0])) for row in logins)
        role_width = max(len(str(row[2])) for row in logins)
        pw_width = max(len(str(row[1])) for row in logins)
        self.stdout.write(
            f"  {'username':<{width}}  {'password':<{pw_width}}  {'role':<{role_width}}  description"
        )
        for username, password, role, description in logins:
            self.stdout.write(
                f"  {username:<{width}}  {password:<{pw_width}}  {role:<{role_width}}  {description}"
            )
