"""The pages as each role sees them: department walls, the hidden informant, labels on
every input, and list pages that cost a bounded number of queries however long the list."""

from __future__ import annotations

import datetime as dt
import html.parser
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kefu.accounts.models import User
from kefu.tickets import services
from kefu.tickets.models import WorkOrder
from tests.conftest import Cast
from tests.flows import accept, dispatch

Freeze = Callable[[str | dt.datetime], dt.datetime]


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_handler_never_sees_another_departments_orders(cast: Cast) -> None:
    mine = dispatch(cast, accept(cast, "complaint", topic="billing"))  # YXB
    theirs = dispatch(cast, accept(cast, "complaint", cast.rural, topic="outage"))  # DDZX
    page = client_for(cast.yxb)
    inbox = page.get("/inbox/").content.decode()
    assert mine.number in inbox
    assert theirs.number not in inbox
    assert page.get(f"/orders/{theirs.number}/").status_code == 404
    assert page.get("/board/").status_code == 403
    assert page.get("/departments/DDZX/").status_code == 403
    assert page.get(f"/customers/{cast.rural.account_number}/").status_code == 403
    assert page.get(f"/orders/{mine.number}/").status_code == 200


def test_a_reports_informant_never_appears_on_other_roles_pages(cast: Cast) -> None:
    report = dispatch(cast, accept(cast, "report", cast.rural))  # ZGB
    secrets = [cast.rural.name, cast.rural.phone, cast.rural.account_number]
    for user in (cast.agent2, cast.leader, cast.supervisor, cast.assessor):
        page = client_for(user)
        order_page = page.get(f"/orders/{report.number}/").content.decode()
        assert all(secret not in order_page for secret in secrets), user.username
        profile = page.get(f"/customers/{cast.rural.account_number}/").content.decode()
        assert report.number not in profile
        board = page.get("/board/").content.decode()
        assert cast.rural.name not in board
    if True:  # the agents' intake panel lists the customer's open orders
        panel = (
            client_for(cast.agent2)
            .get(f"/intake/customer/{cast.rural.account_number}/")
            .content.decode()
        )
        assert report.number not in panel
    handler_page = client_for(cast.zgb).get(f"/orders/{report.number}/").content.decode()
    assert cast.rural.phone in handler_page


