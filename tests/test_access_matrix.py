"""Least privilege over HTTP: every API operation and every page, as every role.

The tables below are written by hand from the README's matrix ("Who may do what"), not
derived from the code's: each role is either let through (whatever the outcome: 2xx, a
redirect, a 409 for a wrong state, a 422) or refused: 401, 403, or 404 for an order that
exists but is not one it may see.
Integrations file and urge orders and ask the IVR's questions, nothing else. The pages and
the API agree where they show the same thing. A department that returned an order keeps
what it saw and nothing after.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from kefu.accounts.models import User
from kefu.accounts.services import create_token
from kefu.assessment.reports import prepare_report
from kefu.assessment.services import prepare_assessment
from kefu.callbacks.models import CallbackTask
from kefu.contact.services import sign_handover
from kefu.customers.models import Customer
from kefu.outages.models import CustomerNotification, FaultIncident
from kefu.outbox.models import MessageChannel
from kefu.outbox.services import queue_message
from kefu.tickets import services
from tests.conftest import Cast, bj
from tests.flows import accept, dispatch, load_grid, published_notice
from tests.scenarios import EXPECTED, ROLES, SCENARIOS, member
from tests.surfaces import (
    ACTION_BODIES,
    CSV_LISTS,
    NOTICE_BODY,
    PAGE_ACTIONS,
    api_operations,
    page_names,
)

Freeze = Callable[[str | dt.datetime], dt.datetime]

EVERYONE = set(ROLES)
PEOPLE = EVERYONE - {"integration"}
CENTER_DESK = {"agent", "shift_leader"}
TALK_TO_CALLERS = {"agent", "shift_leader", "supervisor"}
LEADERS = {"shift_leader", "supervisor", "administrator"}
KEEP_OUTAGES = {"shift_leader", "supervisor"}
ASSESSMENT = {"shift_leader", "supervisor", "assessor"}

#: (method, path) -> roles let through.
API: dict[tuple[str, str], set[str]] = {
    ("GET", "/api/health"): EVERYONE,
    ("POST", "/api/orders"): {"agent", "shift_leader", "integration"},
    ("POST", "/api/orders/preview"): {"agent", "shift_leader", "integration"},
    ("GET", "/api/orders"): PEOPLE,
    ("GET", "/api/orders/{number}"): PEOPLE,
    ("GET", "/api/ivr/orders/{number}"): {"integration"},
    ("GET", "/api/customers"): TALK_TO_CALLERS,
    ("GET", "/api/customers/{account_number}"): TALK_TO_CALLERS,
    ("GET", "/api/supervision/overdue"): PEOPLE - {"administrator"},
    ("GET", "/api/supervision/urges"): PEOPLE - {"administrator"},
    ("GET", "/api/supervision/summary"): PEOPLE - {"administrator"},
    ("GET", "/api/callbacks"): CENTER_DESK,
    ("POST", "/api/callbacks/{task_id}"): CENTER_DESK,
    ("GET", "/api/handovers"): LEADERS,
    ("GET", "/api/handovers/{handover_id}"): LEADERS,
    ("POST", "/api/handovers"): {"shift_leader"},
    ("POST", "/api/handovers/{handover_id}/acknowledge"): {"shift_leader"},
    ("GET", "/api/messages/inbox"): PEOPLE,
    ("GET", "/api/messages/billing-center"): LEADERS,
    ("POST", "/api/messages/{message_id}/acknowledge"): PEOPLE,
    ("GET", "/api/me"): EVERYONE,
    ("GET", "/api/departments"): PEOPLE,
    ("GET", "/api/policy"): PEOPLE,
    ("GET", "/api/calendar/{year}"): PEOPLE,
    ("GET", "/api/alerts"): {"administrator"},
    ("GET", "/api/outages/check"): EVERYONE,
    ("GET", "/api/outages"): PEOPLE,
    ("POST", "/api/outages"): KEEP_OUTAGES,
    ("GET", "/api/outages/{number}"): PEOPLE,
    ("POST", "/api/outages/{number}/publish"): KEEP_OUTAGES,
    ("POST", "/api/outages/{number}/update"): KEEP_OUTAGES,
    ("POST", "/api/outages/{number}/restore"): KEEP_OUTAGES,
    ("POST", "/api/outages/{number}/close"): KEEP_OUTAGES,
    ("GET", "/api/grid/{code}"): PEOPLE,
    ("GET", "/api/ivr/outage"): {"integration"},
    ("GET", "/api/incidents"): PEOPLE,
    ("GET", "/api/incidents/{number}"): PEOPLE,
    ("POST", "/api/incidents/{number}/confirm"): CENTER_DESK,
    ("POST", "/api/incidents/{number}/split"): CENTER_DESK,
    ("POST", "/api/incidents/{number}/tell-callers"): CENTER_DESK,
    ("GET", "/api/assessments"): ASSESSMENT,
    ("POST", "/api/assessments"): {"shift_leader", "supervisor"},
    ("GET", "/api/assessments/{number}"): ASSESSMENT,
    ("POST", "/api/assessments/{number}/sign"): {"assessor"},
    ("GET", "/api/reports"): ASSESSMENT,
    ("POST", "/api/reports"): {"shift_leader", "supervisor"},
    ("GET", "/api/reports/{number}"): ASSESSMENT,
    ("POST", "/api/reports/{number}/follow-up"): {"supervisor"},
    ("POST", "/api/reports/{number}/issue"): {"supervisor"},
}
_SERVICE_ACTION = {a: a.replace("-", "_") for a in ACTION_BODIES}
for _path_action, _action in _SERVICE_ACTION.items():
    API[("POST", f"/api/orders/{{number}}/{_path_action}")] = EXPECTED[_action]

#: page name -> roles let through (GET, or the page's one POST).
PAGES: dict[str, set[str]] = {
    "home": PEOPLE,
    "login": EVERYONE,
    "logout": EVERYONE,
    "profile": PEOPLE,
    "status": CENTER_DESK,
    "intake": CENTER_DESK,
    "intake-customers": CENTER_DESK,
    "intake-customer": CENTER_DESK,
    "intake-preview": CENTER_DESK,
    "board": {"agent", "shift_leader", "supervisor", "assessor"},
    "board-counters": {"agent", "shift_leader", "supervisor", "assessor"},
    "messages": PEOPLE,
    "message-acknowledge": PEOPLE,
    "nav-badges": PEOPLE,
    "crew-step": {"crew"},
    "handover-detail": LEADERS,
    "inbox": {"handler", "crew"},
    "crew": {"crew"},
    "review": {"shift_leader", "supervisor"},
    "callbacks": CENTER_DESK,
    # Whoever answers for a late stage: departments their own, the center its own.
    "late-stages": {"agent", "shift_leader", "supervisor", "handler", "crew"},
    "callback-attempt": CENTER_DESK,
    "handover": LEADERS,
    "order": PEOPLE,
    "customer": TALK_TO_CALLERS,
    "department": PEOPLE,
    "policy": PEOPLE,
    "calendar": PEOPLE,
    "calendar-year": PEOPLE,
    "outages": PEOPLE,
    "outage": PEOPLE,
    "outage-new": KEEP_OUTAGES,
    "outage-action": KEEP_OUTAGES,
    "outage-calls": CENTER_DESK,
    "outage-call": CENTER_DESK,
    "grid-element": PEOPLE,
    "grid-import": {"administrator"},
    "incidents": PEOPLE,
    "incident": PEOPLE,
    "incident-action": CENTER_DESK,
    "outage-import": KEEP_OUTAGES,
    "assessments": ASSESSMENT,
    "assessment": ASSESSMENT,
    "assessment-unit": ASSESSMENT,
    "assessment-export": ASSESSMENT,
    "assessment-sign": {"assessor"},
    "dashboard": ASSESSMENT,
    "reports": ASSESSMENT,
    "report": ASSESSMENT,
    "report-pdf": ASSESSMENT,
    "report-issue": {"supervisor"},
}
# order-action: per action, as on the API.

#: The same thing seen through a page and the API: the same roles.
AGREE = [
    ("order", ("GET", "/api/orders/{number}")),
    ("customer", ("GET", "/api/customers/{account_number}")),
    ("callbacks", ("GET", "/api/callbacks")),
    ("callback-attempt", ("POST", "/api/callbacks/{task_id}")),
    ("handover", ("GET", "/api/handovers")),
    ("handover-detail", ("GET", "/api/handovers/{handover_id}")),
    ("messages", ("GET", "/api/messages/inbox")),
    ("message-acknowledge", ("POST", "/api/messages/{message_id}/acknowledge")),
    ("policy", ("GET", "/api/policy")),
    ("calendar-year", ("GET", "/api/calendar/{year}")),
    ("intake-preview", ("POST", "/api/orders/preview")),
    ("assessments", ("GET", "/api/assessments")),
    ("reports", ("GET", "/api/reports")),
    ("report", ("GET", "/api/reports/{number}")),
]


class _Rollback(Exception):
    pass


def _let_through(status: int) -> bool:
    return status not in (401, 403, 404)


def _accepted_consultation(cast: Cast) -> tuple[str, str]:
    """The API's `answer` answers an accepted consultation (intake's is another service)."""
    return accept(cast, "consultation").number, "KFB"


def _prepare(action: str, cast: Cast) -> tuple[str, str]:
    return _accepted_consultation(cast) if action == "answer" else SCENARIOS[action].prepare(cast)


def _send(client: Client, method: str, path: str, body: Any, *, api: bool) -> int:
    """The status of one request, with whatever it changed undone."""
    status = 0
    try:
        with transaction.atomic():
            if method == "GET":
                status = client.get(path, body or {}).status_code
            elif api:
                payload = json.dumps(body or {})
                status = client.post(path, payload, content_type="application/json").status_code
            else:
                status = client.post(path, body or {}).status_code
            raise _Rollback
    except _Rollback:
        pass
    return status


def _api_client(user: User) -> Client:
    _, secret = create_token(user=user, name="matrix")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _page_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_tables_cover_every_operation_and_page() -> None:
    assert set(API) == api_operations()
    assert set(PAGES) | {"order-action"} == page_names()


def test_pages_and_api_let_the_same_roles_see_the_same_things() -> None:
    for page, operation in AGREE:
        assert PAGES[page] - {"administrator"} <= API[operation], page
        assert API[operation] - {"integration"} <= PAGES[page], page


def _world(cast: Cast) -> dict[str, Any]:
    """One of everything the read operations point at; holders sit in YXB."""
    complaint = dispatch(cast, accept(cast, "complaint", topic="billing"))  # YXB
    approved = accept(cast, "complaint", cast.rural, topic="billing")
    dispatch(cast, approved)
    services.acknowledge_order(actor=cast.yxb, number=approved.number)
    services.reply_order(actor=cast.yxb, number=approved.number, result="已处理")
    services.approve_order(actor=cast.leader, number=approved.number)
    task = CallbackTask.objects.get(incident=approved)
    handover = sign_handover(actor=cast.leader, shift_start=bj("2026-03-10 08:00"))
    repair = accept(cast, "repair", cast.remote)
    services.dispatch_order(
        actor=cast.agent, number=repair.number, department_code="YXB", override_reason="测试"
    )
    load_grid()
    Customer.objects.filter(pk=cast.urban_neighbour.pk).update(important_class="first")
    notice = published_notice(cast, "2026-03-10 08:30")
    fault = accept(cast, "repair", cast.urban_neighbour)  # on the grid: opens an incident
    return {
        "incident": FaultIncident.objects.get(master=fault).number,
        "assessment": prepare_assessment(
            actor=cast.leader, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 10)
        ).number,
        "report": prepare_report(actor=cast.leader, month_text="2026-03").number,
        "notice": notice.number,
        "outage_call": CustomerNotification.objects.get(channel="phone").pk,
        "code": "F-CG1",
        "repair": repair.number,
        "number": complaint.number,
        "task_id": task.pk,
        "handover_id": handover.pk,
        "account_number": cast.urban.account_number,
        "year": 2026,
    }


def _message_to(user: User) -> int:
    """An urge in `user`'s inbox, to acknowledge."""
    return queue_message(channel=MessageChannel.IN_APP, kind="urge", body="催办", to_user=user).pk


