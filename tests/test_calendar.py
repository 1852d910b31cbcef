"""Working-day arithmetic on the official calendar, including make-up working days."""

from __future__ import annotations

import datetime as dt

import pytest

from kefu.core.calendar import nth_working_day_after, working_days_between
from kefu.core.calendar_loading import csv_year_days, package_year_days
from kefu.core.errors import InvalidInput
from kefu.core.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db

D = dt.date


def test_seeded_years_cover_2004_to_2026() -> None:
    years = set(CalendarYear.objects.values_list("year", flat=True))
    assert years == set(range(2004, 2027))
    assert CalendarDay.objects.filter(date__year=2026).count() == 365


@pytest.mark.parametrize(
    ("start", "n", "expected", "why"),
    [
        (D(2026, 2, 13), 1, D(2026, 2, 14), "Saturday 14 Feb is a Spring Festival make-up day"),
        (D(2026, 2, 13), 2, D(2026, 2, 24), "15–23 Feb are the Spring Festival break"),
        (D(2026, 2, 12), 5, D(2026, 2, 26), "13, 14(make-up), 24, 25, 26"),
        (D(2026, 2, 26), 2, D(2026, 2, 28), "Saturday 28 Feb is a make-up day"),
        (D(2026, 4, 30), 1, D(2026, 5, 6), "1–5 May Labour Day"),
        (D(2026, 5, 8), 1, D(2026, 5, 9), "Saturday 9 May is a make-up day"),
        (D(2026, 9, 19), 1, D(2026, 9, 20), "Sunday 20 Sep is a National Day make-up day"),
        (D(2026, 9, 30), 1, D(2026, 10, 8), "1–7 Oct National Day"),
        (D(2026, 9, 30), 3, D(2026, 10, 10), "8, 9, Saturday 10 Oct (make-up)"),
        (D(2026, 3, 7), 1, D(2026, 3, 9), "a Saturday start counts from Monday"),
        (D(2026, 3, 8), 1, D(2026, 3, 9), "a Sunday start counts from Monday"),
        (D(2026, 3, 9), 0, D(2026, 3, 9), "zero days is the day itself"),
    ],
)
def test_nth_working_day_after(start: dt.date, n: int, expected: dt.date, why: str) -> None:
    answer = nth_working_day_after(start, n)
    assert answer.day == expected, why
    assert not answer.provisional


def test_a_year_the_table_lacks_is_guessed_and_flagged() -> None:
    answer = nth_working_day_after(D(2026, 12, 30), 5)
    # 31 Dec (Thu) counts from the table; 2027 is guessed Monday–Friday without its
    # statutory holidays: 1 January (Fri) is not counted, 4–7 January are.
    assert answer.day == D(2027, 1, 7)
    assert answer.provisional
    assert answer.missing_years == {2027}


def test_working_days_between_counts_make_up_days_and_skips_holidays() -> None:
    assert working_days_between(D(2026, 2, 13), D(2026, 2, 24)) == 2
    assert working_days_between(D(2026, 10, 1), D(2026, 10, 1)) == 0


def test_package_year_has_named_holidays_and_make_up_days() -> None:
    rows = {day: (kind, name) for day, kind, name in package_year_days(2026)}
    assert rows[D(2026, 2, 17)] == ("holiday", "春节")
    assert rows[D(2026, 2, 14)] == ("makeup", "春节调休")
    assert rows[D(2026, 3, 10)] == ("workday", "")


def test_package_refuses_a_year_it_does_not_know() -> None:
    with pytest.raises(InvalidInput, match="no data for 2031"):
        package_year_days(2031)


def test_csv_year_lists_exceptions_and_names_the_bad_line() -> None:
    rows = {
        day: kind
        for day, kind, _ in csv_year_days(
            2027, "date,kind,name\n2027-01-01,holiday,元旦\n2027-02-20,makeup,春节调休\n"
        )
    }
    assert rows[D(2027, 1, 1)] == "holiday"
    assert rows[D(2027, 2, 20)] == "makeup"
    assert rows[D(2027, 1, 2)] == "weekend"
    with pytest.raises(InvalidInput, match="line 2: kind feast"):
        csv_year_days(2027, "2027-01-01,holiday\n2027-01-02,feast\n")
    with pytest.raises(InvalidInput, match="line 1: 2026-12-31 is not in 2027"):
        csv_year_days(2027, "2026-12-31,holiday\n")
    with pytest.raises(InvalidInput, match="line 1: 2027-13-01 is not a date"):
        csv_year_days(2027, "2027-13-01,holiday\n")
