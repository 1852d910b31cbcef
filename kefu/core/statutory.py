"""The statutory holidays of any year, known without that year's official arrangement.

The national holiday regulation (《全国年节及纪念日放假办法》, as revised in force from
2025-01-01) fixes the holidays themselves; only the bridging of weekends and the make-up
working days (调休) are announced year by year. So for a year the calendar table lacks,
these days are certainly not working days, while which weekends become working days stays
unknown — the guess is still provisional.

- 元旦 New Year's Day: 1 January.
- 春节 Spring Festival: the lunar New Year's Eve and the first three days of the lunar year.
- 清明节 Tomb-sweeping Day: the day of the Qingming solar term.
- 劳动节 Labour Day: 1 and 2 May.
- 端午节 Dragon Boat Festival: the 5th day of the 5th lunar month.
- 中秋节 Mid-Autumn Festival: the 15th day of the 8th lunar month.
- 国庆节 National Day: 1, 2 and 3 October.
"""

from __future__ import annotations

import datetime as dt
import functools

import chinese_calendar
from lunardate import LunarDate

#: The years the lunar conversion covers.
LUNAR_YEARS = range(1901, 2099)


def _qingming(year: int) -> dt.date:
    for day, name in chinese_calendar.get_solar_terms(dt.date(year, 4, 1), dt.date(year, 4, 10)):
        if name == "清明":
            return day
    return dt.date(year, 4, 5)  # the term always falls on 4 or 5 April; keep the usual one


@functools.lru_cache(maxsize=64)
def statutory_holidays(year: int) -> frozenset[dt.date]:
    days = {
        dt.date(year, 1, 1),
        dt.date(year, 5, 1),
        dt.date(year, 5, 2),
        dt.date(year, 10, 1),
        dt.date(year, 10, 2),
        dt.date(year, 10, 3),
        _qingming(year),
    }
    if year in LUNAR_YEARS:
        new_year = LunarDate(year, 1, 1).to_solar_date()
        days.update(new_year + dt.timedelta(days=d) for d in (-1, 0, 1, 2))
        days.add(LunarDate(year, 5, 5).to_solar_date())
        days.add(LunarDate(year, 8, 15).to_solar_date())
    return frozenset(d for d in days if d.year == year)
