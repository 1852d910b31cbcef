"""Working-day arithmetic on the official calendar (工作日, 节假日, 调休).

Deadlines in working days follow the Chinese civil rule: the starting day is not counted,
and the limit ends at 24:00 of the N-th working day after it. Days of a year the calendar
table does not cover are assumed Monday–Friday and the answer is marked provisional.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

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


def covered_years() -> set[int]:
    # Models are imported on use, so that a policy file can be checked without Django set up.
    from kefu.core.models import CalendarYear

    return set(CalendarYear.objects.values_list("year", flat=True))


class _Days:
    """Working flags for a growing window of days after a start, fetched in few queries."""

    def __init__(self, start: dt.date) -> None:
        self.covered = covered_years()
        self.flags: dict[dt.date, bool] = {}
        self.fetched_until = start
        self.missing: set[int] = set()

    def is_working(self, day: dt.date) -> bool:
        if day > self.fetched_until:
            from kefu.core.models import CalendarDay

            until = day + dt.timedelta(days=60)
            self.flags.update(
                CalendarDay.objects.filter(date__gt=self.fetched_until, date__lte=until)
                .values_list("date", "is_working_day")
                .iterator()
            )
            self.fetched_until = until
        if day.year in self.covered and day in self.flags:
            return self.flags[day]
        self.missing.add(day.year)
        return day.weekday() < 5


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
