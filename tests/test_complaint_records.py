"""The records a complaint's analysis needs (domain.md, "Records the sources ask for"): the
object, cause, demand and preferred callback method as fields, co-handling units, and the
interim reply when the investigation cannot finish in time — each an event with actor and
time, refused with a clear answer when wrong, on the API and on the order page."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from kefu.core.errors import IllegalTransition, InvalidInput, NotFound
from kefu.tickets import services
from kefu.tickets.models import OrderEvent, WorkOrder
from tests.conftest import Cast
from tests.flows import accept, dispatch

pytestmark = pytest.mark.django_db


def test_the_record_is_kept_and_each_change_is_an_event(cast: Cast) -> None:
    order = accept(cast, "complaint", topic="billing")
    record = services.ComplaintRecord(
        complaint_object="抄表员王某",
        complaint_cause="估抄电量",
        customer_demand="退还多收电费并道歉",
        callback_method="sms",
        co_handlers=("YXB", "DDZX", "YXB"),
    )
    services.record_complaint(actor=cast.agent, number=order.number, record=record)
    order.refresh_from_db()
    assert (order.complaint_object, order.callback_method) == ("抄表员王某", "sms")
    assert order.co_handler_codes == ["DDZX", "YXB"]
    event = OrderEvent.objects.filter(order=order, kind="complaint_recorded").get()
    assert event.actor == cast.agent
    assert event.new["co_handlers"] == ["DDZX", "YXB"]
    assert event.old["complaint_object"] == ""
    # Said again the same: refused, nothing written. A cause found later: only it changes.
    with pytest.raises(InvalidInput):
        services.record_complaint(actor=cast.agent, number=order.number, record=record)
    dispatch(cast, order, "YXB")
    later = services.ComplaintRecord(**{**record.__dict__, "complaint_cause": "表计故障"})
    services.record_complaint(actor=cast.yxb, number=order.number, record=later)
    last = OrderEvent.objects.filter(order=order, kind="complaint_recorded").latest("id")
    assert last.old == {"state": "dispatched", "complaint_cause": "估抄电量"}
    assert last.new == {"state": "dispatched", "complaint_cause": "表计故障"}
    # Bad input: a callback method not on the list, a unit that is not one.
    with pytest.raises(InvalidInput):
        services.record_complaint(
            actor=cast.agent,
            number=order.number,
            record=services.ComplaintRecord(callback_method="pigeon"),
        )
    with pytest.raises(InvalidInput):
        services.record_complaint(
            actor=cast.agent,
            number=order.number,
            record=services.ComplaintRecord(co_handlers=("NOPE",)),
        )
    # Another department's handler does not even see it; a repair has no complaint record.
    with pytest.raises(NotFound):
        services.record_complaint(actor=cast.zgb, number=order.number, record=later)
    repair = accept(cast, "repair")
    with pytest.raises(IllegalTransition):
        services.record_complaint(actor=cast.agent, number=repair.number, record=record)


def test_an_interim_reply_while_the_department_looks_into_it(cast: Cast) -> None:
    order = accept(cast, "complaint", topic="billing")
    with pytest.raises(IllegalTransition):  # not dispatched yet: nothing to report on
        services.interim_reply(actor=cast.agent, number=order.number, reply="正在核实")
    dispatch(cast, order, "YXB")
    with pytest.raises(InvalidInput):
        services.interim_reply(actor=cast.yxb, number=order.number, reply="  ")
    services.interim_reply(actor=cast.yxb, number=order.number, reply="正在核实，三日内答复")
    event = OrderEvent.objects.filter(order=order, kind="interim_replied").get()
    assert (event.note, event.new["holder"], event.actor) == (
        "正在核实，三日内答复",
        "YXB",
        cast.yxb,
    )
    assert WorkOrder.objects.get(pk=order.pk).state == "dispatched"


def test_the_record_through_the_api_and_the_order_page(cast: Cast, token_client: object) -> None:
    order = accept(cast, "complaint", topic="billing")
    api = token_client(cast.agent)  # type: ignore[operator]
    url = f"/api/orders/{order.number}/complaint-record"
    bad = api.post(url, json.dumps({"callback_method": "pigeon"}), content_type="application/json")
    assert bad.status_code == 422
    unit = api.post(url, json.dumps({"co_handlers": ["NOPE"]}), content_type="application/json")
    assert unit.status_code == 422
    assert "NOPE" in unit.json()["detail"]
    done = api.post(
        url,
        json.dumps(
            {"complaint_object": "营业厅", "customer_demand": "道歉", "callback_method": "phone"}
        ),
        content_type="application/json",
    )
    assert done.status_code == 200
    body = done.json()
    assert (body["complaint_object"], body["callback_method"], body["co_handlers"]) == (
        "营业厅",
        "phone",
        [],
    )
    assert api.get(f"/api/orders/{order.number}").json()["customer_demand"] == "道歉"
    page = Client()
    page.force_login(cast.agent)
    html = page.get(f"/orders/{order.number}/").content.decode()
    assert 'id="action-complaint_record"' in html
    assert "营业厅" in html
    posted = page.post(
        f"/orders/{order.number}/complaint_record/",
        {
            "complaint_record-complaint_object": "营业厅",
            "complaint_record-complaint_cause": "排队过久",
            "complaint_record-callback_method": "visit",
            "complaint_record-co_handlers": ["YXB"],
        },
    )
    assert posted.status_code == 302
    html = page.get(f"/orders/{order.number}/").content.decode()
    assert "排队过久" in html
    assert "上门" in html


def test_the_record_given_at_intake_on_the_api_and_the_intake_page(
    cast: Cast, token_client: object
) -> None:
    api = token_client(cast.agent)  # type: ignore[operator]
    complaint = {
        "request_type": "complaint",
        "description": "抄表员估抄，电费翻倍",
        "customer_account": cast.rural.account_number,
        "topic": "billing",
        "complaint_object": "抄表员",
        "complaint_cause": "估抄电量",
        "customer_demand": "核实并退还多收电费",
        "callback_method": "sms",
    }
    made = api.post("/api/orders", json.dumps(complaint), content_type="application/json")
    assert made.status_code == 201, made.content
    number = made.json()["order"]["number"]
    order = WorkOrder.objects.get(number=number)
    assert (order.complaint_object, order.complaint_cause) == ("抄表员", "估抄电量")
    assert (order.customer_demand, order.callback_method) == ("核实并退还多收电费", "sms")
    accepted = OrderEvent.objects.get(order=order, kind="accepted")
    assert accepted.new["complaint_object"] == "抄表员"
    assert accepted.new["callback_method"] == "sms"
    # Refused with the field named, nothing saved: a record on a repair, a method unknown.
    before = WorkOrder.objects.count()
    repair = {
        "request_type": "repair",
        "description": "家中停电",
        "customer_account": cast.urban.account_number,
        "complaint_object": "抢修队",
    }
    refused = api.post("/api/orders", json.dumps(repair), content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "complaint_object"
    assert "投诉" in refused.json()["detail"]
    pigeon = {**complaint, "callback_method": "pigeon", "confirm_new": True}
    unknown = api.post("/api/orders", json.dumps(pigeon), content_type="application/json")
    assert unknown.status_code == 422
    assert WorkOrder.objects.count() == before
    # The intake page: a complaint keeps its record; a repair drops what was typed for one.
    page = Client()
    page.force_login(cast.agent)
    form = {
        "customer_account": cast.remote.account_number,
        "request_type": "complaint",
        "channel": "phone",
        "description": "营业厅排队两小时",
        "topic": "service",
        "complaint_object": "营业厅",
        "callback_method": "visit",
        "confirm_new": "on",
    }
    assert page.post("/intake/", form).status_code == 302
    taken = WorkOrder.objects.get(customer=cast.remote, request_type="complaint")
    assert (taken.complaint_object, taken.callback_method) == ("营业厅", "visit")
    form = {**form, "request_type": "repair", "area_class": "remote", "address": "高山乡"}
    assert page.post("/intake/", form).status_code == 302
    repaired = WorkOrder.objects.get(customer=cast.remote, request_type="repair")
    assert (repaired.complaint_object, repaired.callback_method) == ("", "")


def test_the_records_lengths_and_a_record_given_again_on_an_urge(
    cast: Cast, token_client: object
) -> None:
    api = token_client(cast.agent)  # type: ignore[operator]

    def intake(**extra: object) -> object:
        body = {
            "request_type": "complaint",
            "description": "营业厅排队太久",
            "customer_account": cast.rural.account_number,
            "topic": "service",
            **extra,
        }
        return api.post("/api/orders", json.dumps(body), content_type="application/json")

    # As long as the columns: a 200-character cause and a 500-character demand are kept,
    # one more is refused before anything is written (not a database error).
    too_long = intake(customer_demand="退" * 501)
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"].endswith("customer_demand")
    assert intake(complaint_cause="因" * 201).status_code == 422
    assert WorkOrder.objects.count() == 0
    made = intake(complaint_cause="因" * 200, customer_demand="退" * 500)
    assert made.status_code == 201, made.content
    order = WorkOrder.objects.get()
    assert (len(order.complaint_cause), len(order.customer_demand)) == (200, 500)
    # The same caller calls again about it (an urge, no new order): what they say of the
    # record now is kept on the complaint, the urge's event saying from what.
    again = intake(complaint_object="营业厅柜员", customer_demand="当面道歉", link_to=order.number)
    assert again.status_code == 200, again.content
    assert WorkOrder.objects.count() == 1
    order.refresh_from_db()
    assert (order.urge_count, order.complaint_object, order.customer_demand) == (
        1,
        "营业厅柜员",
        "当面道歉",
    )
    urged = OrderEvent.objects.get(order=order, kind="customer_urged")
    assert urged.new["complaint_object"] == "营业厅柜员"
    assert urged.old["customer_demand"] == "退" * 500
    assert "complaint_cause" not in urged.new  # not said again: kept as it was
