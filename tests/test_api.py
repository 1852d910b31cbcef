"""The HTTP API: authentication, intake, reading, listing, transitions, and every bad input
answered with a 4xx that names the field, and nothing partially saved."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from kefu.accounts.models import User
from kefu.tickets.models import Clock, OrderEvent, WorkOrder
from tests.conftest import Cast

Freeze = Callable[[str], dt.datetime]
ApiFor = Callable[[User], Client]


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json")


def counts() -> tuple[int, int, int]:
    return WorkOrder.objects.count(), OrderEvent.objects.count(), Clock.objects.count()


REPAIR = {
    "request_type": "repair",
    "channel": "phone",
    "description": "整栋楼停电",
    "customer_account": "5100000001",
}


def test_health_needs_no_login(client: Client) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_openapi_schema_is_published(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    assert "/api/orders" in schema["paths"]
    assert "/api/orders/{number}/dispatch" in schema["paths"]


def test_without_credentials_the_api_answers_401(cast: Cast, client: Client) -> None:
    response = client.get("/api/orders")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    bad = Client(HTTP_AUTHORIZATION="Bearer kefu_not-a-real-token")
    assert bad.get("/api/orders").status_code == 401


def test_session_login_works_for_the_pages(cast: Cast, client: Client) -> None:
    client.force_login(cast.agent)
    assert client.get("/api/me").json()["role"] == "agent"


def test_intake_then_the_whole_repair_through_the_api(
    cast: Cast, token_client: ApiFor, freeze: Freeze
) -> None:
    freeze("2026-03-10 20:00")
    agent, crew, leader = (
        token_client(cast.agent),
        token_client(cast.crew_khzx),
        token_client(cast.leader),
    )
    created = post(agent, "/api/orders", REPAIR)
    assert created.status_code == 201, created.json()
    order = created.json()["order"]
    number = order["number"]
    assert created.json()["outcome"] == "created"
    assert order["suggested_department"] == "KHZX"
    assert order["caller_name"] == "王伟"
    assert "王伟" in created.content.decode()  # readable UTF-8, not \u escapes
    dispatch_clock = next(c for c in order["clocks"] if c["kind"] == "dispatch")
    assert dispatch_clock["deadline"] == "2026-03-10T12:05:00Z"
    steps: list[tuple[Client, str, dict[str, Any]]] = [
        (agent, "dispatch", {"department": "KHZX"}),
        (crew, "acknowledge", {}),
        (crew, "depart", {"crew_leader": "王师傅", "crew_phone": "13900000001"}),
        (crew, "arrive", {}),
        (crew, "onsite-report", {"findings": "进线烧断"}),
        (crew, "restore", {"fault": "进线烧断", "result": "更换进线"}),
        (crew, "reply", {"result": "已恢复供电"}),
        (leader, "approve", {}),
        (agent, "callback", {"satisfaction": "satisfied"}),
        (agent, "archive", {}),
    ]
    for client, action, body in steps:
        response = post(client, f"/api/orders/{number}/{action}", body)
        assert response.status_code == 200, (action, response.json())
    final = agent.get(f"/api/orders/{number}").json()
    assert final["state"] == "archived"
    assert [e["kind"] for e in final["events"]][-3:] == ["approved", "called_back", "archived"]
    assert final["events"][1]["actor"] == "agent"


def test_duplicate_intake_is_offered_for_linking(cast: Cast, token_client: ApiFor) -> None:
    agent = token_client(cast.agent)
    first = post(agent, "/api/orders", REPAIR).json()["order"]["number"]
    again = post(agent, "/api/orders", REPAIR)
    assert again.status_code == 409
    assert again.json()["code"] == "duplicate_suspected"
    assert again.json()["candidates"] == [first]
    urged = post(agent, "/api/orders", {**REPAIR, "link_to": first})
    assert urged.status_code == 200
    assert urged.json()["outcome"] == "urged"
    assert urged.json()["order"]["urge_count"] == 1
    separate = post(agent, "/api/orders", {**REPAIR, "confirm_new": True})
    assert separate.status_code == 201


def test_ivr_integration_may_create_but_not_dispatch(cast: Cast, token_client: ApiFor) -> None:
    ivr = token_client(cast.ivr)
    assert post(ivr, "/api/orders", REPAIR).status_code == 201
    before = counts()
    refused = post(
        ivr, "/api/orders", {**REPAIR, "customer_account": "5100000003", "dispatch_to": "GDS-TH"}
    )
    assert refused.status_code == 403
    assert counts() == before  # the intake was rolled back with the refused dispatch


def test_preview_shows_department_deadlines_and_duplicates(
    cast: Cast, token_client: ApiFor, freeze: Freeze
) -> None:
    freeze("2026-03-10 20:00")
    agent = token_client(cast.agent)
    preview = post(agent, "/api/orders/preview", REPAIR).json()
    assert preview["suggested_department"] == "KHZX"
    assert {d["clock"]: d["deadline"] for d in preview["deadlines"]} == {
        "dispatch": "2026-03-10T12:05:00Z",
        "return": "2026-03-10T12:05:00Z",
        "arrival": "2026-03-10T12:45:00Z",
    }
    assert preview["duplicates"] == []
    assert counts()[0] == 0


def test_list_filters_and_paginates(cast: Cast, token_client: ApiFor) -> None:
    agent = token_client(cast.agent)
    for account in ("5100000001", "5100000002", "5100000003"):
        post(agent, "/api/orders", {**REPAIR, "customer_account": account})
    post(
        agent,
        "/api/orders",
        {"request_type": "complaint", "description": "态度差", "customer_account": "5100000001"},
    )
    page = agent.get("/api/orders", {"request_type": "repair", "limit": 2}).json()
    assert page["count"] == 3
    assert len(page["items"]) == 2
    assert agent.get("/api/orders", {"customer": "5100000001"}).json()["count"] == 2
    assert agent.get("/api/orders", {"state": "dispatched"}).json()["count"] == 0
    assert agent.get("/api/orders", {"q": "态度"}).json()["count"] == 1


def test_customer_lookup_by_number_phone_name_and_address(cast: Cast, token_client: ApiFor) -> None:
    agent = token_client(cast.agent)
    assert [
        c["name"] for c in agent.get("/api/customers", {"q": "5100000003"}).json()["items"]
    ] == ["张秀英"]
    assert (
        agent.get("/api/customers", {"q": cast.remote.phone}).json()["items"][0]["account_number"]
        == "5100000004"
    )
    assert [
        c["account_number"] for c in agent.get("/api/customers", {"q": "秀英"}).json()["items"]
    ] == ["5100000003"]
    assert len(agent.get("/api/customers", {"q": "城关街道"}).json()["items"]) == 2
    profile = agent.get("/api/customers/5100000001").json()
    assert profile["name"] == "王伟"
    assert profile["open_orders"] == []
    assert agent.get("/api/customers/9999999999").status_code == 404


BAD_INTAKES: list[tuple[str, Any, str]] = [
    (
        "missing description",
        {"request_type": "repair", "customer_account": "5100000001"},
        "description",
    ),
    ("unknown type", {**REPAIR, "request_type": "weather"}, "request_type"),
    ("wrong type", {**REPAIR, "anonymous": "maybe"}, "anonymous"),
    ("unknown customer", {**REPAIR, "customer_account": "0000000000"}, "customer_account"),
    ("oversized text", {**REPAIR, "description": "停" * 2001}, "description"),
    ("control characters", {**REPAIR, "description": "停电\x00"}, "description"),
    ("naive time", {**REPAIR, "accepted_at": "2026-03-10T08:00:00"}, "accepted_at"),
    ("future time", {**REPAIR, "accepted_at": "2099-01-01T00:00:00+08:00"}, "accepted_at"),
    ("absurd time", {**REPAIR, "accepted_at": "0001-01-01T00:00:00+14:00"}, "accepted_at"),
    ("no way to call back", {"request_type": "complaint", "description": "x"}, "caller_phone"),
    (
        "repair without address",
        {"request_type": "repair", "description": "x", "caller_phone": "13800000000"},
        "address",
    ),
    (
        "anonymous repair",
        {
            "request_type": "repair",
            "description": "x",
            "anonymous": True,
            "address": "某地",
            "area_class": "urban",
        },
        "anonymous",
    ),
    (
        "application without scheme",
        {"request_type": "application", "description": "x", "customer_account": "5100000001"},
        "supply_scheme",
    ),
    ("voltage out of range", {**REPAIR, "voltage_kv": 5000}, "voltage_kv"),
    ("unknown department", {**REPAIR, "dispatch_to": "NOPE"}, "department"),
    ("link to nothing", {**REPAIR, "link_to": "2026031000999"}, "number"),
    ("not an object", [1, 2, 3], "body"),
]


@pytest.mark.parametrize(("why", "body", "field"), BAD_INTAKES, ids=[b[0] for b in BAD_INTAKES])
def test_bad_intake_is_a_4xx_naming_the_field_and_saves_nothing(
    why: str, body: Any, field: str, cast: Cast, token_client: ApiFor
) -> None:
    agent = token_client(cast.agent)
    before = counts()
    response = post(agent, "/api/orders", body)
    assert 400 <= response.status_code < 500, response.content
    payload = response.json()
    assert payload["detail"]
    assert field in {e["field"] for e in payload["errors"]}, payload
    assert counts() == before


def test_malformed_json_is_a_400_or_422(cast: Cast, token_client: ApiFor) -> None:
    agent = token_client(cast.agent)
    response = agent.post("/api/orders", data="{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.json()["detail"]
    assert counts()[0] == 0


def test_oversized_body_is_refused(cast: Cast, token_client: ApiFor) -> None:
    agent = token_client(cast.agent)
    response = agent.post(
        "/api/orders",
        data=json.dumps({**REPAIR, "x": "a" * 400_000}),
        content_type="application/json",
    )
    assert response.status_code in (400, 413)
    assert counts()[0] == 0


def test_transition_errors_name_the_problem(
    cast: Cast, token_client: ApiFor, freeze: Freeze
) -> None:
    freeze("2026-03-10 09:00")
    agent, crew = token_client(cast.agent), token_client(cast.crew_khzx)
    number = post(agent, "/api/orders", REPAIR).json()["order"]["number"]
    before = counts()
    cases: list[tuple[Client, str, dict[str, Any], int, str]] = [
        (crew, "acknowledge", {}, 404, "number"),  # not the crew's order yet
        (agent, "acknowledge", {}, 403, "None"),
        (agent, "approve", {}, 403, "None"),
        (agent, "dispatch", {}, 422, "department"),
        (
            agent,
            "dispatch",
            {"department": "KHZX", "occurred_at": "2026-03-10T10:00:00+08:00"},
            422,
            "occurred_at",
        ),
        (
            agent,
            "dispatch",
            {"department": "KHZX", "occurred_at": "2026-03-10T08:00:00+08:00"},
            422,
            "occurred_at",
        ),
        (agent, "dispatch", {"department": "KHZX", "version": 99}, 409, "version"),
        (agent, "cancel", {"reason": ""}, 422, "reason"),
        (agent, "callback", {"satisfaction": "ecstatic"}, 422, "satisfaction"),
        (agent, "teleport", {}, 404, "None"),
    ]
    for client, action, body, status, field in cases:
        response = post(client, f"/api/orders/{number}/{action}", body)
        assert response.status_code == status, (action, body, response.content)
        if field != "None":
            assert field in {e["field"] for e in response.json()["errors"]}, (action, body)
    assert counts() == before
    leader = token_client(cast.leader)
    illegal = post(leader, f"/api/orders/{number}/approve", {})
    assert illegal.status_code == 409
    assert illegal.json()["code"] == "illegal_transition"
    # In Chinese unless the client asks otherwise; the code is what programs read.
    assert illegal.json()["detail"] == "故障报修工单处于“已受理”状态，不能审核通过"
    english = leader.post(
        f"/api/orders/{number}/approve",
        "{}",
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert english.json()["detail"] == (
        "Approve is not possible for a Repair order that is Accepted"
    )


def test_unknown_order_number_is_a_404_or_422(cast: Cast, token_client: ApiFor) -> None:
    agent = token_client(cast.agent)
    assert agent.get("/api/orders/2026031099999").status_code == 404
    assert agent.get("/api/orders/not-a-number").status_code == 422


def test_listing_costs_the_same_few_queries_for_any_page_size(
    cast: Cast, token_client: ApiFor, django_assert_max_num_queries: Any
) -> None:
    agent = token_client(cast.agent)
    for index in range(30):
        post(agent, "/api/orders", {**REPAIR, "confirm_new": True, "description": f"停电{index}"})
    # token, count, page of orders with relations, their clocks with departments
    with django_assert_max_num_queries(5):
        page = agent.get("/api/orders", {"limit": 30}).json()
    assert len(page["items"]) == 30
