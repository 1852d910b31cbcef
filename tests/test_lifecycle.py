"""The life of a work order through the services: every transition, its clocks and events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from kefu.callbacks.models import CallbackTask
from kefu.callbacks.services import record_callback
from kefu.core.errors import (
    Conflict,
    DuplicateSuspected,
    IllegalTransition,
    InvalidInput,
    PermissionDenied,
)
from kefu.tickets import services
from kefu.tickets.models import Clock, OrderEvent, WorkOrder
from tests.conftest import Cast, bj
from tests.flows import LEADER, RESTORED, accept, clock, dispatch, intake

Freeze = Callable[[str], dt.datetime]


def kinds(order: WorkOrder) -> list[str]:
    return list(
        OrderEvent.objects.filter(order__number=order.number)
        .order_by("occurred_at", "id")
        .values_list("kind", flat=True)
    )


def test_a_repair_from_intake_to_archive(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 20:00")
    order = accept(cast, "repair")
    assert order.number.startswith("20260310")
    assert order.suggested_department.code == "KHZX"  # type: ignore[union-attr]
    freeze("2026-03-10 20:03")
    services.dispatch_order(actor=cast.agent, number=order.number, department_code="KHZX")
    crew = cast.crew_khzx
    freeze("2026-03-10 20:04")
    services.acknowledge_order(actor=crew, number=order.number)
    services.depart(**LEADER, actor=crew, number=order.number)
    freeze("2026-03-10 20:40")
    services.arrive(actor=crew, number=order.number)
    freeze("2026-03-10 20:55")
    services.report_on_site(
        actor=crew,
        number=order.number,
        findings="表箱进线烧断",
        expected_restoration=bj("2026-03-10 22:00"),
    )
    freeze("2026-03-10 21:05")  # the county center tells the city within 30 minutes
    services.report_to_city(actor=cast.agent, number=order.number, report="表箱进线烧断,22:00复电")
    freeze("2026-03-10 21:40")
    services.restore_supply(**RESTORED, actor=crew, number=order.number)
    services.reply_order(actor=crew, number=order.number, result="更换进线,已送电")
    freeze("2026-03-10 21:50")
    services.approve_order(actor=cast.leader, number=order.number)
    # The only caller of the fault is the sample; a resident is called after work tomorrow.
    task = CallbackTask.objects.get(incident=order)
    assert (task.call_from, task.call_until) == (bj("2026-03-11 18:00"), bj("2026-03-11 21:00"))
    with pytest.raises(IllegalTransition, match="called back before it is archived"):
        services.archive_order(actor=cast.agent, number=order.number)
    freeze("2026-03-11 18:30")
    record_callback(actor=cast.agent, task_id=task.pk, reached=True, satisfaction="satisfied")
    final = services.archive_order(actor=cast.agent, number=order.number)
    assert final.state == "archived"
    assert final.closed_at == bj("2026-03-11 18:30")
    assert final.satisfaction == "satisfied"
    assert kinds(order) == [
        "accepted",
        "dispatched",
        "acknowledged",
        "departed",
        "arrived",
        "on_site_reported",
        "reported_to_city",
        "restored",
        "replied",
        "approved",
        "callback_attempt",
        "called_back",
        "archived",
    ]
    assert {c.kind: c.late for c in Clock.objects.filter(order=final)} == {
        "dispatch": False,
        "return": False,
        "arrival": False,
        "onsite_report": False,
        "city_report": False,
    }
    assert final.is_late is False
    assert final.next_deadline is None


def test_a_complaint_from_intake_to_archive_with_callback(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    order = accept(cast, "complaint", topic="billing")
    assert order.suggested_department.code == "YXB"  # type: ignore[union-attr]
    dispatch(cast, order)
    services.acknowledge_order(actor=cast.yxb, number=order.number)
    freeze("2026-03-12 10:00")
    services.reply_order(actor=cast.yxb, number=order.number, result="核实为抄表错误,已退费")
    services.approve_order(actor=cast.leader, number=order.number)
    with pytest.raises(IllegalTransition, match="called back before it is archived"):
        services.archive_order(actor=cast.agent, number=order.number)
    freeze("2026-03-12 19:00")
    services.callback_order(actor=cast.agent, number=order.number, satisfaction="satisfied")
    final = services.archive_order(actor=cast.agent, number=order.number)
    assert final.state == "archived"
    assert final.satisfaction == "satisfied"
    assert clock(final, "result").late is False
    assert clock(final, "callback").late is False


def test_every_event_records_actor_occurrence_and_recording_time(
    cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-10 09:30")
    order = accept(cast, "complaint")
    freeze("2026-03-10 10:00")
    services.dispatch_order(
        actor=cast.agent2,
        number=order.number,
        department_code="YXB",
        occurred_at=bj("2026-03-10 09:40"),
    )
    event = OrderEvent.objects.get(order=order, kind="dispatched")
    assert event.actor == cast.agent2
    assert event.occurred_at == bj("2026-03-10 09:40")
    assert event.recorded_at == bj("2026-03-10 10:00")
    assert event.old == {"state": "accepted", "holder": None}
    assert event.new["state"] == "dispatched"
    assert event.new["holder"] == "YXB"
    assert clock(order, "dispatch").late is False  # judged by when it happened


def test_order_numbers_follow_a_per_day_sequence(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 23:59")
    first = accept(cast, "consultation")
    second = accept(cast, "query")
    freeze("2026-03-11 00:01")
    third = accept(cast, "consultation", cast.rural)
    assert [first.number, second.number, third.number] == [
        "2026031000001",
        "2026031000002",
        "2026031100001",
    ]


def test_returned_order_starts_the_new_holders_clocks_afresh(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    order = accept(cast, "repair")
    freeze("2026-03-10 09:02")
    services.dispatch_order(actor=cast.agent, number=order.number, department_code="KHZX")
    freeze("2026-03-10 09:06")
    services.return_order(actor=cast.crew_khzx, number=order.number, reason="属桃花供电所供区")
    returned = WorkOrder.objects.get(pk=order.pk)
    assert returned.state == "returned"
    assert returned.holder is None
    # The center has a fresh dispatch clock from the return.
    assert clock(order, "dispatch").round == 2
    assert clock(order, "dispatch").deadline == bj("2026-03-10 09:11")
    freeze("2026-03-10 09:08")
    services.dispatch_order(actor=cast.agent, number=order.number, department_code="GDS-TH")
    arrivals = list(Clock.objects.filter(order=order, kind="arrival").order_by("round"))
    assert [(c.department.code, c.status, c.started_at) for c in arrivals] == [  # type: ignore[union-attr]
        ("KHZX", "void", bj("2026-03-10 09:02")),
        ("GDS-TH", "open", bj("2026-03-10 09:08")),
    ]
    assert arrivals[1].deadline == bj("2026-03-10 09:53")


def test_customer_facing_result_clock_keeps_running_across_a_return(
    cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-09 09:00")
    order = accept(cast, "complaint", topic="outage")
    result_deadline = clock(order, "result").deadline
    dispatch(cast, order)  # DDZX by topic
    freeze("2026-03-10 09:00")
    services.return_order(actor=cast.ddzx, number=order.number, reason="属营销问题")
    freeze("2026-03-10 10:00")
    services.dispatch_order(actor=cast.agent, number=order.number, department_code="YXB")
    result = clock(order, "result")
    assert result.round == 1
    assert result.deadline == result_deadline
    assert result.department.code == "YXB"  # type: ignore[union-attr]
    # Each department answers for its own return clock.
    returns = {
        c.department.code: c.status
        for c in Clock.objects.filter(order=order, kind="return")  # type: ignore[union-attr]
    }
    assert returns == {"DDZX": "done", "YXB": "open"}


def test_send_back_reopens_the_result_clock_and_counts_rework(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-09 09:00")
    order = accept(cast, "complaint")
    dispatch(cast, order)
    services.acknowledge_order(actor=cast.yxb, number=order.number)
    services.reply_order(actor=cast.yxb, number=order.number, result="已处理")
    services.send_back_order(actor=cast.leader, number=order.number, reason="未说明处理依据")
    reworked = WorkOrder.objects.get(pk=order.pk)
    assert reworked.state == "rework"
    assert reworked.rework_count == 1
    assert clock(order, "result").status == "open"
    assert clock(order, "callback").status == "void"
    freeze("2026-03-20 09:00")  # past the 5-working-day deadline of 2026-03-17 00:00
    services.reply_order(actor=cast.yxb, number=order.number, result="补充依据后答复")
    assert clock(order, "result").late is True


def test_suspension_pauses_exactly_the_named_clocks_minutes(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    order = accept(cast, "repair")
    dispatch(cast, order)  # arrival due 09:45
    services.acknowledge_order(actor=cast.crew_khzx, number=order.number)
    freeze("2026-03-10 09:10")
    services.suspend_order(
        actor=cast.crew_khzx,
        number=order.number,
        reason="appointment",
        appointment_at=bj("2026-03-10 14:00"),
        note="客户要求下午到场",
    )
    assert clock(order, "arrival").status == "paused"
    assert clock(order, "arrival").deadline is None
    with pytest.raises(IllegalTransition, match="suspended"):
        services.arrive(actor=cast.crew_khzx, number=order.number)
    freeze("2026-03-10 13:40")
    services.resume_order(actor=cast.crew_khzx, number=order.number)
    # 35 minutes were left at 09:10; they run from 13:40.
    assert clock(order, "arrival").deadline == bj("2026-03-10 14:15")


def test_suspension_pauses_working_day_clocks_and_keeps_what_was_left(
    cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-09 09:00")  # Monday; 10–13 and 16 Mar: result due 2026-03-17 00:00
    order = accept(cast, "complaint")
    dispatch(cast, order)
    services.acknowledge_order(actor=cast.yxb, number=order.number)
    freeze("2026-03-10 15:00")  # 4 working days left: 11, 12, 13, 16
    services.suspend_order(
        actor=cast.yxb, number=order.number, reason="customer_wait", note="等待客户提供缴费凭证"
    )
    assert clock(order, "result").status == "paused"
    freeze("2026-03-16 11:00")  # Monday
    services.resume_order(actor=cast.yxb, number=order.number)
    assert clock(order, "result").deadline == bj("2026-03-21 00:00")  # 17, 18, 19, 20 Mar


def test_appointment_does_not_pause_the_complaint_result(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-09 09:00")
    order = accept(cast, "complaint")
    dispatch(cast, order)
    services.acknowledge_order(actor=cast.yxb, number=order.number)
    services.suspend_order(
        actor=cast.yxb,
        number=order.number,
        reason="appointment",
        appointment_at=bj("2026-03-11 10:00"),
    )
    assert clock(order, "result").status == "open"
    assert clock(order, "result").deadline == bj("2026-03-17 00:00")


def test_an_open_order_for_the_same_customer_is_offered_instead_of_a_duplicate(
    cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-10 09:00")
    first = accept(cast, "repair")
    with pytest.raises(DuplicateSuspected) as raised:
        services.accept_order(actor=cast.agent, intake=intake("repair", cast.urban))
    assert raised.value.candidates == [first.number]
    assert WorkOrder.objects.count() == 1


def test_a_repeat_call_is_an_urge_on_the_open_order(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    first = accept(cast, "repair")
    freeze("2026-03-10 09:20")
    outcome = services.link_call(
        actor=cast.agent,
        intake=intake("repair", cast.urban),
        parent_number=first.number,
        note="客户再次来电催问",
    )
    assert outcome.urged is True
    assert outcome.order.urge_count == 1
    assert WorkOrder.objects.count() == 1
    assert kinds(first)[-1] == "customer_urged"


def test_another_caller_about_the_same_fault_is_linked_without_a_new_dispatch(
    cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-10 09:00")
    first = accept(cast, "repair")
    dispatch(cast, first)
    freeze("2026-03-10 09:10")
    outcome = services.link_call(
        actor=cast.agent, intake=intake("repair", cast.urban_neighbour), parent_number=first.number
    )
    linked = outcome.order
    assert outcome.urged is False
    assert linked.state == "linked"
    assert linked.parent == first
    assert linked.closed_at is not None
    assert not Clock.objects.filter(order=linked).exists()
    first.refresh_from_db()
    assert first.call_count == 1
    assert kinds(first)[-1] == "call_linked"


def test_consultation_answered_at_intake_is_closed_with_its_answer(
    cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-10 09:00")
    order = services.answer_at_intake(
        actor=cast.agent, intake=intake("consultation", cast.urban), answer="居民阶梯电价分三档"
    )
    assert order.state == "answered"
    assert kinds(order) == ["accepted", "answered"]
    archived = services.archive_order(actor=cast.agent, number=order.number)
    assert archived.state == "archived"
    with pytest.raises(InvalidInput, match="only consultations and queries"):
        services.answer_at_intake(actor=cast.agent, intake=intake("repair", cast.rural), answer="x")


def test_cancel_keeps_the_order_and_its_history(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    order = accept(cast, "repair")
    with pytest.raises(InvalidInput, match="reason"):
        services.cancel_order(actor=cast.leader, number=order.number, reason="  ")
    cancelled = services.cancel_order(actor=cast.leader, number=order.number, reason="客户自行恢复")
    assert cancelled.state == "cancelled"
    assert {c.status for c in Clock.objects.filter(order=order)} == {"void"}
    assert kinds(order) == ["accepted", "cancelled"]
    with pytest.raises(IllegalTransition):
        services.dispatch_order(actor=cast.agent, number=order.number, department_code="KHZX")


@pytest.mark.parametrize(
    ("action", "call"),
    [
        (
            "dispatch twice",
            lambda c, n: services.dispatch_order(actor=c.agent, number=n, department_code="YXB"),
        ),
        (
            "reply before acknowledging",
            lambda c, n: services.reply_order(actor=c.yxb, number=n, result="x"),
        ),
        ("approve without a reply", lambda c, n: services.approve_order(actor=c.leader, number=n)),
        (
            "call back before approval",
            lambda c, n: services.callback_order(actor=c.agent, number=n, satisfaction="satisfied"),
        ),
        ("archive an open order", lambda c, n: services.archive_order(actor=c.agent, number=n)),
        (
            "answer a complaint",
            lambda c, n: services.answer_order(actor=c.agent, number=n, answer="x"),
        ),
    ],
)
def test_illegal_transitions_are_refused_and_change_nothing(
    action: str, call: Callable[[Cast, str], object], cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-10 09:00")
    order = dispatch(cast, accept(cast, "complaint", topic="billing"))
    before = (order.version, OrderEvent.objects.count(), Clock.objects.count())
    with pytest.raises(IllegalTransition):
        call(cast, order.number)
    order.refresh_from_db()
    assert (order.version, OrderEvent.objects.count(), Clock.objects.count()) == before
    assert order.state == "dispatched"


def test_repair_only_actions_are_refused_on_other_types(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    order = accept(cast, "complaint")
    dispatch(cast, order)
    services.acknowledge_order(actor=cast.yxb, number=order.number)
    with pytest.raises(PermissionDenied):  # a handler is no crew
        services.depart(**LEADER, actor=cast.yxb, number=order.number)


def test_times_reported_after_the_fact_are_checked(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    order = accept(cast, "repair")
    freeze("2026-03-10 09:30")
    with pytest.raises(InvalidInput, match="in the future"):
        services.dispatch_order(
            actor=cast.agent,
            number=order.number,
            department_code="KHZX",
            occurred_at=bj("2026-03-10 09:31"),
        )
    with pytest.raises(InvalidInput, match="before the order's previous event"):
        services.dispatch_order(
            actor=cast.agent,
            number=order.number,
            department_code="KHZX",
            occurred_at=bj("2026-03-10 08:59"),
        )
    with pytest.raises(InvalidInput, match="in the future"):
        services.accept_order(
            actor=cast.agent,
            intake=intake("repair", cast.rural),
            accepted_at=bj("2026-03-10 10:00"),
        )


def test_back_filled_acceptance_numbers_and_clocks_from_the_given_time(
    cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-10 09:00")
    order = services.accept_order(
        actor=cast.agent, intake=intake("complaint", cast.urban), accepted_at=bj("2026-02-12 15:00")
    )
    assert order.number == "2026021200001"
    assert order.accepted_at == bj("2026-02-12 15:00")
    assert clock(order, "result").deadline == bj("2026-02-27 00:00")


def test_a_stale_version_is_a_conflict(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    order = accept(cast, "complaint")
    services.urge_order(actor=cast.agent, number=order.number, version=order.version)
    with pytest.raises(Conflict, match="changed since you read it"):
        services.urge_order(actor=cast.agent2, number=order.number, version=order.version)


def test_dispatch_elsewhere_than_suggested_needs_a_reason(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    order = accept(cast, "complaint", topic="billing")
    with pytest.raises(InvalidInput, match="give a reason") as raised:
        services.dispatch_order(actor=cast.agent, number=order.number, department_code="DDZX")
    assert raised.value.field == "override_reason"
    done = services.dispatch_order(
        actor=cast.agent,
        number=order.number,
        department_code="DDZX",
        override_reason="客户反映停电导致电费异常",
    )
    assert done.holder.code == "DDZX"  # type: ignore[union-attr]
    event = OrderEvent.objects.get(order=order, kind="dispatched")
    assert event.new["override_reason"] == "客户反映停电导致电费异常"


def test_routing_follows_voltage_and_jurisdiction(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    assert accept(cast, "repair", cast.rural).suggested_department.code == "GDS-TH"  # type: ignore[union-attr]
    assert accept(cast, "repair", cast.remote).suggested_department.code == "GDS-GS"  # type: ignore[union-attr]
    hv = accept(cast, "repair", cast.urban_neighbour, voltage_kv=35)
    assert hv.suggested_department.code == "XSS"  # type: ignore[union-attr]
    assert accept(cast, "report", cast.rural).suggested_department.code == "ZGB"  # type: ignore[union-attr]
    assert accept(cast, "query", cast.rural).suggested_department.code == "ZJZ"  # type: ignore[union-attr]


def test_application_steps_stop_their_clocks_in_order(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-09 09:00")
    order = accept(cast, "application")
    dispatch(cast, order)
    services.acknowledge_order(actor=cast.yxb, number=order.number)
    with pytest.raises(IllegalTransition, match="inspection"):
        services.record_application_step(actor=cast.yxb, number=order.number, step="energized")
    services.record_application_step(
        actor=cast.yxb, number=order.number, step="supply_plan_replied"
    )
    assert clock(order, "supply_plan").status == "done"
    services.record_application_step(actor=cast.yxb, number=order.number, step="inspection_passed")
    services.record_application_step(actor=cast.yxb, number=order.number, step="energized")
    assert clock(order, "energize").status == "done"
    with pytest.raises(IllegalTransition, match="already recorded"):
        services.record_application_step(actor=cast.yxb, number=order.number, step="energized")


def test_orders_and_events_cannot_be_deleted_or_rewritten(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    order = accept(cast, "complaint")
    event = OrderEvent.objects.get(order=order)
    with pytest.raises(TypeError):
        order.delete()
    with pytest.raises(TypeError):
        WorkOrder.objects.all().delete()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        OrderEvent.objects.filter(order=order).update(note="rewritten")
    event.note = "rewritten"
    with pytest.raises(TypeError):
        event.save()
    assert OrderEvent.objects.get(pk=event.pk).note == order.description


def test_a_failure_in_the_middle_of_a_transition_leaves_nothing_half_done(
    cast: Cast, freeze: Freeze, monkeypatch: pytest.MonkeyPatch
) -> None:
    freeze("2026-03-10 09:00")
    order = accept(cast, "repair")
    before = (
        WorkOrder.objects.get(pk=order.pk).version,
        OrderEvent.objects.count(),
        list(Clock.objects.values_list("id", "status")),
    )

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("power cut in the server room")

    # The dispatch clock has been stopped and the holder set when the next clock fails.
    monkeypatch.setattr("kefu.tickets.clocks.start_clock", crash)
    with pytest.raises(RuntimeError):
        services.dispatch_order(actor=cast.agent, number=order.number, department_code="KHZX")
    after = WorkOrder.objects.get(pk=order.pk)
    assert (
        after.version,
        OrderEvent.objects.count(),
        list(Clock.objects.values_list("id", "status")),
    ) == before
    assert after.state == "accepted"
    assert after.holder is None
