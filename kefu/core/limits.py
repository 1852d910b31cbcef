"""Time limits of the policy ("5 min", "3 working days", "1 month") and their deadlines."""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from kefu.core.calendar import beijing_date, end_of_day, nth_working_day_after


class Unit(StrEnum):
    MINUTES = "minutes"
    WORKING_DAYS = "working_days"
    DAYS = "days"
    MONTHS = "months"

    @property
    def on_calendar(self) -> bool:
        """Limits counted in days end at 24:00 of a Beijing day, not at a wall-clock offset."""
        return self is not Unit.MINUTES


_UNIT_WORDS: dict[str, tuple[Unit, int]] = {
    "min": (Unit.MINUTES, 1),
    "mins": (Unit.MINUTES, 1),
    "minute": (Unit.MINUTES, 1),
    "minutes": (Unit.MINUTES, 1),
    "h": (Unit.MINUTES, 60),
    "hour": (Unit.MINUTES, 60),
    "hours": (Unit.MINUTES, 60),
    "working day": (Unit.WORKING_DAYS, 1),
    "working days": (Unit.WORKING_DAYS, 1),
    "day": (Unit.DAYS, 1),
    "days": (Unit.DAYS, 1),
    "month": (Unit.MONTHS, 1),
    "months": (Unit.MONTHS, 1),
}
_LIMIT_RE = re.compile(r"^\s*(\d{1,5})\s*([a-z ]+?)\s*$")


@dataclass(frozen=True)
class Limit:
    amount: int
    unit: Unit
    #: Written "immediately" in the policy: the policy's grace takes its place (limit_for).
    immediate: bool = False

    @classmethod
    def parse(cls, text: str) -> Limit:
        """Read a limit as written in a policy file; ValueError says what is accepted."""
        if text.strip().lower() == "immediately":
            return cls(0, Unit.MINUTES, immediate=True)
        match = _LIMIT_RE.match(text.lower())
        if not match or match.group(2) not in _UNIT_WORDS:
            raise ValueError(
                f"{text!r} is not a time limit; write e.g. '5 min', '2 hours', "
                "'3 working days', '10 days', '1 month' or 'immediately'"
            )
        unit, factor = _UNIT_WORDS[match.group(2)]
        return cls(int(match.group(1)) * factor, unit)

    def __str__(self) -> str:
        return f"{self.amount} {self.unit.value.replace('_', ' ')}"

    def display(self) -> str:
        """The limit in the reader's language ("5 分钟", "3 个工作日")."""
        from django.utils.translation import ngettext

        words = {
            Unit.MINUTES: ngettext("%(n)d minute", "%(n)d minutes", self.amount),
            Unit.WORKING_DAYS: ngettext("%(n)d working day", "%(n)d working days", self.amount),
            Unit.DAYS: ngettext("%(n)d day", "%(n)d days", self.amount),
            Unit.MONTHS: ngettext("%(n)d month", "%(n)d months", self.amount),
        }
        return words[self.unit] % {"n": self.amount}


@dataclass(frozen=True)
class Deadline:
    at: dt.datetime
    missing_years: frozenset[int] = frozenset()

    @property
    def provisional(self) -> bool:
        return bool(self.missing_years)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, month_calendar.monthrange(year, month)[1]))


def deadline_after(start: dt.datetime, limit: Limit) -> Deadline:
    """When a clock started at `start` with `limit` runs out."""
    if limit.unit is Unit.MINUTES:
        return Deadline(start + dt.timedelta(minutes=limit.amount))
    day = beijing_date(start)
    if limit.unit is Unit.WORKING_DAYS:
        answer = nth_working_day_after(day, limit.amount)
        return Deadline(end_of_day(answer.day), answer.missing_years)
    if limit.unit is Unit.DAYS:
        return Deadline(end_of_day(day + dt.timedelta(days=limit.amount)))
    return Deadline(end_of_day(_add_months(day, limit.amount)))
