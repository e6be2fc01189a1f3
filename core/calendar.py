"""The PRC business calendar.

Working days follow the State Council's published calendar, including make-up working days
(调休), as packaged by `chinesecalendar`. Staff override any day in the CalendarDay table, which
also covers years the package does not know yet. Where neither knows a day, Monday–Friday is
assumed and the answer says a fallback was used, so callers can flag it.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings

from .models import CalendarDay

MAX_SCAN_DAYS = 400


def business_tz() -> ZoneInfo:
    return ZoneInfo(settings.BUSINESS_TIME_ZONE)


def local_date(moment: datetime) -> date:
    """The Asia/Shanghai calendar date of an aware datetime."""
    return moment.astimezone(business_tz()).date()


def end_of_local_day(day: date) -> datetime:
    """23:59:59 Asia/Shanghai of `day`, as an aware datetime."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=business_tz())


@dataclass(frozen=True)
class WorkdayAnswer:
    day: date
    fallback_used: bool  # True when neither an override nor the package knew some day on the way


def _overrides(start: date, end: date) -> dict[date, bool]:
    return dict(CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "is_workday"))


def _is_workday(day: date, overrides: dict[date, bool]) -> tuple[bool, bool]:
    """(is a working day, fallback used)."""
    if day in overrides:
        return overrides[day], False
    try:
        return chinese_calendar.is_workday(day), False
    except NotImplementedError:
        return day.weekday() < 5, True


def is_working_day(day: date) -> WorkdayAnswer | None:
    """The day's answer if it is a working day, else None (fallback flag included)."""
    workday, fallback = _is_workday(day, _overrides(day, day))
    return WorkdayAnswer(day=day, fallback_used=fallback) if workday else None


def is_workday(day: date) -> bool:
    return _is_workday(day, _overrides(day, day))[0]


def working_day_after_detail(day: date, n: int) -> WorkdayAnswer:
    """The n-th working day strictly after `day` (the day itself never counts), with the fallback flag."""
    if n < 1:
        raise ValueError("n must be at least 1")
    overrides = _overrides(day + timedelta(days=1), day + timedelta(days=MAX_SCAN_DAYS))
    fallback_used = False
    current = day
    counted = 0
    for _ in range(MAX_SCAN_DAYS):
        current += timedelta(days=1)
        workday, fallback = _is_workday(current, overrides)
        fallback_used = fallback_used or fallback
        if workday:
            counted += 1
            if counted == n:
                return WorkdayAnswer(day=current, fallback_used=fallback_used)
    raise ValueError(f"no {n} working days within {MAX_SCAN_DAYS} days after {day}")


def working_day_after(day: date, n: int) -> date:
    """working_day_after(date(2020, 9, 30), 5) == date(2020, 10, 14)"""
    return working_day_after_detail(day, n).day


def first_working_day_of_month(year: int, month: int) -> WorkdayAnswer:
    return working_day_after_detail(date(year, month, 1) - timedelta(days=1), 1)
