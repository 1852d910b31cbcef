"""Human-readable work-order numbers: the Beijing date and a per-day sequence (2026112200001)."""

from __future__ import annotations

import datetime as dt

from django.db import connection

from kefu.core.calendar import beijing_date


def next_order_number(accepted_at: dt.datetime) -> str:
    """Issue the next number of the acceptance day; call inside the order's transaction.

    One atomic upsert on both SQLite and PostgreSQL: concurrent intakes never share a number,
    and a rolled-back intake gives its number back.
    """
    day = beijing_date(accepted_at)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_dailysequence (day, last) VALUES (%s, 1) "
            "ON CONFLICT (day) DO UPDATE SET last = core_dailysequence.last + 1 "
            "RETURNING last",
            [day],
        )
        row = cursor.fetchone()
    return f"{day:%Y%m%d}{row[0]:05d}"