class _Inputs(html.parser.HTMLParser):
    """Every visible input, select and textarea, and the ids that a label points at."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[dict[str, str]] = []
        self.labelled: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "label" and attributes.get("for"):
            self.labelled.add(attributes["for"])
        if tag in ("input", "select", "textarea") and attributes.get("type") not in (
            "hidden",
            "submit",
            "button",
        ):
            self.fields.append(attributes)


def unlabelled(page: str) -> list[dict[str, str]]:
    parser = _Inputs()
    parser.feed(page)
    return [
        f
        for f in parser.fields
        if f.get("id", "") not in parser.labelled and not f.get("aria-label")
    ]


def test_every_input_has_a_label(cast: Cast) -> None:
    order = dispatch(cast, accept(cast, "complaint", topic="billing"))
    services.acknowledge_order(actor=cast.yxb, number=order.number)
    pages: list[tuple[User, str]] = [
        (cast.agent, "/intake/"),
        (cast.agent, "/board/"),
        (cast.agent, "/callbacks/"),
        (cast.agent, f"/orders/{order.number}/"),
        (cast.leader, "/handover/"),
        (cast.leader, "/review/"),
        (cast.yxb, f"/orders/{order.number}/"),
        (cast.yxb, "/inbox/"),
        (cast.agent, "/profile/"),
        (cast.crew_khzx, "/crew/"),
    ]
    for user, path in pages:
        response = client_for(user).get(path)
        assert response.status_code == 200, path
        assert unlabelled(response.content.decode()) == [], path
    login = Client().get("/login/").content.decode()
    assert unlabelled(login) == []


def test_intake_refuses_bad_input_with_a_4xx_and_saves_nothing(cast: Cast) -> None:
    page = client_for(cast.agent)
    response = page.post(
        "/intake/",
        {
            "request_type": "repair",
            "channel": "phone",
            "description": "",
            "customer_account": "5100000001",
        },
    )
    assert response.status_code == 400
    response = page.post(
        "/intake/",
        {
            "request_type": "repair",
            "channel": "phone",
            "description": "停电",
            "customer_account": "0000",
        },
    )
    assert response.status_code == 422
    assert "没有户号为" in response.content.decode()
    assert WorkOrder.objects.count() == 0


def test_a_repeat_call_offers_linking_instead_of_a_duplicate(cast: Cast) -> None:
    first = accept(cast, "repair")
    page = client_for(cast.agent)
    body = {
        "request_type": "repair",
        "channel": "phone",
        "description": "又停电了",
        "customer_account": cast.urban.account_number,
    }
    offered = page.post("/intake/", body)
    assert offered.status_code == 409
    assert f'value="{first.number}"' in offered.content.decode()
    linked = page.post("/intake/", {**body, "link_to": first.number})
    assert linked.status_code == 302
    first.refresh_from_db()
    assert first.urge_count == 1
    assert WorkOrder.objects.count() == 1


def test_order_actions_refuse_bad_forms_and_illegal_moves(cast: Cast) -> None:
    order = dispatch(cast, accept(cast, "complaint", topic="billing"))
    agent = client_for(cast.agent)
    assert agent.post(f"/orders/{order.number}/cancel/", {"cancel-reason": ""}).status_code == 400
    refused = agent.post(f"/orders/{order.number}/reply/", {"reply-result": "x"})
    assert refused.status_code == 403
    assert agent.post(f"/orders/{order.number}/teleport/", {}).status_code == 404
    order.refresh_from_db()
    assert order.state == "dispatched"


def _bulk_orders(count: int, agent: User) -> None:
    """Many open orders with a running clock each, written by SQL (both databases)."""
    number = (
        "'7' || substr('000000000000' || g, -12, 12)"
        if connection.vendor == "sqlite"
        else "'7' || lpad(g::text, 12, '0')"
    )
    accepted = (
        "2026-03-10 01:00:00+00:00" if connection.vendor == "postgresql" else "2026-03-10 01:00:00"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH RECURSIVE seq(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM seq WHERE g < %s)
            INSERT INTO tickets_workorder (number, request_type, channel, state, caller_name,
                caller_phone, anonymous, description, address, landmark, district, area_class,
                topic, supply_scheme, energize_class, urge_count, call_count, rework_count,
                suspended_reason, satisfaction, accepted_at, accepted_by_id, last_event_at,
                is_late, policy_profile, version, next_deadline, holder_id, confidential)
            SELECT {number}, 'complaint', 'phone', 'dispatched', '', '13800000000', false,
                '电费异常', '城关街道', '', '城关街道', 'urban', 'billing', '', '', 0, 0, 0,
                '', '', %s, %s, %s, false, 'county', 1, %s,
                (SELECT id FROM accounts_department WHERE code = 'YXB'), false
            FROM seq""",
            [count, accepted, agent.pk, accepted, accepted],
        )
        cursor.execute("""
            INSERT INTO tickets_clock (order_id, kind, round, status, started_at, limit_amount,
                limit_unit, effective_start, effective_amount, effective_unit, deadline,
                provisional, late, urge_level, department_id)
            SELECT id, 'result', 1, 'open', accepted_at, 5, 'working_days', accepted_at, 5,
                'working_days', next_deadline, false, false, 0, holder_id
            FROM tickets_workorder""")


@pytest.mark.slow
def test_list_pages_paginate_with_bounded_queries_over_100000_orders(
    cast: Cast, django_assert_max_num_queries: Any
) -> None:
    _bulk_orders(100_000, cast.agent)
    assert WorkOrder.objects.count() == 100_000
    pages: list[tuple[User, str, int]] = [
        (cast.leader, "/board/", 12),
        (cast.leader, "/board/?page=400", 12),
        (cast.leader, "/board/?overdue=true&request_type=complaint", 12),
        (cast.yxb, "/inbox/", 12),
        (cast.leader, "/review/", 12),
        (cast.agent, "/callbacks/", 12),
        (cast.leader, "/departments/YXB/", 12),
        (cast.agent, f"/customers/{cast.urban.account_number}/", 12),
    ]
    for user, path, most in pages:
        client = client_for(user)
        client.get(path)  # warm the session
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, path
        assert len(queries) <= most, (path, len(queries), [q["sql"][:80] for q in queries])
        assert response.content.decode().count("<tr") <= 52, path  # one page of 50


def test_the_callback_queue_keeps_a_reports_informant_hidden(cast: Cast) -> None:
    report = dispatch(cast, accept(cast, "report", cast.rural))
    services.acknowledge_order(actor=cast.zgb, number=report.number)
    services.reply_order(actor=cast.zgb, number=report.number, result="已查实并处理")
    services.approve_order(actor=cast.leader, number=report.number)
    other_agent = client_for(cast.agent2).get("/callbacks/").content.decode()
    assert report.number in other_agent
    assert cast.rural.phone not in other_agent
    taker = client_for(cast.agent).get("/callbacks/").content.decode()
    assert cast.rural.phone in taker  # the agent who took the report calls the informant
