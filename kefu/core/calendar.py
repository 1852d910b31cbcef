"""Working-day arithmetic on the official calendar (工作日, 节假日, 调休).

Deadlines in working days follow the Chinese civil rule: the starting day is not counted,
and the limit ends at 24:00 of the N-th working day after it. Days of a year the calendar
table does not cover are guessed (Monday–Friday without the statutory holidays) and the
answer is marked provisional.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from kefu.core.caches import process_cached
from kefu.core.statutory import statutory_holidays

BEIJING = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class DayAnswer:
    """A calendar answer, with the years it had to guess (Monday–Friday) for."""

    day: dt.date
    missing_years: frozenset[int] = field(default_factory=frozenset)

    @property
    def provisional(self) -> bool:
        return bool(self.missing_years)


def beijing_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(BEIJING).date()


def end_of_day(day: dt.date) -> dt.datetime:
    """24:00 of a Beijing day, as an aware datetime."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=BEIJING)


class WorkingCalendar:
    """The official calendar as this process knows it: the covered years, and each covered
    year's working flags read once, when first needed (one SELECT per year)."""

    def __init__(self) -> None:
        # Models are imported on use, so that a policy file can be checked without Django.
        from kefu.core.models import CalendarYear

        self.covered = frozenset(CalendarYear.objects.values_list("year", flat=True))
        self._flags: dict[int, dict[dt.date, bool]] = {}

    def flags(self, year: int) -> dict[dt.date, bool]:
        if year not in self._flags:
            from kefu.core.models import CalendarDay

            self._flags[year] = dict(
                CalendarDay.objects.filter(date__year=year).values_list("date", "is_working_day")
            )
        return self._flags[year]

    def working(self, day: dt.date) -> bool | None:
        """The table's answer, or None for a day of a year it does not cover."""
        if day.year not in self.covered:
            return None
        return self.flags(day.year).get(day)


@process_cached
def working_calendar() -> WorkingCalendar:
    return WorkingCalendar()


def covered_years() -> set[int]:
    return set(working_calendar().covered)


def guessed_working(day: dt.date) -> bool:
    """For a year the table lacks: Monday–Friday except the statutory holidays (the make-up
    working days of that year are not known, so the answer stays provisional)."""
    return day.weekday() < 5 and day not in statutory_holidays(day.year)


class _Days:
    """Working flags of the days after a start, remembering which years had to be guessed."""

    def __init__(self, start: dt.date) -> None:
        self.calendar = working_calendar()
        self.missing: set[int] = set()

    def is_working(self, day: dt.date) -> bool:
        known = self.calendar.working(day)
        if known is not None:
            return known
        self.missing.add(day.year)
        return guessed_working(day)


def nth_working_day_after(start: dt.date, n: int) -> DayAnswer:
    """The N-th working day after `start` (start itself not counted); n=0 gives start."""
    if n < 0:
        raise ValueError("n must not be negative")
    days = _Days(start)
    day, counted = start, 0
    while counted < n:
        day += dt.timedelta(days=1)
        if days.is_working(day):
            counted += 1
    return DayAnswer(day, frozenset(days.missing))


def working_days_between(after: dt.date, through: dt.date) -> int:
    """How many working days d satisfy after < d <= through."""
    days = _Days(after)
    count, day = 0, after
    while day < through:
        day += dt.timedelta(days=1)
        if days.is_working(day):
            count += 1
    return count


def is_working_day(day: dt.date) -> DayAnswer | None:
    """The day itself if it is a working day, else None; provisional outside the table."""
    days = _Days(day - dt.timedelta(days=1))
    return DayAnswer(day, frozenset(days.missing)) if days.is_working(day) else None
