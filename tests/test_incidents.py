"""Fault incidents (主单/子单): repair calls under one part of the grid are one fault with
one crew; where it probably is follows the calls up the grid; a dispatcher's confirmation
holds; restoring the master restores every call."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client

from kefu.accounts.models import User
from kefu.callbacks.models import CallbackTask
from kefu.customers.models import Customer
from kefu.outages import incidents
from kefu.outages.check import check
from kefu.outages.models import FaultIncident, GridElement, IncidentEvent
from kefu.tickets import services
from kefu.tickets.models import OrderEvent, WorkOrder
from tests.conftest import Cast
from tests.flows import RESTORED, load_grid

Freeze = Callable[[str | dt.datetime], dt.datetime]
ApiFor = Callable[[User], Client]

#: One feeder, two branches; the first branch has four transformer areas of five customers.
BRANCH = """code,name,level,parent
SUB-Q,青山变电站,substation,
F-Q1,10kV青山一回线,feeder,SUB-Q
B-Q1,青山一回线1号分支,branch,F-Q1
T-Q1,青山1号台区,transformer,B-Q1
T-Q2,青山2号台区,transformer,B-Q1
T-Q3,青山3号台区,transformer,B-Q1
T-Q4,青山4号台区,transformer,B-Q1
B-Q2,青山一回线2号分支,branch,F-Q1
T-Q5,青山5号台区,transformer,B-Q2
"""


@pytest.fixture
def area(cast: Cast) -> dict[str, list[Customer]]:
    load_grid(BRANCH)
    people: dict[str, list[Customer]] = {}
    for t in range(1, 6):
        people[f"T-Q{t}"] = [
            Customer.objects.create(
                account_number=f"53{t:02d}{i:06d}",
                name=f"青山用户{t}-{i}",
                phone=f"1360{t:02d}{i:05d}",
                address=f"青山镇{t}组{i}号",
                district="城关街道",
                area_class="urban",
                substation="青山变电站",
                feeder="10kV青山一回线",
                transformer=f"T-Q{t}",
                category="resident",
                voltage_kv=Decimal("0.4"),
            )
            for i in range(5)
        ]
    return people


def _call(api: Client, customer: Customer) -> dict[str, object]:
    body = {
        "request_type": "repair",
        "channel": "ivr",
        "description": "家里停电了",
        "customer_account": customer.account_number,
    }
    answer = api.post("/api/orders", json.dumps(body), content_type="application/json")
    assert answer.status_code in (200, 201), answer.content
    result: dict[str, object] = answer.json()
    return result


def test_twelve_calls_from_three_of_four_transformers_are_one_incident_on_the_branch(
    cast: Cast, area: dict[str, list[Customer]], token_client: ApiFor, freeze: Freeze
) -> None:
    freeze("2026-03-10 20:00")
    ivr = token_client(cast.ivr)
    outcomes = []
    for i in range(4):
        for t in ("T-Q1", "T-Q2", "T-Q3"):
            freeze(f"2026-03-10 20:{i * 3 + int(t[-1]):02d}")
            outcomes.append(_call(ivr, area[t][i])["outcome"])
    assert outcomes[:3] == ["created", "created", "created"]
    assert outcomes[-1] == "grouped"
    [incident] = FaultIncident.objects.filter(state="open")
    assert incident.element.code == "B-Q1"
    assert incident.predicted
    assert incident.call_count == 12
    master = incident.master
    calls = WorkOrder.objects.filter(parent=master)
    assert calls.count() == 11
    assert set(calls.values_list("state", flat=True)) == {"linked"}
    assert WorkOrder.objects.filter(closed_at__isnull=True).count() == 1  # one order to work
    merged = FaultIncident.objects.filter(state="merged")
    assert merged.count() == 2
    assert all(m.merged_into_id == incident.pk for m in merged)
    # One dispatch for the fault, not twelve.
    services.dispatch_order(actor=cast.agent, number=master.number, department_code="KHZX")
    assert OrderEvent.objects.filter(kind="dispatched").count() == 1
    # The fifth customer of the branch hears of it before a crew is sent.
    [known] = check(customer=area["T-Q4"][0]).faults
    assert known.incident == incident
    assert master.number in known.say
    # A call from the other branch is a fault of its own.
    assert _call(ivr, area["T-Q5"][0])["outcome"] == "created"


def test_a_confirmed_incident_does_not_move(
    cast: Cast, area: dict[str, list[Customer]], token_client: ApiFor, freeze: Freeze
) -> None:
    freeze("2026-03-10 20:00")
    ivr = token_client(cast.ivr)
    _call(ivr, area["T-Q1"][0])
    _call(ivr, area["T-Q1"][1])
    first = FaultIncident.objects.get()
    assert (first.element.code, first.predicted) == ("T-Q1", True)
    incidents.confirm_incident(actor=cast.leader, number=first.number, note="配变烧毁")
    _call(ivr, area["T-Q2"][0])
    _call(ivr, area["T-Q2"][1])  # two of four transformers out: the branch, but not this one
    first.refresh_from_db()
    assert (first.element.code, first.state) == ("T-Q1", "open")
    second = FaultIncident.objects.exclude(pk=first.pk).get()
    assert (second.element.code, second.state, second.call_count) == ("B-Q1", "open", 2)
    event = IncidentEvent.objects.get(incident=first, kind="confirmed")
    assert event.actor == cast.leader


def test_calls_after_the_window_open_a_new_incident(
    cast: Cast, area: dict[str, list[Customer]], token_client: ApiFor, freeze: Freeze
) -> None:
    freeze("2026-03-10 08:00")
    ivr = token_client(cast.ivr)
    _call(ivr, area["T-Q1"][0])
    freeze("2026-03-10 10:01")  # the county policy's window: 120 minutes
    assert _call(ivr, area["T-Q1"][1])["outcome"] == "created"
    assert FaultIncident.objects.filter(state="open").count() == 2


def test_restoring_the_master_restores_every_call_and_samples_their_callbacks(
    cast: Cast, area: dict[str, list[Customer]], token_client: ApiFor, freeze: Freeze
) -> None:
    freeze("2026-03-10 20:00")
    ivr = token_client(cast.ivr)
    for t in ("T-Q1", "T-Q2", "T-Q1", "T-Q2", "T-Q3"):
        _call(ivr, area[t][len(WorkOrder.objects.filter(customer__transformer=t))])
    incident = FaultIncident.objects.get(state="open")
    master = incident.master
    crew = cast.crew_khzx
    services.dispatch_order(actor=cast.agent, number=master.number, department_code="KHZX")
    services.acknowledge_order(actor=crew, number=master.number)
    services.arrive(actor=crew, number=master.number)
    services.report_on_site(actor=crew, number=master.number, findings="分支线熔断器熔断")
    freeze("2026-03-10 21:30")
    services.restore_supply(**RESTORED, actor=crew, number=master.number)
    incident.refresh_from_db()
    assert incident.state == "restored"
    assert incident.restored_at is not None
    calls = WorkOrder.objects.filter(parent=master)
    restored = OrderEvent.objects.filter(kind="incident_restored", order__in=calls)
    assert restored.count() == calls.count() == 4
    services.reply_order(actor=crew, number=master.number, result="已更换熔断器,恢复供电")
    services.approve_order(actor=cast.leader, number=master.number)
    tasks = CallbackTask.objects.filter(incident=master)
    assert {t.transformer for t in tasks} == {"T-Q1", "T-Q2", "T-Q3"}  # every transformer
    assert not check(customer=area["T-Q1"][0]).faults


def test_a_customer_the_grid_does_not_know_is_an_order_of_its_own(
    cast: Cast, area: dict[str, list[Customer]], token_client: ApiFor
) -> None:
    ivr = token_client(cast.ivr)
    assert _call(ivr, cast.urban)["outcome"] == "created"  # 城关1-1号台区 is not in this grid
    assert not FaultIncident.objects.exists()
    assert GridElement.objects.filter(code="城关1-1号台区").count() == 0