def _read_requests(world: dict[str, Any]) -> dict[tuple[str, str], tuple[str, Any]]:
    intake = {
        "request_type": "complaint",
        "description": "电费异常",
        "customer_account": "5100000003",
        "topic": "billing",
        "confirm_new": True,
    }
    filled: dict[tuple[str, str], tuple[str, Any]] = {
        ("POST", "/api/orders"): ("/api/orders", intake),
        ("POST", "/api/orders/preview"): ("/api/orders/preview", intake),
        ("GET", "/api/ivr/orders/{number}"): (
            f"/api/ivr/orders/{world['number']}",
            {"phone": "13900000001"},
        ),
        ("GET", "/api/customers"): ("/api/customers", {"q": "王伟"}),
        ("POST", "/api/callbacks/{task_id}"): (
            f"/api/callbacks/{world['task_id']}",
            {"reached": False},
        ),
        ("POST", "/api/handovers"): (
            "/api/handovers",
            {"shift_start": "2026-03-10T08:30:00+08:00"},
        ),
        ("POST", "/api/handovers/{handover_id}/acknowledge"): (
            f"/api/handovers/{world['handover_id']}/acknowledge",
            {},
        ),
        ("GET", "/api/outages/check"): ("/api/outages/check", {"account": "5100000001"}),
        ("POST", "/api/outages"): ("/api/outages", NOTICE_BODY),
        ("GET", "/api/ivr/outage"): ("/api/ivr/outage", {"phone": "13900000001"}),
    }
    for action in ("publish", "update", "restore", "close"):
        filled[("POST", f"/api/outages/{{number}}/{action}")] = (
            f"/api/outages/{world['notice']}/{action}",
            {},
        )
    filled[("GET", "/api/outages/{number}")] = (f"/api/outages/{world['notice']}", None)
    filled[("GET", "/api/incidents/{number}")] = (f"/api/incidents/{world['incident']}", None)
    filled[("POST", "/api/incidents/{number}/confirm")] = (
        f"/api/incidents/{world['incident']}/confirm",
        {},
    )
    # Splitting off an element the fault's calls are not under: refused (422) for those let
    # through, 401/403 for the others.
    filled[("POST", "/api/incidents/{number}/split")] = (
        f"/api/incidents/{world['incident']}/split",
        {"element": "F-CG2"},
    )
    filled[("POST", "/api/assessments")] = ("/api/assessments", {"month": "2026-02"})
    filled[("POST", "/api/reports")] = ("/api/reports", {"month": "2026-02"})
    filled[("GET", "/api/reports/{number}")] = (f"/api/reports/{world['report']}", None)
    filled[("POST", "/api/reports/{number}/follow-up")] = (
        f"/api/reports/{world['report']}/follow-up",
        {"plan": "下月重点：抄表质量"},
    )
    # Issuing without a plan is refused (422) for the supervisor, 403 for the others.
    filled[("POST", "/api/reports/{number}/issue")] = (f"/api/reports/{world['report']}/issue", {})
    filled[("GET", "/api/assessments/{number}")] = (f"/api/assessments/{world['assessment']}", None)
    filled[("POST", "/api/assessments/{number}/sign")] = (
        f"/api/assessments/{world['assessment']}/sign",
        {},
    )
    filled[("POST", "/api/incidents/{number}/tell-callers")] = (
        f"/api/incidents/{world['incident']}/tell-callers",
        {},
    )
    for method, template in API:
        if (method, template) in filled or "/api/orders/{number}/" in template:
            continue
        if "{message_id}" in template:
            filled[(method, template)] = ("", {})  # per user: see the test
            continue
        filled[(method, template)] = (template.format(**world), None)
    return filled


