"""The supervision sweep: every type of order walked past every clock, on both profiles.

At each stage the clock is moved past the last warning level of every running clock and the
sweep runs; each running clock must then have reached every level once, be marked overtime,
have one event per level and have sent its messages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from kefu.core.policy import active_policy
from kefu.outbox.models import Message
from kefu.supervision.overdue import overdue_clocks
from kefu.supervision.sweep import sweep
from kefu.tickets import services
from kefu.tickets.clocks import PERMISSION_CLOCKS
from kefu.tickets.models import Clock, ClockStatus, OrderEvent, WorkOrder
from tests.conftest import Cast, bj
from tests.flows import accept, clock, dispatch, holder_user

Freeze = Callable[[str | dt.datetime], dt.datetime]
BOTH = pytest.mark.parametrize("profile", ["county", "provincial"], indirect=True)


def level_events(order: WorkOrder, kind: str, round_: int = 1) -> list[str]:
    return [
        e.new["level"]
        for e in OrderEvent.objects.filter(order=order, kind__in=["warned", "urged"]).order_by(
            "occurred_at", "id"
        )
        if e.new["clock"] == kind and e.new["round"] == round_
    ]


def sweep_past_running(order: WorkOrder, freeze: Freeze) -> list[str]:
    """Move time past every running clock's last level, sweep, and check each clock."""
    levels = active_policy().supervision.levels
    running = list(
        Clock.objects.filter(
            order=order, status=ClockStatus.OPEN, urge_level__lt=len(levels)
        ).exclude(kind__in=PERMISSION_CLOCKS)
    )
    assert running, "nothing to supervise at this stage"
    open_clocks = Clock.objects.filter(order=order, status=ClockStatus.OPEN)
    latest = max(c.deadline for c in open_clocks if c.deadline)
    freeze(latest + dt.timedelta(hours=3))
    sweep()
    for window in open_clocks.filter(kind__in=PERMISSION_CLOCKS):
        # The return window is a permission: its end passes unremarked.
        assert (window.urge_level, window.late, window.next_alert_at) == (0, False, None)
        assert level_events(order, window.kind, window.round) == []
    for before in running:
        after = Clock.objects.get(pk=before.pk)
        assert after.urge_level == len(levels), after.kind
        assert after.late is True, after.kind
        assert after.next_alert_at is None
        assert level_events(order, after.kind, after.round) == [lv.name for lv in levels]
    assert WorkOrder.objects.get(pk=order.pk).is_late
    return sorted(c.kind for c in running)


