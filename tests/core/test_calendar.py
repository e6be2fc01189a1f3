from datetime import date

import pytest

from core.calendar import (
    end_of_local_day,
    first_working_day_of_month,
    working_day_after,
    working_day_after_detail,
)
from core.models import CalendarDay

pytestmark = pytest.mark.django_db


def test_national_day_week_and_make_up_saturday():
    # 2020-10-01..08 holidays; Sat 10-10 is a make-up working day (调休).
    assert working_day_after(date(2020, 9, 30), 5) == date(2020, 10, 14)
    assert working_day_after(date(2020, 9, 30), 1) == date(2020, 10, 9)
    assert working_day_after(date(2020, 9, 30), 2) == date(2020, 10, 10)


def test_the_day_itself_never_counts():
    # Monday 2024-03-04 is a working day; the 1st working day after it is Tuesday.
    assert working_day_after(date(2024, 3, 4), 1) == date(2024, 3, 5)


def test_spring_festival_2025_with_make_up_days():
    # 2025-01-28..02-04 off; Sun 01-26 and Sat 02-08 are working days.
    answer = working_day_after_detail(date(2025, 1, 25), 3)
    assert answer.day == date(2025, 2, 5)  # 01-26, 01-27, then 02-05
    assert answer.fallback_used is False


def test_unknown_year_falls_back_to_weekdays_and_says_so():
    answer = working_day_after_detail(date(2031, 1, 2), 5)  # Thursday
    assert answer.day == date(2031, 1, 9)
    assert answer.fallback_used is True


def test_staff_override_beats_package_and_covers_unknown_years():
    CalendarDay.objects.create(date=date(2031, 1, 3), is_workday=False, note="新年")
    CalendarDay.objects.create(date=date(2031, 1, 4), is_workday=True, note="调休")  # Saturday
    assert working_day_after(date(2031, 1, 2), 1) == date(2031, 1, 4)
    # An override inside a known year wins too: make 2024-03-05 a holiday.
    CalendarDay.objects.create(date=date(2024, 3, 5), is_workday=False)
    assert working_day_after(date(2024, 3, 4), 1) == date(2024, 3, 6)


def test_n_must_be_positive():
    with pytest.raises(ValueError, match="at least 1"):
        working_day_after(date(2024, 3, 4), 0)


def test_first_working_day_of_october_2024():
    assert first_working_day_of_month(2024, 10).day == date(2024, 10, 8)


def test_end_of_local_day_is_shanghai_midnight_minus_one_second():
    moment = end_of_local_day(date(2024, 3, 4))
    assert moment.isoformat() == "2024-03-04T23:59:59+08:00"
