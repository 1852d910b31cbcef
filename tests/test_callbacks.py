"""The callback queue: who is called back, when, and what follows from the answer."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from kefu.callbacks.models import CallbackStatus, CallbackTask
from kefu.callbacks.services import record_callback
from kefu.core.errors import IllegalTransition
from kefu.customers.models import Customer
from kefu.outbox.models import Message
from kefu.tickets import services
from kefu.tickets.models import WorkOrder
from tests.conftest import Cast, bj
from tests.flows import RESTORED, accept, dispatch, holder_user, intake

Freeze = Callable[[str | dt.datetime], dt.datetime]


def replied(cast: Cast, order: WorkOrder) -> WorkOrder:
    order = dispatch(cast, order) if order.state == "accepted" else order
    handler = holder_user(cast, order)
    services.acknowledge_order(actor=handler, number=order.number)
    if order.request_type == "repair":
        services.arrive(actor=handler, number=order.number)
        services.report_on_site(actor=handler, number=order.number, findings="线路故障")
        services.restore_supply(**RESTORED, actor=handler, number=order.number)
    return services.reply_order(actor=handler, number=order.number, result="已处理")


def test_a_fault_with_200_callers_on_5_transformers_is_sampled_over_every_transformer(
    cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-10 09:00")
    callers = [
        Customer.objects.create(
            account_number=f"52000{i:05d}",
            name=f"用户{i}",
            phone=f"1370000{i:04d}",
            address=f"城关街道幸福路{i}号",
            district="城关街道",
            area_class="urban",
            substation="110kV城关变电站",
            feeder="10kV城关二回线",
            transformer=f"城关2-{i % 5 + 1}号台区",
            category="resident",
            voltage_kv=Decimal("0.4"),
        )
        for i in range(200)
    ]
    fault = accept(cast, "repair", callers[0])
    for caller in callers[1:]:
        services.link_call(
            actor=cast.agent, parent_number=fault.number, intake=intake("repair", caller)
        )
    replied(cast, fault)
    services.approve_order(actor=cast.leader, number=fault.number)
    tasks = list(CallbackTask.objects.filter(incident=fault))
    assert len(tasks) >= 10  # at least 5 % of 200 callers
    per_transformer = Counter(t.transformer for t in tasks)
    assert set(per_transformer) == {f"城关2-{n}号台区" for n in range(1, 6)}
    assert max(per_transformer.values()) - min(per_transformer.values()) <= 1
    assert len({t.call_id for t in tasks}) == len(tasks)


def test_complaints_are_all_called_back_residents_after_work(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    order = replied(cast, accept(cast, "complaint"))
    services.approve_order(actor=cast.leader, number=order.number)
    task = CallbackTask.objects.get(incident=order)
    assert (task.call_from, task.call_until) == (bj("2026-03-10 18:00"), bj("2026-03-10 21:00"))
    assert task.due_by == bj("2026-03-12 00:00")  # 1 working day after the reply
    assert task.phone == cast.urban.phone


def test_businesses_are_called_in_office_hours_on_working_days(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-04-30 17:30")  # Thursday evening before the Labour Day break
    order = replied(cast, accept(cast, "complaint", cast.business))
    services.approve_order(actor=cast.leader, number=order.number)
    task = CallbackTask.objects.get(incident=order)
    assert task.business is True
    assert (task.call_from, task.call_until) == (bj("2026-05-06 09:00"), bj("2026-05-06 17:00"))


def test_a_repair_finished_after_22_is_called_back_the_next_day(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 22:05")
    order = accept(cast, "repair", cast.business)  # a business on the rural station
    replied(cast, order)  # restored at 22:05
    services.approve_order(actor=cast.leader, number=order.number)
    task = CallbackTask.objects.get(incident=order)
    assert task.call_from == bj("2026-03-11 09:00")


def test_unreachable_after_three_tries_is_an_outcome(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    order = replied(cast, accept(cast, "complaint"))
    services.approve_order(actor=cast.leader, number=order.number)
    task = CallbackTask.objects.get(incident=order)
    for moment in ("2026-03-10 18:10", "2026-03-10 18:50", "2026-03-10 19:30"):
        freeze(moment)
        task = record_callback(actor=cast.agent, task_id=task.pk, reached=False, note="无人接听")
    assert task.status == CallbackStatus.UNREACHABLE
    assert task.attempts == 3
    order.refresh_from_db()
    assert order.state == "called_back"
    assert order.satisfaction == "unreachable"
    assert services.archive_order(actor=cast.agent, number=order.number).state == "archived"


def test_a_failed_try_moves_the_call_to_a_later_window(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    order = replied(cast, accept(cast, "complaint"))
    services.approve_order(actor=cast.leader, number=order.number)
    task = CallbackTask.objects.get(incident=order)
    freeze("2026-03-10 20:45")
    task = record_callback(actor=cast.agent, task_id=task.pk, reached=False)
    assert task.status == CallbackStatus.QUEUED
    assert task.call_from == bj("2026-03-11 18:00")  # 21:15 is past today's window


def test_a_dissatisfied_customer_reopens_the_order(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    order = replied(cast, accept(cast, "complaint"))
    services.approve_order(actor=cast.leader, number=order.number)
    task = CallbackTask.objects.get(incident=order)
    freeze("2026-03-10 18:30")
    record_callback(
        actor=cast.agent,
        task_id=task.pk,
        reached=True,
        satisfaction="dissatisfied",
        note="问题未解决",
    )
    order.refresh_from_db()
    assert order.state == "rework"
    assert order.rework_count == 1
    assert order.holder.code == "YXB"  # type: ignore[union-attr]
    with pytest.raises(IllegalTransition):
        record_callback(actor=cast.agent, task_id=task.pk, reached=True, satisfaction="satisfied")


def test_or_goes_to_the_supervisor_when_the_policy_says_so(
    cast: Cast, freeze: Freeze, settings: Any, tmp_path: Path
) -> None:
    county = Path(django_settings.KEFU_POLICY_DIR) / "county.toml"
    policy = tmp_path / "supervisor.toml"
    policy.write_text(
        county.read_text(encoding="utf-8").replace(
            'dissatisfied = "reopen"', 'dissatisfied = "supervisor"'
        ),
        encoding="utf-8",
    )
    settings.KEFU_POLICY = str(policy)
    freeze("2026-03-10 09:00")
    order = replied(cast, accept(cast, "complaint"))
    services.approve_order(actor=cast.leader, number=order.number)
    task = CallbackTask.objects.get(incident=order)
    freeze("2026-03-10 18:30")
    record_callback(actor=cast.agent, task_id=task.pk, reached=True, satisfaction="dissatisfied")
    order.refresh_from_db()
    assert order.state == "called_back"
    assert Message.objects.filter(
        order=order, kind="dissatisfied", to_user=cast.supervisor
    ).exists()


def test_a_sampled_fault_takes_its_least_satisfied_answer(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    fault = accept(cast, "repair")
    other = Customer.objects.create(
        account_number="5100000099",
        name="赵六",
        phone="13900000099",
        address="城关街道9号",
        district="城关街道",
        area_class="urban",
        substation="110kV城关变电站",
        feeder="10kV城关一回线",
        transformer="城关1-2号台区",
        category="resident",
    )
    services.link_call(actor=cast.agent, parent_number=fault.number, intake=intake("repair", other))
    replied(cast, fault)
    services.approve_order(actor=cast.leader, number=fault.number)
    tasks = list(CallbackTask.objects.filter(incident=fault).order_by("id"))
    assert len(tasks) == 2  # two transformers: one caller on each
    freeze("2026-03-10 18:30")
    record_callback(actor=cast.agent, task_id=tasks[0].pk, reached=True, satisfaction="satisfied")
    fault.refresh_from_db()
    assert fault.state == "approved"  # one call still to make
    record_callback(
        actor=cast.agent, task_id=tasks[1].pk, reached=True, satisfaction="basically_satisfied"
    )
    fault.refresh_from_db()
    assert fault.state == "called_back"
    assert fault.satisfaction == "basically_satisfied"
