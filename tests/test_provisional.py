"""A limit reaching into a year the calendar lacks: accepted, provisional, alerted, recomputed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from kefu.core.calendar_loading import csv_year_days, store_year
from kefu.core.models import Alert
from kefu.tickets.models import OrderEvent
from tests.conftest import Cast, bj
from tests.flows import accept, clock

Freeze = Callable[[str], dt.datetime]

CSV_2027 = """date,kind,name
2027-01-01,holiday,元旦
2027-01-02,holiday,元旦
2027-01-03,holiday,元旦
"""


@pytest.mark.parametrize(
    ("profile", "guessed", "reloaded"),
    [
        ("county", "2027-01-05 00:00", "2027-01-06 00:00"),
        ("provincial", "2027-01-02 00:00", "2027-01-05 00:00"),
    ],
    indirect=["profile"],
)
def test_a_deadline_into_an_unloaded_year_is_provisional_until_the_year_loads(
    profile: str, guessed: str, reloaded: str, cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-12-28 10:00")  # Monday; 29, 30, 31 Dec are known, then 2027 is guessed
    order = accept(cast, "complaint")
    result = clock(order, "result")
    # 5 (county) or 4 (provincial) working days, 1 Jan 2027 guessed a working day.
    assert result.deadline == bj(guessed)
    assert result.provisional is True
    alert = Alert.objects.get(key="calendar:2027")
    assert alert.resolved_at is None
    assert "2027" in alert.message

    recomputed = store_year(2027, csv_year_days(2027, CSV_2027), source="csv:test")

    assert recomputed == 1
    result = clock(order, "result")
    assert result.deadline == bj(reloaded)  # 1 Jan is a holiday after all
    assert result.provisional is False
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    event = OrderEvent.objects.get(order=order, kind="deadline_recomputed")
    assert event.actor is None
    assert dt.datetime.fromisoformat(event.old["deadline"]) == bj(guessed)
    assert event.new["provisional"] is False


def test_a_deadline_inside_known_years_raises_no_alert(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-12-01 10:00")
    order = accept(cast, "complaint")
    assert clock(order, "result").provisional is False
    assert not Alert.objects.exists()