@BOTH
def test_a_repair_walked_past_every_clock(profile: str, cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    order = accept(cast, "repair")
    assert sweep_past_running(order, freeze) == ["dispatch"]
    dispatch(cast, order)
    assert sweep_past_running(order, freeze) == ["arrival"]
    crew = holder_user(cast, order)
    services.acknowledge_order(actor=crew, number=order.number)
    services.arrive(actor=crew, number=order.number)
    # The crew's report to the county, and (county profile) the county's on to the city.
    on_site = ["city_report", "onsite_report"] if profile == "county" else ["onsite_report"]
    assert sweep_past_running(order, freeze) == on_site


@BOTH
@pytest.mark.parametrize("request_type", ["complaint", "report", "suggestion", "praise"])
def test_complaint_like_orders_walked_past_every_clock(
    profile: str, request_type: str, cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-10 09:00")
    order = accept(cast, request_type)
    assert sweep_past_running(order, freeze) == ["dispatch", "result"]
    dispatch(cast, order)
    handler = holder_user(cast, order)
    services.acknowledge_order(actor=handler, number=order.number)
    services.reply_order(actor=handler, number=order.number, result="已处理")
    assert sweep_past_running(order, freeze) == ["callback"]


@BOTH
@pytest.mark.parametrize("request_type", ["consultation", "query"])
def test_forwarded_questions_walked_past_every_clock(
    profile: str, request_type: str, cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-10 09:00")
    order = dispatch(cast, accept(cast, request_type))
    assert sweep_past_running(order, freeze) == ["department_answer"]
    services.acknowledge_order(actor=cast.zjz, number=order.number)
    services.reply_order(actor=cast.zjz, number=order.number, result="专家已答复")
    assert sweep_past_running(order, freeze) == ["callback"]


@BOTH
def test_an_application_walked_past_every_clock(profile: str, cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    order = accept(cast, "application")
    assert sweep_past_running(order, freeze) == ["supply_plan"]
    dispatch(cast, order)
    services.acknowledge_order(actor=cast.yxb, number=order.number)
    services.record_application_step(actor=cast.yxb, number=order.number, step="inspection_passed")
    assert sweep_past_running(order, freeze) == ["energize"]
    services.record_application_step(actor=cast.yxb, number=order.number, step="energized")
    services.reply_order(actor=cast.yxb, number=order.number, result="已送电")
    assert sweep_past_running(order, freeze) == ["callback"]


def test_county_levels_minute_by_minute(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    order = accept(cast, "repair")  # dispatch due 09:05: warning 09:04, urge 09:05, again 09:35
    freeze("2026-03-10 09:04")
    sweep()
    assert level_events(order, "dispatch") == []  # reached only once time has passed it
    freeze("2026-03-10 09:04:30")
    sweep()
    sweep()
    assert level_events(order, "dispatch") == ["pre_warning"]
    assert clock(order, "dispatch").late is False
    assert (
        Message.objects.filter(
            order=order, kind="pre_warning", to_department__code="KFB", channel="in_app"
        ).count()
        == 1
    )
    freeze("2026-03-10 09:05:30")
    sweep()
    assert level_events(order, "dispatch") == ["pre_warning", "urge"]
    assert clock(order, "dispatch").late is True
    urge = OrderEvent.objects.get(order=order, kind="urged")
    assert urge.occurred_at == bj("2026-03-10 09:05")
    assert urge.recorded_at == bj("2026-03-10 09:05:30")
    assert urge.actor is None
    freeze("2026-03-10 09:36")
    sweep()
    assert level_events(order, "dispatch") == ["pre_warning", "urge", "second_urge"]
    assert Message.objects.filter(order=order, kind="second_urge", to_user=cast.leader).exists()
    freeze("2026-03-10 12:00")
    assert sweep().levels == 0


def test_a_stage_done_in_time_is_never_urged(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    order = accept(cast, "repair")
    freeze("2026-03-10 09:03")
    dispatch(cast, order)
    freeze("2026-03-10 12:00")
    sweep()
    assert level_events(order, "dispatch") == []
    assert clock(order, "dispatch").late is False


def test_a_paused_clock_is_not_urged_until_it_runs_again(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    order = dispatch(cast, accept(cast, "repair"))  # arrival due 09:45
    services.acknowledge_order(actor=cast.crew_khzx, number=order.number)
    freeze("2026-03-10 09:10")
    services.suspend_order(
        actor=cast.crew_khzx,
        number=order.number,
        reason="appointment",
        appointment_at=bj("2026-03-10 14:00"),
    )
    freeze("2026-03-10 13:00")
    sweep()
    assert level_events(order, "arrival") == []
    services.resume_order(actor=cast.crew_khzx, number=order.number)  # 35 min left: 13:35
    freeze("2026-03-10 13:29")
    sweep()
    assert level_events(order, "arrival") == ["pre_warning"]  # 80 % of 09:00→13:35 is 12:40


def test_back_filling_a_past_instant_then_now(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    order = accept(cast, "repair")
    freeze("2026-03-10 11:00")
    assert sweep(as_of=bj("2026-03-10 09:04:30")).levels == 1
    assert level_events(order, "dispatch") == ["pre_warning"]
    result = sweep()
    assert result.levels == 2
    assert level_events(order, "dispatch") == ["pre_warning", "urge", "second_urge"]
    with pytest.raises(ValueError, match="future"):
        sweep(as_of=bj("2026-03-10 12:00"))


def test_levels_crossed_while_the_worker_was_down_are_each_recorded_once(
    cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-10 09:00")
    order = accept(cast, "complaint")
    freeze("2026-03-20 09:00")  # all levels of dispatch and result passed
    sweep()
    sweep()
    assert level_events(order, "dispatch") == ["pre_warning", "urge", "second_urge"]
    # Messages go out for the highest level only: no flood after an outage.
    assert set(Message.objects.filter(order=order).values_list("kind", flat=True)) == {
        "second_urge"
    }


def test_the_return_window_is_a_permission_never_urged_only_a_late_return_is_late(
    cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-10 09:00")
    kept = dispatch(cast, accept(cast, "repair"))
    returned = dispatch(cast, accept(cast, "repair", cast.urban_neighbour))
    freeze("2026-03-10 09:57")  # 57 minutes on: the 5-minute windows ended long ago
    sweep()
    window = clock(kept, "return")
    assert (window.urge_level, window.late) == (0, False)
    assert not OrderEvent.objects.filter(order=kept, kind="urged", new__clock="return").exists()
    assert "return" not in {c.kind for c in overdue_clocks()}
    kept.refresh_from_db()
    assert kept.next_deadline == clock(kept, "arrival").deadline  # the deadline that matters
    services.acknowledge_order(actor=cast.crew_khzx, number=kept.number)
    assert clock(kept, "return").late is False  # taking it on is never late
    services.return_order(actor=cast.crew_khzx, number=returned.number, reason="不是本班组")
    assert clock(returned, "return").late is True  # a return after the window is
