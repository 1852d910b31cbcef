"""Endpoints for supervision: overdue stages, urge history, the callback queue, handovers and
the messages the sweep leaves for people."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from django.test import Client

from kefu.accounts.models import User
from kefu.callbacks.models import CallbackTask
from kefu.contact.models import Handover
from kefu.supervision.sweep import sweep
from kefu.tickets import services
from tests.conftest import Cast, bj
from tests.flows import accept, dispatch

Freeze = Callable[[str | dt.datetime], dt.datetime]
ApiFor = Callable[[User], Client]


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json")


def test_overdue_and_urge_history(cast: Cast, token_client: ApiFor, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    repair = dispatch(cast, accept(cast, "repair"))  # KHZX arrival due 09:45
    other = dispatch(cast, accept(cast, "complaint", cast.rural, topic="billing"))  # YXB
    freeze("2026-03-10 10:00")
    sweep()
    leader = token_client(cast.leader)
    rows = leader.get("/api/supervision/overdue").json()
    # The return window ended too, but it is a permission: never overdue, never urged.
    assert [(r["number"], r["clock"], r["department"]) for r in rows] == [
        (repair.number, "arrival", "KHZX"),
    ]
    assert rows[0]["overdue_minutes"] == 15
    assert [r["level"] for r in rows] == ["urge"]
    # A handler sees only their own department's overdue stages.
    assert token_client(cast.yxb).get("/api/supervision/overdue").json() == []
    assert len(token_client(cast.crew_khzx).get("/api/supervision/overdue").json()) == 1
    history = leader.get("/api/supervision/urges", {"order": repair.number}).json()
    assert {(h["clock"], h["level"]) for h in history} == {
        ("arrival", "pre_warning"),
        ("arrival", "urge"),
    }
    assert (
        token_client(cast.yxb).get("/api/supervision/urges", {"order": repair.number}).json() == []
    )
    assert other.number not in {h["number"] for h in history}
    inbox = token_client(cast.crew_khzx).get("/api/messages/inbox").json()
    assert {m["kind"] for m in inbox} == {"urge"}


def test_callback_queue_through_the_api(cast: Cast, token_client: ApiFor, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    order = dispatch(cast, accept(cast, "complaint", topic="billing"))
    services.acknowledge_order(actor=cast.yxb, number=order.number)
    services.reply_order(actor=cast.yxb, number=order.number, result="已退费")
    services.approve_order(actor=cast.leader, number=order.number)
    agent = token_client(cast.agent)
    queue = agent.get("/api/callbacks").json()
    assert [(q["number"], q["phone"]) for q in queue] == [(order.number, cast.urban.phone)]
    assert token_client(cast.yxb).get("/api/callbacks").status_code == 403
    task_id = queue[0]["id"]
    bad = post(agent, f"/api/callbacks/{task_id}", {"reached": True, "satisfaction": "great"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "satisfaction"
    freeze("2026-03-10 18:30")
    done = post(agent, f"/api/callbacks/{task_id}", {"reached": True, "satisfaction": "satisfied"})
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "done"
    assert agent.get("/api/callbacks").json() == []
    assert post(agent, f"/api/callbacks/{task_id}", {"reached": False}).status_code == 409
    assert post(agent, "/api/callbacks/999999", {"reached": False}).status_code == 404
    assert CallbackTask.objects.get(pk=task_id).completed_by == cast.agent


def test_a_shift_is_handed_over_and_taken_over(
    cast: Cast, token_client: ApiFor, freeze: Freeze
) -> None:
    freeze("2026-03-10 08:00")
    due_soon = accept(cast, "complaint")  # dispatch due 08:30
    freeze("2026-03-10 09:00")
    overdue = accept(cast, "repair")  # dispatch due 09:05
    freeze("2026-03-10 09:10")
    sweep()
    freeze("2026-03-10 16:00")
    outgoing = token_client(cast.leader)
    signed = post(
        outgoing,
        "/api/handovers",
        {"shift_start": "2026-03-10T08:00:00+08:00", "notes": "城关停电已恢复"},
    )
    assert signed.status_code == 201, signed.json()
    body = signed.json()
    snapshot = body["snapshot"]
    assert {o["number"] for o in snapshot["open_orders"]} == {due_soon.number, overdue.number}
    assert {o["number"] for o in snapshot["overdue"]} == {due_soon.number, overdue.number}
    assert {u["order"] for u in snapshot["urges_sent"]} == {due_soon.number, overdue.number}
    assert body["incoming_leader"] is None
    incoming_user = User.objects.create(
        username="leader2", role="shift_leader", department=cast.leader.department
    )
    incoming = token_client(incoming_user)
    assert post(outgoing, f"/api/handovers/{body['id']}/acknowledge", {}).status_code == 409
    assert (
        post(token_client(cast.agent), f"/api/handovers/{body['id']}/acknowledge", {}).status_code
        == 403
    )
    taken = post(incoming, f"/api/handovers/{body['id']}/acknowledge", {"note": "已接班"})
    assert taken.status_code == 200
    assert taken.json()["incoming_leader"] == "leader2"
    assert post(incoming, f"/api/handovers/{body['id']}/acknowledge", {}).status_code == 409
    handover = Handover.objects.get(pk=body["id"])
    assert handover.acknowledged_at == bj("2026-03-10 16:00")
    assert [h["id"] for h in token_client(cast.supervisor).get("/api/handovers").json()] == [
        body["id"]
    ]
    future = post(outgoing, "/api/handovers", {"shift_start": "2026-03-10T17:00:00+08:00"})
    assert future.status_code == 422


def test_the_callback_api_hides_a_reports_informant(cast: Cast, token_client: ApiFor) -> None:
    report = dispatch(cast, accept(cast, "report", cast.rural))
    services.acknowledge_order(actor=cast.zgb, number=report.number)
    services.reply_order(actor=cast.zgb, number=report.number, result="已查实")
    services.approve_order(actor=cast.leader, number=report.number)
    assert [t["phone"] for t in token_client(cast.agent2).get("/api/callbacks").json()] == ["***"]
    assert [t["phone"] for t in token_client(cast.agent).get("/api/callbacks").json()] == [
        cast.rural.phone
    ]
