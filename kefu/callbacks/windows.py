"""Call windows (001 art. 21): businesses in office hours on working days, residents after
work; a repair finished after 22:00 is called back the next day, not at night."""

from __future__ import annotations

import datetime as dt

from kefu.core.calendar import BEIJING, beijing_date, is_working_day
from kefu.core.policy import CallbackPolicy


def next_window(
    policy: CallbackPolicy, *, business: bool, earliest: dt.datetime
) -> tuple[dt.datetime, dt.datetime]:
    """The first call window that ends after `earliest`, as (from, until)."""
    opens, closes = policy.business_window if business else policy.resident_window
    day = beijing_date(earliest)
    for _ in range(60):
        start = dt.datetime.combine(day, opens, tzinfo=BEIJING)
        end = dt.datetime.combine(day, closes, tzinfo=BEIJING)
        if end > earliest and (not business or is_working_day(day) is not None):
            return max(start, earliest), end
        day += dt.timedelta(days=1)
    raise ValueError("no call window in the next 60 days")


def earliest_call(
    policy: CallbackPolicy, *, approved_at: dt.datetime, restored_at: dt.datetime | None
) -> dt.datetime:
    """Not before approval; a late-night restoration waits until the next day."""
    earliest = approved_at
    if restored_at is not None:
        local = restored_at.astimezone(BEIJING)
        if local.hour >= policy.late_restoration_hour:
            next_day = dt.datetime.combine(
                local.date() + dt.timedelta(days=1), dt.time(0), tzinfo=BEIJING
            )
            earliest = max(earliest, next_day)
    return earliest