def test_each_role_reaches_exactly_its_api_operations(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    world = _world(cast)
    freeze("2026-03-10 10:00")
    requests = _read_requests(world)
    seen: dict[tuple[str, str], set[str]] = {op: set() for op in requests}
    for role in ROLES:
        user = member(role, "YXB", tag="api")
        client = _api_client(user)
        mine = f"/api/messages/{_message_to(user)}/acknowledge"
        requests[("POST", "/api/messages/{message_id}/acknowledge")] = (mine, {})
        for (method, template), (path, body) in requests.items():
            if _let_through(_send(client, method, path, body, api=True)):
                seen[(method, template)].add(role)
    assert seen == {op: API[op] for op in requests}


@pytest.mark.parametrize("path_action", sorted(ACTION_BODIES))
def test_each_role_reaches_exactly_its_transitions_over_the_api(
    path_action: str, cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-10 09:00")
    action = _SERVICE_ACTION[path_action]
    number, department = _prepare(action, cast)
    seen = set()
    for role in ROLES:
        client = _api_client(member(role, department, tag="api"))
        path = f"/api/orders/{number}/{path_action}"
        body = {**ACTION_BODIES[path_action], "department": department}
        if path_action != "dispatch":
            body.pop("department")
        if _let_through(_send(client, "POST", path, body, api=True)):
            seen.add(role)
    assert seen == API[("POST", f"/api/orders/{{number}}/{path_action}")]


def _page_requests(world: dict[str, Any], user: User) -> dict[str, tuple[str, str, Any]]:
    form = {"request_type": "complaint", "channel": "phone", "description": "电费异常"}
    return {
        "board-counters": ("GET", "/board/counters/", None),
        "messages": ("GET", "/messages/", None),
        "message-acknowledge": ("POST", f"/messages/{_message_to(user)}/acknowledge/", None),
        "nav-badges": ("GET", "/nav/badges/", None),
        "crew-step": ("POST", f"/crew/{world['repair']}/acknowledge/", None),
        "handover-detail": ("GET", f"/handover/{world['handover_id']}/", None),
        "home": ("GET", "/", None),
        "login": ("GET", "/login/", None),
        "logout": ("POST", "/logout/", None),
        "profile": ("GET", "/profile/", None),
        "status": ("POST", "/status/", {"status": "away"}),
        "intake": ("GET", "/intake/", None),
        "intake-customers": ("GET", "/intake/customers/", {"q": "王伟"}),
        "intake-customer": ("GET", f"/intake/customer/{world['account_number']}/", None),
        "intake-preview": ("POST", "/intake/preview/", form),
        "board": ("GET", "/board/", None),
        "inbox": ("GET", "/inbox/", None),
        "crew": ("GET", "/crew/", None),
        "review": ("GET", "/review/", None),
        "callbacks": ("GET", "/callbacks/", None),
        "late-stages": ("GET", "/late-stages/", None),
        "callback-attempt": ("POST", f"/callbacks/{world['task_id']}/", {"reached": "no"}),
        "handover": ("GET", "/handover/", None),
        "order": ("GET", f"/orders/{world['number']}/", None),
        "customer": ("GET", f"/customers/{world['account_number']}/", None),
        "department": ("GET", "/departments/YXB/", None),
        "policy": ("GET", "/policy/", None),
        "calendar": ("GET", "/calendar/", None),
        "calendar-year": ("GET", "/calendar/2026/", None),
        "outages": ("GET", "/outages/", None),
        "outage": ("GET", f"/outages/{world['notice']}/", None),
        "outage-new": ("GET", "/outages/new/", None),
        "outage-action": ("POST", f"/outages/{world['notice']}/restore/", None),
        "outage-calls": ("GET", "/outages/calls/", None),
        "outage-call": ("POST", f"/outages/calls/{world['outage_call']}/", {"reached": "no"}),
        "grid-element": ("GET", "/grid/F-CG1/", None),
        "grid-import": ("GET", "/grid/import/", None),
        "incidents": ("GET", "/incidents/", None),
        "incident": ("GET", f"/incidents/{world['incident']}/", None),
        "incident-action": ("POST", f"/incidents/{world['incident']}/split/", {"element": "F-CG2"}),
        "outage-import": ("GET", "/outages/import/", None),
        "assessments": ("GET", "/assessment/", None),
        "assessment": ("GET", f"/assessment/{world['assessment']}/", None),
        "assessment-unit": ("GET", f"/assessment/{world['assessment']}/YXB/", None),
        "assessment-export": ("GET", f"/assessment/{world['assessment']}/export.xlsx", None),
        "assessment-sign": ("POST", f"/assessment/{world['assessment']}/sign/", None),
        "dashboard": ("GET", "/dashboard/", None),
        "reports": ("GET", "/reports/", None),
        "report": ("GET", f"/reports/{world['report']}/", None),
        "report-pdf": ("GET", f"/reports/{world['report']}/report.pdf", None),
        "report-issue": ("POST", f"/reports/{world['report']}/issue/", None),
    }


def test_each_role_reaches_exactly_its_pages(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    world = _world(cast)
    freeze("2026-03-10 10:00")
    seen: dict[str, set[str]] = {name: set() for name in PAGES}
    for role in ROLES:
        user = member(role, "YXB", tag="page")
        for name, (method, path, body) in _page_requests(world, user).items():
            if _let_through(_send(_page_client(user), method, path, body, api=False)):
                seen[name].add(role)
    assert seen == PAGES


def test_each_lists_csv_reaches_exactly_the_roles_of_its_page(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    world = _world(cast)
    freeze("2026-03-10 10:00")
    seen: dict[str, set[str]] = {name: set() for name in CSV_LISTS}
    for role in ROLES:
        user = member(role, "YXB", tag="csv")
        requests = _page_requests(world, user)
        for name in CSV_LISTS:
            _method, path, body = requests[name]
            query = {**(body or {}), "format": "csv"}
            if _let_through(_send(_page_client(user), "GET", path, query, api=False)):
                seen[name].add(role)
    assert seen == {name: PAGES[name] for name in CSV_LISTS}


@pytest.mark.parametrize("action", sorted(PAGE_ACTIONS))
def test_each_role_reaches_exactly_its_order_page_actions(
    action: str, cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-10 09:00")
    number, department = _prepare(action, cast)
    form = dict(PAGE_ACTIONS[action])
    if action == "dispatch":
        form["dispatch-department"] = department
    seen = set()
    for role in ROLES:
        client = _page_client(member(role, department, tag="page"))
        if _let_through(_send(client, "POST", f"/orders/{number}/{action}/", form, api=False)):
            seen.add(role)
    assert seen == EXPECTED[action] - {"integration"}  # integrations have no pages


def test_a_former_holder_reads_what_it_saw_and_nothing_after(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    order = dispatch(cast, accept(cast, "complaint", topic="outage"))  # DDZX
    services.return_order(actor=cast.ddzx, number=order.number, reason="非本部门")
    services.dispatch_order(actor=cast.agent, number=order.number, department_code="YXB")
    services.acknowledge_order(actor=cast.yxb, number=order.number)
    services.urge_order(actor=cast.agent, number=order.number, note="客户再次来电")
    services.reply_order(actor=cast.yxb, number=order.number, result="营销部的答复")
    api, page = _api_client(cast.ddzx), _page_client(cast.ddzx)

    seen = api.get(f"/api/orders/{order.number}").json()
    assert (seen["state"], seen["holder"], seen["urge_count"]) == ("returned", None, 0)
    assert [e["kind"] for e in seen["events"]] == ["accepted", "dispatched", "returned"]
    assert {c["department"] for c in seen["clocks"]} == {"DDZX"}
    assert "营销部的答复" not in json.dumps(seen, ensure_ascii=False)
    listed = api.get("/api/orders").json()["items"]
    assert order.number not in {o["number"] for o in listed}
    urges = api.get("/api/supervision/urges").json()
    assert order.number not in {u["number"] for u in urges}

    order_page = page.get(f"/orders/{order.number}/").content.decode()
    assert "营销部的答复" not in order_page
    assert "客户再次来电" not in order_page
    assert order.number not in page.get("/inbox/").content.decode()
    assert order.number not in page.get("/departments/DDZX/").content.decode()
    acted = page.post(f"/orders/{order.number}/reply/", {"reply-result": "再答复"})
    assert acted.status_code == 403
    assert (
        api.post(
            f"/api/orders/{order.number}/reply",
            {"result": "再答复"},
            content_type="application/json",
        ).status_code
        == 403
    )
    # The department now holding it reads everything.
    holder = _api_client(cast.yxb).get(f"/api/orders/{order.number}").json()
    assert holder["state"] == "replied"
    assert "营销部的答复" in json.dumps(holder, ensure_ascii=False)
