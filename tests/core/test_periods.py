from datetime import UTC, date, datetime

from core.periods import (
    Period,
    calendar_month,
    days_between,
    lagged_window,
    local_date,
    local_day,
    local_midnight,
    local_today,
    rolling_window,
)


def test_local_midnight_is_16_utc_the_day_before():
    assert local_midnight(date(2026, 3, 1)) == datetime(2026, 2, 28, 16, 0, tzinfo=UTC)


def test_an_order_paid_2330_utc_is_on_the_next_local_day():
    paid = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    assert local_date(paid) == date(2026, 3, 2)
    day = local_day(date(2026, 3, 2))
    assert day.start <= paid < day.end
    assert not (local_day(date(2026, 3, 1)).start <= paid < local_day(date(2026, 3, 1)).end)


def test_rolling_window_ends_yesterday():
    window = rolling_window(90, today=date(2026, 3, 31))
    assert (window.first_day, window.last_day, window.days) == (date(2025, 12, 31), date(2026, 3, 30), 90)
    assert window.bounds == {
        "start": datetime(2025, 12, 30, 16, 0, tzinfo=UTC),
        "end": datetime(2026, 3, 30, 16, 0, tzinfo=UTC),
    }


def test_rolling_window_default_today_is_local():
    now = datetime(2026, 3, 30, 16, 30, tzinfo=UTC)  # 03-31 00:30 in Shanghai
    assert local_today(now) == date(2026, 3, 31)


def test_lagged_window_is_t_minus_97_to_t_minus_8():
    window = lagged_window(today=date(2026, 4, 10))
    assert (window.first_day, window.last_day, window.days) == (date(2026, 1, 3), date(2026, 4, 2), 90)


def test_calendar_month_including_december():
    march = calendar_month(2024, 3)
    assert (march.first_day, march.last_day) == (date(2024, 3, 1), date(2024, 3, 31))
    assert march.start == datetime(2024, 2, 29, 16, 0, tzinfo=UTC)
    assert march.end == datetime(2024, 3, 31, 16, 0, tzinfo=UTC)
    december = calendar_month(2025, 12)
    assert (december.first_day, december.last_day) == (date(2025, 12, 1), date(2025, 12, 31))


def test_days_of_a_period():
    assert list(Period(date(2026, 2, 27), date(2026, 3, 1))) == [
        date(2026, 2, 27),
        date(2026, 2, 28),
        date(2026, 3, 1),
    ]
    assert days_between(date(2026, 3, 1), date(2026, 2, 28)) == []
