"""Periods of business time (Asia/Shanghai) as aware UTC bounds: [start, end).

Every metric takes ``start`` and ``end``; these helpers decide where they fall:

- ``rolling_window(days, today=...)``: the N local days ending yesterday (SPEC §7: 90 days);
- ``calendar_month(year, month)``: a local calendar month (SPEC §8);
- ``lagged_window(today=..., first_lag=97, last_lag=8)``: T-97..T-8 for rates that need refunds to
  settle (SPEC §7);
- ``local_day(day)``: one local day; ``local_date(moment)``: the local date of an instant.

A ``Period`` knows its first and last local day (inclusive) and its UTC bounds (half-open).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

from .calendar import business_tz, local_date

__all__ = [
    "Period",
    "calendar_month",
    "days_between",
    "lagged_window",
    "local_date",
    "local_day",
    "local_midnight",
    "local_today",
    "rolling_window",
]


def local_midnight(day: date) -> datetime:
    """00:00 Asia/Shanghai of `day`, as an aware UTC datetime."""
    return datetime.combine(day, time(0), tzinfo=business_tz()).astimezone(UTC)


def local_today(now: datetime | None = None) -> date:
    """Today's date in Asia/Shanghai."""
    return local_date(now or timezone.now())


@dataclass(frozen=True)
class Period:
    first_day: date  # inclusive, local
    last_day: date  # inclusive, local

    @property
    def start(self) -> datetime:
        return local_midnight(self.first_day)

    @property
    def end(self) -> datetime:
        return local_midnight(self.last_day + timedelta(days=1))

    @property
    def bounds(self) -> dict[str, datetime]:
        """``{"start": ..., "end": ...}`` to pass on: ``paid_orders(**period.bounds)``."""
        return {"start": self.start, "end": self.end}

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def __iter__(self):
        """The local days, oldest first."""
        return iter(days_between(self.first_day, self.last_day))


def days_between(first: date, last: date) -> list[date]:
    """Every date from first to last, both included."""
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def local_day(day: date) -> Period:
    return Period(day, day)


def rolling_window(days: int, *, today: date | None = None) -> Period:
    """The `days` local days ending yesterday: with today 2026-03-31 and 90 days, 2025-12-31..2026-03-30."""
    today = today or local_today()
    return Period(today - timedelta(days=days), today - timedelta(days=1))


def lagged_window(*, today: date | None = None, first_lag: int = 97, last_lag: int = 8) -> Period:
    """T-first_lag..T-last_lag, both included (SPEC §7: T-97..T-8, 90 days)."""
    today = today or local_today()
    return Period(today - timedelta(days=first_lag), today - timedelta(days=last_lag))


def calendar_month(year: int, month: int) -> Period:
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return Period(first, following - timedelta(days=1))
