"""The records a repair keeps (domain.md, "Records the sources ask for"): the crew leader
and phone with the departure, every change of the expected restoration, the on-site
report to the county and to the city as two clocks, the restoration report, and a fault
inside the customer's own installation explained and closed at intake."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from kefu.accounts.models import User
from kefu.core.errors import IllegalTransition, InvalidInput
from kefu.tickets import services
from kefu.tickets.models import Clock, OrderEvent, WorkOrder
from tests.conftest import Cast, bj
from tests.flows import LEADER, RESTORED, accept, clock, dispatch, intake

Freeze = Callable[[str | dt.datetime], dt.datetime]
ApiFor = Callable[[User], Client]


def _post(api: Client, path: str, body: dict[str, Any]) -> Any:
    return api.post(path, json.dumps(body), content_type="application/json")


def _on_site(cast: Cast, freeze: Freeze, profile_start: str = "2026-03-10 20:00") -> WorkOrder:
    """A repair whose crew arrived at 20:40."""
    freeze(profile_start)
    order = dispatch(cast, accept(cast, "repair"))
    crew = cast.crew_khzx
    services.acknowledge_order(actor=crew, number=order.number)
    services.depart(**LEADER, actor=crew, number=order.number)
    freeze("2026-03-10 20:40")
    services.arrive(actor=crew, number=order.number)
    return order


def test_the_departure_names_the_crew_leader_and_phone(
    cast: Cast, token_client: ApiFor, freeze: Freeze
) -> None:
    freeze("2026-03-10 20:00")
    order = dispatch(cast, accept(cast, "repair"))
    services.acknowledge_order(actor=cast.crew_khzx, number=order.number)
    crew = token_client(cast.crew_khzx)
    path = f"/api/orders/{order.number}/depart"
    # Neither may be left out, and the phone must be one.
    assert _post(crew, path, {}).status_code == 422
    refused = _post(crew, path, {"crew_leader": "王师傅", "crew_phone": "明天再说"})
    assert refused.status_code == 422
    with pytest.raises(InvalidInput, match="crew leader"):
        services.depart(actor=cast.crew_khzx, number=order.number, crew_leader=" ", crew_phone="1")
    assert WorkOrder.objects.get(pk=order.pk).state == "acknowledged"  # nothing saved
    done = _post(crew, path, {"crew_leader": "王师傅", "crew_phone": "139 0000 0001"})
    assert done.status_code == 200, done.content
    departed = OrderEvent.objects.get(order=order, kind="departed")
    assert departed.new == {
        "state": "departed",
        "crew_leader": "王师傅",
        "crew_phone": "139 0000 0001",
    }
    # The order page shows it in the timeline.
    page = Client()
    page.force_login(cast.leader)
    html = page.get(f"/orders/{order.number}/").content.decode()
    assert "王师傅" in html
    assert "139 0000 0001" in html


def test_every_change_of_the_expected_restoration_is_kept_and_the_ivr_reads_the_latest(
    cast: Cast, token_client: ApiFor, freeze: Freeze
) -> None:
    order = _on_site(cast, freeze)
    crew = cast.crew_khzx
    freeze("2026-03-10 20:50")
    services.update_estimate(
        actor=crew,
        number=order.number,
        expected_restoration=bj("2026-03-10 22:00"),
        reason="先查明故障点",
    )
    services.report_on_site(
        actor=crew,
        number=order.number,
        findings="配变高压熔丝熔断",
        expected_restoration=bj("2026-03-10 22:30"),
    )
    freeze("2026-03-10 21:30")
    api = token_client(crew)
    later = _post(
        api,
        f"/api/orders/{order.number}/update-estimate",
        {"expected_restoration": "2026-03-10T23:30:00+08:00", "reason": "需更换配变"},
    )
    assert later.status_code == 200, later.content
    assert later.json()["expected_restoration_at"] == "2026-03-10T15:30:00Z"
    changes = [
        (e.old.get("expected_restoration"), e.new.get("expected_restoration"), e.note)
        for e in OrderEvent.objects.filter(order=order, kind="estimate_updated").order_by("id")
    ]
    assert changes == [
        (None, "2026-03-10T14:00:00+00:00", "先查明故障点"),
        ("2026-03-10T14:30:00+00:00", "2026-03-10T15:30:00+00:00", "需更换配变"),
    ]
    # A time already past, or no reason, is refused; nothing changes.
    past = _post(
        api,
        f"/api/orders/{order.number}/update-estimate",
        {"expected_restoration": "2026-03-10T21:00:00+08:00", "reason": "写错"},
    )
    assert past.status_code == 422
    assert "2026-03-10 21:00" in past.json()["detail"]
    no_reason = _post(
        api,
        f"/api/orders/{order.number}/update-estimate",
        {"expected_restoration": "2026-03-11T01:00:00+08:00", "reason": ""},
    )
    assert no_reason.status_code == 422
    assert WorkOrder.objects.get(pk=order.pk).expected_restoration_at == bj("2026-03-10 23:30")
    ivr = token_client(cast.ivr)
    status = ivr.get(
        f"/api/ivr/orders/{order.number}", {"phone": order.caller_phone or cast.urban.phone}
    )
    assert status.status_code == 200, status.content
    assert status.json()["expected_restoration"] == "2026-03-10T15:30:00Z"
    # Once supply is back there is nothing to expect any more.
    services.restore_supply(**RESTORED, actor=crew, number=order.number)
    with pytest.raises(IllegalTransition):
        services.update_estimate(
            actor=crew,
            number=order.number,
            expected_restoration=bj("2026-03-11 08:00"),
            reason="再改",
        )


def test_before_arrival_there_is_no_estimate_to_change(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 20:00")
    order = dispatch(cast, accept(cast, "repair"))
    services.acknowledge_order(actor=cast.crew_khzx, number=order.number)
    with pytest.raises(IllegalTransition):
        services.update_estimate(
            actor=cast.crew_khzx,
            number=order.number,
            expected_restoration=bj("2026-03-10 23:00"),
            reason="估计",
        )


def test_the_on_site_report_runs_two_clocks_county_and_city(cast: Cast, freeze: Freeze) -> None:
    order = _on_site(cast, freeze)
    county, city = clock(order, "onsite_report"), clock(order, "city_report")
    assert county.deadline == bj("2026-03-10 21:00")  # 20 minutes: the crew to the county
    assert city.deadline == bj("2026-03-10 21:10")  # 30 minutes: the county to the city
    assert county.department is not None
    assert county.department.code == "KHZX"
    assert city.department is None  # the center's own stage
    freeze("2026-03-10 20:58")
    services.report_on_site(actor=cast.crew_khzx, number=order.number, findings="树枝压线")
    freeze("2026-03-10 21:12")
    with pytest.raises(InvalidInput):
        services.report_to_city(actor=cast.agent, number=order.number, report="  ")
    services.report_to_city(actor=cast.agent, number=order.number, report="树枝压线,正在处理")
    assert clock(order, "onsite_report").late is False
    assert clock(order, "city_report").late is True  # two minutes after its deadline
    with pytest.raises(IllegalTransition, match="already"):
        services.report_to_city(actor=cast.leader, number=order.number, report="再报一次")
    assert OrderEvent.objects.filter(order=order, kind="reported_to_city").count() == 1


@pytest.mark.parametrize("profile", ["provincial"], indirect=True)
def test_the_provincial_profile_has_one_on_site_clock(
    cast: Cast, freeze: Freeze, profile: str
) -> None:
    order = _on_site(cast, freeze)
    assert clock(order, "onsite_report").deadline == bj("2026-03-10 21:10")
    assert not Clock.objects.filter(order=order, kind="city_report").exists()


def test_the_restoration_report_says_what_the_fault_was_and_what_was_done(
    cast: Cast, token_client: ApiFor, freeze: Freeze
) -> None:
    order = _on_site(cast, freeze)
    services.report_on_site(actor=cast.crew_khzx, number=order.number, findings="熔丝熔断")
    api = token_client(cast.crew_khzx)
    path = f"/api/orders/{order.number}/restore"
    assert _post(api, path, {"fault": "熔丝熔断"}).status_code == 422
    assert WorkOrder.objects.get(pk=order.pk).state == "on_site_reported"
    freeze("2026-03-10 21:20")
    done = _post(api, path, {"fault": "配变高压熔丝熔断", "result": "更换熔丝,恢复供电"})
    assert done.status_code == 200, done.content
    restored = OrderEvent.objects.get(order=order, kind="restored")
    assert restored.occurred_at == bj("2026-03-10 21:20")
    assert restored.new["fault"] == "配变高压熔丝熔断"
    assert restored.new["result"] == "更换熔丝,恢复供电"


def test_a_fault_in_the_customers_own_installation_is_explained_and_closed_at_intake(
    cast: Cast, token_client: ApiFor, freeze: Freeze
) -> None:
    freeze("2026-03-10 20:00")
    api = token_client(cast.agent)
    body = {
        "request_type": "repair",
        "channel": "phone",
        "description": "家里一半插座没电",
        "customer_account": cast.urban.account_number,
        "customer_fault": {"explanation": "户内空开跳闸,属客户资产", "paid_service": "maybe"},
    }
    assert _post(api, "/api/orders", body).status_code == 422
    assert not WorkOrder.objects.exists()
    body["customer_fault"]["paid_service"] = "declined"  # type: ignore[index]
    answer = _post(api, "/api/orders", body)
    assert answer.status_code == 201, answer.content
    assert answer.json()["outcome"] == "customer_fault_explained"
    order = WorkOrder.objects.get()
    assert (order.state, order.holder) == ("answered", None)
    assert order.closed_at == bj("2026-03-10 20:00")
    assert not Clock.objects.filter(order=order).exists()  # no crew, no clock
    explained = OrderEvent.objects.get(order=order, kind="customer_fault_explained")
    assert explained.note == "户内空开跳闸,属客户资产"
    assert explained.new["paid_service"] == "declined"
    # Only a repair call is closed this way.
    with pytest.raises(InvalidInput):
        services.explain_customer_fault(
            actor=cast.agent,
            intake=intake("complaint", cast.urban),
            explanation="说明",
            paid_service="declined",
        )


def test_the_intake_page_closes_a_customers_own_fault(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 20:00")
    page = Client()
    page.force_login(cast.agent)
    form = {
        "customer_account": cast.rural.account_number,
        "request_type": "repair",
        "channel": "phone",
        "description": "表后线烧了",
        "customer_fault": "表后线路属客户资产,建议联系电工",
    }
    refused = page.post("/intake/", form)
    assert refused.status_code == 400
    assert "记录客户对有偿服务的答复" in refused.content.decode()
    assert not WorkOrder.objects.exists()
    saved = page.post("/intake/", {**form, "paid_service": "accepted"})
    assert saved.status_code == 302
    order = WorkOrder.objects.get()
    assert order.state == "answered"
    event = OrderEvent.objects.get(order=order, kind="customer_fault_explained")
    assert event.new["paid_service"] == "accepted"
    shown = page.get(saved["Location"]).content.decode()
    assert "客户内部故障已解释" in shown
    assert "接受有偿服务" in shown
