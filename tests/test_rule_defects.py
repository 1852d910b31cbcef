"""Rules found wrong by trying the product from outside (issue 10), each pinned here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from kefu.callbacks.models import CallbackTask
from kefu.supervision.sweep import sweep
from kefu.tickets import services
from tests.conftest import Cast, bj
from tests.flows import accept, clock, dispatch, holder_user, intake

Freeze = Callable[[str | dt.datetime], dt.datetime]


@pytest.mark.parametrize("request_type", ["complaint", "suggestion"])
def test_a_second_caller_linked_to_a_complaint_is_called_back_too(
    request_type: str, cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-10 09:00")
    order = accept(cast, request_type)
    services.link_call(
        actor=cast.agent,
        parent_number=order.number,
        intake=intake(request_type, cast.urban_neighbour),
    )
    dispatch(cast, order)
    handler = holder_user(cast, order)
    services.acknowledge_order(actor=handler, number=order.number)
    services.reply_order(actor=handler, number=order.number, result="已处理")
    services.approve_order(actor=cast.leader, number=order.number)
    phones = sorted(CallbackTask.objects.filter(incident=order).values_list("phone", flat=True))
    assert phones == sorted([cast.urban.phone, cast.urban_neighbour.phone])


def test_an_urged_overtime_stays_when_an_earlier_arrival_is_reported(
    cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-10 09:00")
    order = dispatch(cast, accept(cast, "repair"))
    crew = holder_user(cast, order)
    services.acknowledge_order(actor=crew, number=order.number)
    freeze("2026-03-10 09:50")  # the 45 minutes ran out at 09:45 with no arrival received
    sweep()
    assert clock(order, "arrival").late is True
    freeze("2026-03-10 10:05")
    services.arrive(actor=crew, number=order.number, occurred_at=bj("2026-03-10 09:40"))
    arrival = clock(order, "arrival")
    # Counted overtime (nothing was received in time), the reported time kept beside it.
    assert (arrival.late, arrival.stopped_at) == (True, bj("2026-03-10 09:40"))


@pytest.mark.parametrize("profile", ["provincial"], indirect=True)
def test_immediately_is_a_grace_not_zero_minutes(profile: str, cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    order = accept(cast, "complaint")
    freeze("2026-03-10 09:01")
    dispatch(cast, order)
    assert clock(order, "dispatch").late is False


def test_warning_levels_of_a_working_day_limit_fall_at_a_share_of_working_time(
    cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-13 10:00")  # Friday; 5 working days: Monday 16 to Friday 20 March
    order = accept(cast, "complaint")
    result = clock(order, "result")
    assert result.deadline == bj("2026-03-21 00:00")
    # 80 % of five working days is four of them, not 80 % of the week with its weekend
    # (which would fall on Thursday 19 March at 11:36).
    assert result.next_alert_at == bj("2026-03-20 00:00")
