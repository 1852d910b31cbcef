"""A limit reaching into a year the calendar lacks: accepted, provisional, alerted, recomputed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from kefu.core.calendar_loading import csv_year_days, store_year
from kefu.core.models import Alert
from kefu.tickets import services
from kefu.tickets.models import OrderEvent
from tests.conftest import Cast, bj
from tests.flows import accept, clock, dispatch, holder_user

Freeze = Callable[[str], dt.datetime]

# An arrangement the guess cannot know: New Year bridged over Monday 4 January, made up on
# Saturday 9 January.
CSV_2027 = """date,kind,name
2027-01-01,holiday,元旦
2027-01-02,holiday,元旦
2027-01-03,holiday,元旦
2027-01-04,holiday,元旦
2027-01-09,makeup,元旦调休
"""


@pytest.mark.parametrize(
    ("profile", "guessed", "reloaded"),
    [
        ("county", "2027-01-06 00:00", "2027-01-07 00:00"),
        ("provincial", "2027-01-05 00:00", "2027-01-06 00:00"),
    ],
    indirect=["profile"],
)
def test_a_deadline_into_an_unloaded_year_is_provisional_until_the_year_loads(
    profile: str, guessed: str, reloaded: str, cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-12-28 10:00")  # Monday; 29, 30, 31 Dec are known, then 2027 is guessed
    order = accept(cast, "complaint")
    result = clock(order, "result")
    # 5 (county) or 4 (provincial) working days: 1 January is a statutory holiday even
    # without the year's arrangement; Monday 4 January is guessed a working day.
    assert result.deadline == bj(guessed)
    assert result.provisional is True
    alert = Alert.objects.get(key="calendar:2027")
    assert alert.resolved_at is None
    assert "2027" in alert.message

    recomputed = store_year(2027, csv_year_days(2027, CSV_2027), source="csv:test")

    assert recomputed == 1
    result = clock(order, "result")
    assert result.deadline == bj(reloaded)  # 4 January was bridged after all
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


@pytest.mark.parametrize(
    "day",
    ["2027-01-01", "2027-02-05", "2027-02-06", "2027-02-08", "2027-04-05", "2027-05-03"],
)
def test_the_guess_knows_the_statutory_holidays(day: str) -> None:
    """New Year, lunar New Year's Eve and the Spring Festival's first days, Qingming; and
    Monday 3 May 2027 is an ordinary guess (Labour Day is 1 and 2 May)."""
    from kefu.core.calendar import guessed_working

    expected = day == "2027-05-03"
    assert guessed_working(dt.date.fromisoformat(day)) is expected


def test_a_stage_finished_late_against_the_guess_is_judged_again(
    cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-12-28 10:00")
    order = accept(cast, "complaint")
    dispatch(cast, order)
    handler = holder_user(cast, order)
    services.acknowledge_order(actor=handler, number=order.number)
    freeze("2027-01-06 10:00")  # after the guessed deadline (6 Jan 00:00), before the real
    services.reply_order(actor=handler, number=order.number, result="已处理")
    assert clock(order, "result").late is True
    order.refresh_from_db()
    assert order.is_late is True

    store_year(2027, csv_year_days(2027, CSV_2027), source="csv:test")

    result = clock(order, "result")
    assert (result.deadline, result.provisional, result.late) == (
        bj("2027-01-07 00:00"),
        False,
        False,
    )
    order.refresh_from_db()
    assert order.is_late is False
    event = OrderEvent.objects.get(order=order, kind="deadline_recomputed", new__clock="result")
    assert (event.old["late"], event.new["late"]) == (True, False)
