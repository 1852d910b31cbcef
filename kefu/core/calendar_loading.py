"""Loading a year of the official calendar, from the maintained package or from a CSV file.

Loading a year resolves its "calendar missing" alert and recomputes the provisional
deadlines that had to guess Monday–Friday for it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.caches import configuration_changed
from kefu.core.errors import InvalidInput
from kefu.core.models import Alert, AlertKind, CalendarDay, CalendarYear, DayKind
from kefu.core.signals import calendar_loaded

if TYPE_CHECKING:
    from kefu.accounts.models import User

log = logging.getLogger(__name__)

DayRow = tuple[dt.date, str, str]  # date, kind, name


def _days_of(year: int) -> Iterable[dt.date]:
    day = dt.date(year, 1, 1)
    while day.year == year:
        yield day
        day += dt.timedelta(days=1)


def package_year_days(year: int) -> list[DayRow]:
    """A year from `chinesecalendar`, make-up working days included; InvalidInput if absent."""
    import chinese_calendar
    from chinese_calendar.constants import Holiday

    years = {d.year for d in chinese_calendar.holidays}
    if year not in years:
        raise InvalidInput(
            _(
                "the chinesecalendar package has no data for %(year)s (it covers "
                "%(first)s–%(last)s); load that year from a CSV file instead"
            ),
            field="year",
            year=year,
            first=min(years),
            last=max(years),
        )
    rows: list[DayRow] = []
    for day in _days_of(year):
        if day in chinese_calendar.holidays:
            name = Holiday(chinese_calendar.holidays[day]).chinese
            rows.append((day, DayKind.HOLIDAY, name))
        elif day in chinese_calendar.workdays:
            name = Holiday(chinese_calendar.workdays[day]).chinese
            rows.append((day, DayKind.MAKEUP, f"{name}调休"))
        elif day.weekday() >= 5:
            rows.append((day, DayKind.WEEKEND, ""))
        else:
            rows.append((day, DayKind.WORKDAY, ""))
    return rows


def csv_year_days(year: int, text: str) -> list[DayRow]:
    """A year from CSV lines `date,kind,name`, listing holidays and make-up days.

    Days not listed follow Monday–Friday. Weekdays can be listed as `holiday`, weekend
    days as `makeup`; an error names the line.
    """
    exceptions: dict[dt.date, tuple[str, str]] = {}
    reader = csv.reader(io.StringIO(text))
    for line_no, row in enumerate(reader, start=1):
        if not row or row[0].strip().startswith("#") or row[0].strip().lower() == "date":
            continue
        if len(row) < 2:
            raise InvalidInput(
                _("line %(line)s: expected date,kind[,name]"), field="csv", line=line_no
            )
        raw_date, kind = row[0].strip(), row[1].strip().lower()
        name = row[2].strip() if len(row) > 2 else ""
        try:
            day = dt.date.fromisoformat(raw_date)
        except ValueError:
            raise InvalidInput(
                _("line %(line)s: %(value)s is not a date (YYYY-MM-DD)"),
                field="csv",
                line=line_no,
                value=raw_date,
            ) from None
        if day.year != year:
            raise InvalidInput(
                _("line %(line)s: %(day)s is not in %(year)s"),
                field="csv",
                line=line_no,
                day=day,
                year=year,
            )
        if kind not in DayKind.values:
            raise InvalidInput(
                _("line %(line)s: kind %(kind)s is not one of %(choices)s"),
                field="csv",
                line=line_no,
                kind=kind,
                choices=", ".join(DayKind.values),
            )
        exceptions[day] = (kind, name)
    rows: list[DayRow] = []
    for day in _days_of(year):
        default = DayKind.WEEKEND if day.weekday() >= 5 else DayKind.WORKDAY
        kind, name = exceptions.get(day, (default, ""))
        rows.append((day, kind, name))
    return rows


def store_year(year: int, rows: list[DayRow], *, source: str, actor: User | None = None) -> int:
    """Replace a year's days, mark it covered, and recompute deadlines that guessed it.

    Returns how many provisional clocks were recomputed.
    """
    with transaction.atomic():
        CalendarDay.objects.filter(date__year=year).delete()
        CalendarDay.objects.bulk_create(
            CalendarDay(
                date=day,
                kind=kind,
                is_working_day=kind in (DayKind.WORKDAY, DayKind.MAKEUP),
                name=name,
            )
            for day, kind, name in rows
        )
        CalendarYear.objects.update_or_create(
            year=year, defaults={"source": source, "loaded_by": actor}
        )
        Alert.objects.filter(
            kind=AlertKind.CALENDAR_MISSING, key=missing_year_key(year), resolved_at=None
        ).update(resolved_at=timezone.now())
        configuration_changed()
        # The work orders app recomputes its deadlines (core does not know about orders).
        answers = calendar_loaded.send(sender=CalendarYear, years={year})
        recomputed = sum(int(count or 0) for _, count in answers)
    log.info(
        "calendar %s loaded from %s; %s provisional deadlines recomputed", year, source, recomputed
    )
    return recomputed


def missing_year_key(year: int) -> str:
    return f"calendar:{year}"


def alert_missing_years(years: Iterable[int]) -> None:
    """Tell administrators a deadline had to guess a year (once per year, until loaded)."""
    for year in years:
        alert, created = Alert.objects.get_or_create(
            key=missing_year_key(year),
            defaults={
                "kind": AlertKind.CALENDAR_MISSING,
                "message": (
                    f"工作日历缺少 {year} 年:相关时限按周一至周五暂定,请加载该年日历 "
                    f"(kefu calendar load {year})。Calendar year {year} is missing; "
                    "deadlines reaching into it are provisional until it is loaded."
                ),
            },
        )
        if not created and alert.resolved_at is not None:
            # The year was loaded once and removed again: the alert stands again.
            Alert.objects.filter(pk=alert.pk).update(resolved_at=None)
            created = True
        if created:
            log.warning("calendar year %s is missing: deadlines into it are provisional", year)
