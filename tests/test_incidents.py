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
from kefu.core.errors import InvalidInput, PermissionDenied
from kefu.customers.models import Customer
from kefu.outages import incidents, notifications
from kefu.outages.check import check
from kefu.outages.models import CustomerNotification, FaultIncident, GridElement, IncidentEvent
from kefu.outbox.models import Message
from kefu.tickets import services
from kefu.tickets.models import Clock, OrderEvent, WorkOrder
from tests.conftest import Cast, bj
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


def test_the_dispatcher_splits_off_the_calls_under_another_element(
    cast: Cast, area: dict[str, list[Customer]], token_client: ApiFor, freeze: Freeze
) -> None:
    freeze("2026-03-10 20:00")
    ivr = token_client(cast.ivr)
    first = _call(ivr, area["T-Q1"][0])["order"]["number"]  # type: ignore[index]
    _call(ivr, area["T-Q1"][1])
    _call(ivr, area["T-Q2"][0])
    _call(ivr, area["T-Q2"][1])  # two of four transformers: predicted on the branch
    [incident] = FaultIncident.objects.filter(state="open")
    assert (incident.element.code, incident.call_count) == ("B-Q1", 4)
    api = token_client(cast.agent)
    freeze("2026-03-10 20:20")
    # The crew finds T-Q2's fuse blown, a fault of its own: its calls leave the incident.
    answer = api.post(
        f"/api/incidents/{incident.number}/split",
        json.dumps({"element": "T-Q2", "note": "2号台区熔丝单独熔断"}),
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    split = FaultIncident.objects.get(number=answer.json()["number"])
    incident.refresh_from_db()
    assert (incident.element.code, incident.call_count, incident.confirmed) == ("B-Q1", 2, True)
    assert (split.element.code, split.call_count, split.confirmed) == ("T-Q2", 2, True)
    new_master = split.master
    assert (new_master.state, new_master.parent_id, new_master.closed_at) == (
        "accepted",
        None,
        None,
    )
    assert new_master.customer == area["T-Q2"][0]
    assert WorkOrder.objects.get(parent=new_master).customer == area["T-Q2"][1]
    assert incident.master.number == first
    assert set(WorkOrder.objects.filter(parent=incident.master).values_list("customer", flat=True))
    assert WorkOrder.objects.get(number=first).call_count == 1
    # The new master waits for its own dispatch, on its own clock from the split.
    dispatch_clock = Clock.objects.get(order=new_master, kind="dispatch", status="open")
    assert dispatch_clock.started_at == bj("2026-03-10 20:20")
    assert new_master.suggested_department is not None
    assert OrderEvent.objects.get(order=new_master, kind="split_off").actor == cast.agent
    assert IncidentEvent.objects.get(incident=incident, kind="split").new["into"] == split.number
    # A new call from T-Q2 joins the split fault; one from T-Q1 the first; the rule moves
    # neither (both were the dispatcher's word).
    freeze("2026-03-10 20:30")
    _call(ivr, area["T-Q2"][2])
    _call(ivr, area["T-Q1"][2])
    split.refresh_from_db()
    incident.refresh_from_db()
    assert (split.call_count, incident.call_count) == (3, 3)
    assert (split.element.code, incident.element.code) == ("T-Q2", "B-Q1")


def test_a_split_that_takes_nothing_or_everything_is_refused(
    cast: Cast, area: dict[str, list[Customer]], token_client: ApiFor, freeze: Freeze
) -> None:
    freeze("2026-03-10 20:00")
    ivr = token_client(cast.ivr)
    _call(ivr, area["T-Q1"][0])
    _call(ivr, area["T-Q1"][1])
    incident = FaultIncident.objects.get()
    with pytest.raises(InvalidInput, match="none of the calls"):
        incidents.split_incident(actor=cast.agent, number=incident.number, element="T-Q5")
    with pytest.raises(InvalidInput, match="move it there instead"):
        incidents.split_incident(actor=cast.agent, number=incident.number, element="B-Q1")
    with pytest.raises(InvalidInput):
        incidents.split_incident(actor=cast.agent, number=incident.number, element="NOPE")
    with pytest.raises(PermissionDenied):
        incidents.split_incident(actor=cast.crew_khzx, number=incident.number, element="T-Q1")
    assert FaultIncident.objects.count() == 1
    assert WorkOrder.objects.filter(state="linked").count() == 1


def test_the_callers_get_the_apology_and_the_arrangement_by_sms(
    cast: Cast, area: dict[str, list[Customer]], token_client: ApiFor, freeze: Freeze
) -> None:
    freeze("2026-03-10 20:00")
    ivr = token_client(cast.ivr)
    for customer in (area["T-Q1"][0], area["T-Q1"][1], area["T-Q1"][0]):  # one calls twice
        _call(ivr, customer)
    incident = FaultIncident.objects.get()
    master = incident.master
    crew = cast.crew_khzx
    services.dispatch_order(actor=cast.agent, number=master.number, department_code="KHZX")
    services.acknowledge_order(actor=crew, number=master.number)
    services.arrive(actor=crew, number=master.number)
    services.report_on_site(
        actor=crew,
        number=master.number,
        findings="配变高压熔丝熔断",
        expected_restoration=bj("2026-03-10 22:30"),
    )
    api = token_client(cast.leader)
    told = api.post(
        f"/api/incidents/{incident.number}/tell-callers", "{}", content_type="application/json"
    )
    assert told.status_code == 200, told.content
    assert told.json() == {"sent": 2}  # two callers, each once
    sms = list(Message.objects.filter(kind="incident_callers").order_by("id"))
    assert {m.address for m in sms} == {area["T-Q1"][0].phone, area["T-Q1"][1].phone}
    assert "2026-03-10 22:30" in sms[0].body
    assert "歉意" in sms[0].body or "谅解" in sms[0].body  # the apology, in Chinese
    assert {m.order_id for m in sms} <= set(
        WorkOrder.objects.filter(customer__transformer="T-Q1").values_list("pk", flat=True)
    )
    rows = CustomerNotification.objects.filter(incident=incident, reason="apology")
    assert rows.count() == 2
    event = IncidentEvent.objects.get(incident=incident, kind="callers_told")
    assert (event.actor, event.new["phones"]) == (cast.leader, 2)
    long = api.post(
        f"/api/incidents/{incident.number}/tell-callers",
        json.dumps({"text": "长" * 501}),
        content_type="application/json",
    )
    assert long.status_code == 422
    assert Message.objects.filter(kind="incident_callers").count() == 2


def test_confirming_a_fault_tells_the_customers_under_it_key_customers_first(
    cast: Cast, area: dict[str, list[Customer]], token_client: ApiFor, freeze: Freeze
) -> None:
    freeze("2026-03-10 20:00")
    key = area["T-Q1"][4]
    Customer.objects.filter(pk=key.pk).update(
        important_class="first", outage_contact_name="钱主任", outage_contact_phone="13311112222"
    )
    ivr = token_client(cast.ivr)
    _call(ivr, area["T-Q1"][0])
    incident = FaultIncident.objects.get()
    incidents.confirm_incident(actor=cast.leader, number=incident.number, note="配变烧毁")
    sms = list(Message.objects.filter(kind="outage_notice").order_by("id"))
    assert len(sms) == 5  # the transformer's five customers
    assert (sms[0].to_customer_id, sms[0].address) == (key.pk, "13311112222")
    assert "青山1号台区" in sms[0].body
    [call] = notifications.calls_to_make()
    assert (call.customer_id, call.incident_id, call.notice_id) == (key.pk, incident.pk, None)
    assert IncidentEvent.objects.get(kind="confirmed").new["customers_told"] == 5
    page = Client()
    page.force_login(cast.agent)
    shown = page.get(f"/customers/{key.account_number}/").content.decode()
    assert incident.number in shown
    assert "13311112222" in shown


def test_the_incident_pages_show_the_fault_and_let_the_dispatcher_act(
    cast: Cast, area: dict[str, list[Customer]], token_client: ApiFor, freeze: Freeze
) -> None:
    freeze("2026-03-10 20:00")
    ivr = token_client(cast.ivr)
    for t in ("T-Q1", "T-Q1", "T-Q2", "T-Q2"):
        _call(ivr, area[t][len(WorkOrder.objects.filter(customer__transformer=t))])
    incident = FaultIncident.objects.get(state="open")
    desk = Client()
    desk.force_login(cast.leader)
    # On the board the fault is one row, its master's, with the calls counted.
    board = desk.get("/board/").content.decode()
    rows = [row for row in board.split("<tr") if 'data-key="20' in row]
    assert len(rows) == 1
    assert incident.master.number in rows[0]
    assert f"/incidents/{incident.number}/" in rows[0]
    assert "关联来电 3 次" in rows[0]
    listed = desk.get("/incidents/").content.decode()
    assert incident.number in listed
    assert "青山一回线1号分支" in listed
    page = desk.get(f"/incidents/{incident.number}/").content.decode()
    for call in WorkOrder.objects.filter(customer__transformer__in=["T-Q1", "T-Q2"]):
        assert call.number in page
    assert 'value="T-Q2"' in page  # a place to split off or move to
    moved = desk.post(f"/incidents/{incident.number}/confirm/", {"element": "F-Q1"})
    assert moved.status_code == 302
    incident.refresh_from_db()
    assert (incident.element.code, incident.confirmed) == ("F-Q1", True)
    split = desk.post(f"/incidents/{incident.number}/split/", {"element": "T-Q2"})
    assert split.status_code == 302
    assert FaultIncident.objects.filter(state="open").count() == 2
    refused = desk.post(f"/incidents/{incident.number}/split/", {"element": "T-Q5"})
    assert refused.status_code == 422
    told = desk.post(f"/incidents/{incident.number}/tell-callers/", {"text": "抱歉,正在抢修"})
    assert told.status_code == 302
    assert Message.objects.filter(kind="incident_callers", body="抱歉,正在抢修").count() == 2
    crew = Client()
    crew.force_login(cast.crew_khzx)
    assert crew.post(f"/incidents/{incident.number}/confirm/", {}).status_code == 403
    seen = crew.get(f"/incidents/{incident.number}/").content.decode()
    assert "tell-callers" not in seen  # a crew reads the fault, the center acts on it
