"""The dashboard (统计看板): its figures for a fixed March worked out by hand, the page with
the numbers beside each chart, and the page in Chromium on the shift leader's screen: the
charts hold the page's numbers, nothing is written to the console, and a refresh redraws
them with a new call counted."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import Browser

from kefu.assessment.dashboard import dashboard
from kefu.tickets import services as tickets
from tests.browser import SHOTS, Desk, chinese_desk
from tests.conftest import Cast
from tests.flows import intake
from tests.test_assessment import march

Freeze = Callable[[Any], Any]


def _today(cast: Cast, freeze: Freeze) -> None:
    """March (tests.test_assessment), then on Friday 20 March: a repair call at 09:15 and
    complaints at 09:40 (metering, the urban customer) and 13:05 (billing, the rural one),
    none dispatched yet."""
    march(cast, freeze)
    freeze("2026-03-20 09:15")
    tickets.accept_order(actor=cast.agent, intake=intake("repair", cast.urban), confirm_new=True)
    freeze("2026-03-20 09:40")
    tickets.accept_order(
        actor=cast.agent,
        intake=intake("complaint", cast.urban, topic="metering"),
        confirm_new=True,
    )
    freeze("2026-03-20 13:05")
    tickets.accept_order(
        actor=cast.agent, intake=intake("complaint", cast.rural, topic="billing"), confirm_new=True
    )


@pytest.mark.django_db
def test_the_dashboards_figures_as_worked_out_by_hand(cast: Cast, freeze: Freeze) -> None:
    _today(cast, freeze)
    shown = dashboard(freeze("2026-03-20 14:00"))
    series = {s["type"]: s["data"] for s in shown["today"]["series"]}
    assert shown["today"]["total"] == 3
    assert series["repair"][9] == 1
    assert sum(series["repair"]) == 1
    assert series["complaint"][9] == 1
    assert series["complaint"][13] == 1
    assert sum(series["complaint"]) == 2
    # Open orders: A (called back) and B (replied) with marketing, B's result late; C
    # (restored) with the urban station, its arrival late; today's three with the center.
    assert shown["departments"] == [
        {"department": "市场营销部", "open": 2, "overdue": 1},
        {"department": "客户服务中心", "open": 1, "overdue": 1},
        {"department": "中心（待派）", "open": 3, "overdue": 0},
    ]
    weeks = {w["week"]: w for w in shown["on_time"]}
    assert len(shown["on_time"]) == 8
    assert shown["on_time"][-1]["week"] == "03-16"
    # Week of 2 March: A's dispatch, acknowledgement... all four stages due met in time.
    assert (weeks["03-02"]["due"], weeks["03-02"]["late"], weeks["03-02"]["share"]) == (4, 0, 100.0)
    assert (weeks["03-09"]["due"], weeks["03-09"]["late"]) == (7, 4)
    assert weeks["03-09"]["share"] == 42.9
    assert weeks["02-23"]["share"] is None
    # One callback in March (A, satisfied, on the 5th).
    sat = {w["week"]: w for w in shown["satisfaction"]}
    assert (sat["03-02"]["called"], sat["03-02"]["satisfied"], sat["03-02"]["share"]) == (
        1,
        1,
        100.0,
    )
    assert sum(w["called"] for w in shown["satisfaction"]) == 1
    # Complaints of the last 30 days: A and B (billing; rural, remote) and today's two.
    hot = shown["hot_spots"]
    assert hot["total"] == 4
    assert hot["category"] == [{"name": "电费电价", "count": 3}, {"name": "计量表计", "count": 1}]
    assert hot["area"] == [
        {"name": "桃花镇", "count": 2},
        {"name": "城关街道", "count": 1},
        {"name": "高山乡", "count": 1},
    ]
    assert hot["transformer"] == [{"name": "城关1-1号台区", "count": 4}]
    assert hot["department"] == [{"name": "市场营销部", "count": 2}]


@pytest.mark.django_db
def test_the_dashboard_page_is_the_leaders_and_not_the_agents(
    cast: Cast, freeze: Freeze, client: Client
) -> None:
    _today(cast, freeze)
    freeze("2026-03-20 14:00")
    client.force_login(cast.leader)
    page = client.get("/dashboard/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="dashboard-data"' in html
    assert "echarts.min.js" in html
    assert "今日（2026-03-20）：3 件" in html
    # Its own refresh answers the dashboard alone.
    part = client.get("/dashboard/", HTTP_HX_REQUEST="true").content.decode()
    assert part.startswith('<section id="dashboard"')
    assert "<html" not in part
    client.force_login(cast.agent)
    assert client.get("/dashboard/").status_code == 403


@pytest.fixture
def desk(browser: Browser, live_server: Any, cast: Cast) -> Iterator[Desk]:
    with chinese_desk(browser, live_server.url, SHOTS / "dashboard") as desk:
        yield desk


CHART_DATA = """() => Object.fromEntries(Array.from(document.querySelectorAll("[data-chart]"))
    .map(el => [el.dataset.chart, echarts.getInstanceByDom(el).getOption()])
    .map(([k, o]) => [k, {series: o.series.map(s => ({name: s.name, data: s.data})),
        x: o.xAxis[0].data || null, y: o.yAxis[0].data || null}]))"""


def _rows(desk: Desk, table: str) -> list[list[str]]:
    return desk.page.eval_on_selector_all(
        f"#{table} tbody tr",
        "rows => rows.map(r => Array.from(r.children).map(c => c.textContent.trim()))",
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_the_dashboard_in_chromium_holds_the_pages_numbers_and_redraws(
    desk: Desk, cast: Cast
) -> None:
    # Today's calls, in real time: the dashboard shows today.
    for customer, kind, topic in (
        (cast.urban, "repair", ""),
        (cast.urban, "complaint", "metering"),
        (cast.rural, "complaint", "billing"),
    ):
        tickets.accept_order(
            actor=cast.agent, intake=intake(kind, customer, topic=topic), confirm_new=True
        )
    page = desk.page
    page.clock.install()
    desk.login(cast.leader)
    desk.go("/dashboard/")
    page.wait_for_function("() => !!document.getElementById('dashboard').dataset.drawn")
    desk.shot("dashboard-1366x768")
    assert desk.errors == []
    charts = page.evaluate(CHART_DATA)
    assert len(charts) == 8
    # Today's chart: each type's bars add up to its row in the table.
    totals = {r[0]: int(r[1]) for r in _rows(desk, "table-today")}
    assert {s["name"]: sum(s["data"]) for s in charts["today"]["series"]} == totals
    assert totals["投诉"] == 2
    assert totals["故障报修"] == 1
    departments = _rows(desk, "table-departments")
    assert charts["departments"]["x"] == [r[0] for r in departments]
    assert charts["departments"]["series"][0]["data"] == [int(r[1]) for r in departments]
    assert charts["departments"]["series"][1]["data"] == [int(r[2]) for r in departments]
    weeks = _rows(desk, "table-on-time")
    assert charts["on_time"]["x"] == [r[0] for r in weeks]
    assert charts["on_time"]["series"][0]["data"] == [int(r[1]) for r in weeks]
    category = _rows(desk, "table-hot-category")
    assert list(reversed(charts["hot_spots.category"]["y"])) == [r[0] for r in category]
    assert list(reversed(charts["hot_spots.category"]["series"][0]["data"])) == [
        int(r[1]) for r in category
    ]
    assert charts["hot_spots.category"]["y"][-1] == "电费电价"
    # The first charts are on the leader's screen without scrolling.
    box = page.locator("[data-chart='today']").bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= 768
    assert box["width"] >= 380
    # A new complaint; a minute later the dashboard has redrawn itself with it.
    tickets.accept_order(
        actor=cast.agent, intake=intake("complaint", cast.remote, topic="billing"), confirm_new=True
    )
    page.clock.run_for(61_000)
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('#table-today tbody tr')).some("
        "r => r.textContent.includes('投诉') && r.textContent.includes('3'))"
    )
    page.clock.run_for(1_000)  # htmx settles the swap on the (fake) clock; then the redraw
    page.wait_for_function(
        """() => {
            const chart = echarts.getInstanceByDom(document.querySelector("[data-chart='today']"));
            const complaints = chart && chart.getOption().series.find(s => s.name === "投诉");
            return complaints && complaints.data.reduce((a, b) => a + b, 0) === 3;
        }"""
    )
    charts = page.evaluate(CHART_DATA)
    assert len(charts) == 8
    desk.shot("dashboard-redrawn")
