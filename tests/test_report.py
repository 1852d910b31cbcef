"""The monthly service report (月度服务报告): a fixed March's figures, the follow-up only the
supervisor writes (plan, do, check, act), issuing it freezes it, the next month's report
shows the plan it checks; the PDF renders (pdftoppm; its first page kept as an image under
var/screenshots/report/) with the page's numbers in it; the page in Chromium with its
charts holding the page's numbers."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import Browser

from kefu.assessment import reports, services
from kefu.assessment.models import ServiceReportEvent
from kefu.core.errors import Conflict, IllegalTransition, InvalidInput, PermissionDenied
from tests.browser import SHOTS, Desk, chinese_desk
from tests.conftest import Cast
from tests.test_assessment import march

Freeze = Callable[[Any], Any]
FOLDER = SHOTS / "report"


@pytest.mark.django_db
def test_the_months_report_its_follow_up_and_its_issue(cast: Cast, freeze: Freeze) -> None:
    march(cast, freeze)
    freeze("2026-04-02 09:00")
    with pytest.raises(PermissionDenied):
        reports.prepare_report(actor=cast.agent, month_text="2026-03")
    with pytest.raises(InvalidInput):
        reports.prepare_report(actor=cast.leader, month_text="2026-13")
    with pytest.raises(InvalidInput):
        reports.prepare_report(actor=cast.leader, month_text="2026-05")
    report = reports.prepare_report(actor=cast.leader, month_text="2026-03")
    f = report.figures
    assert report.number == "BG202603"
    # A and B complaints, C a repair.
    by_type = {v["type"]: v["count"] for v in f["volumes"]}
    assert (by_type["complaint"], by_type["repair"], f["total"]) == (2, 1, 3)
    # The units and the stage totals are the assessment's of the month, computed the same.
    assessed = services.compute(*services.month("2026-03"), measures=False)["units"]
    assert [(u["code"], u["score"]) for u in f["units"]] == [
        (u["code"], str(u["score"])) for u in assessed
    ]
    assert f["stages"]["due"] == sum(s["due"] for u in assessed for s in u["stages"].values())
    assert f["callbacks"] == {
        "made": 1,
        "satisfied": 1,
        "dissatisfied": 0,
        "satisfied_share": 100.0,
    }
    assert f["hot_spots"]["category"] == [{"name": "电费电价", "count": 2}]
    assert f["analysis"][0] == "按分类：电费电价 2 件（100.0%）"
    assert f["center"]["accepted"] == 2

    # Only the supervisor writes the follow-up; a stale version is refused.
    plan = reports.FollowUp(plan="电费解释口径统一培训", do="", check="", act="")
    with pytest.raises(PermissionDenied):
        reports.write_follow_up(actor=cast.leader, number=report.number, follow_up=plan)
    with pytest.raises(Conflict):
        reports.write_follow_up(
            actor=cast.supervisor, number=report.number, follow_up=plan, version=7
        )
    with pytest.raises(InvalidInput):
        reports.issue_report(actor=cast.supervisor, number=report.number)
    report = reports.write_follow_up(
        actor=cast.supervisor, number=report.number, follow_up=plan, version=1
    )
    assert (report.follow_plan, report.version) == ("电费解释口径统一培训", 2)
    issued = reports.issue_report(actor=cast.supervisor, number=report.number, version=2)
    assert issued.state == "issued"
    with pytest.raises(IllegalTransition):
        reports.prepare_report(actor=cast.leader, month_text="2026-03")
    with pytest.raises(IllegalTransition):
        reports.write_follow_up(actor=cast.supervisor, number=report.number, follow_up=plan)
    steps = ServiceReportEvent.objects.filter(report=report).values_list(
        "kind", "actor__username", "new"
    )
    assert [(k, who) for k, who, _new in steps] == [
        ("prepared", "leader"),
        ("follow_up", "supervisor"),
        ("issued", "supervisor"),
    ]
    assert list(steps)[1][2] == {"follow_plan": "电费解释口径统一培训"}

    # April's report checks March's plan.
    freeze("2026-05-03 09:00")
    april = reports.prepare_report(actor=cast.supervisor, month_text="2026-04")
    assert reports.previous(april) == issued


@pytest.mark.django_db
def test_the_report_over_the_api(cast: Cast, freeze: Freeze, token_client: Any) -> None:
    march(cast, freeze)
    freeze("2026-04-02 09:00")
    leader, supervisor = token_client(cast.leader), token_client(cast.supervisor)

    def post(client: Client, path: str, body: dict[str, Any]) -> Any:
        return client.post(path, json.dumps(body), content_type="application/json")

    assert post(leader, "/api/reports", {"month": "2026-13"}).status_code == 422
    assert post(leader, "/api/reports", {"month": "March"}).status_code == 422
    made = post(leader, "/api/reports", {"month": "2026-03"})
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["number"], body["month"], body["state"]) == ("BG202603", "2026-03", "draft")
    assert body["figures"]["total"] == 3
    assert body["pdf"] == "/reports/BG202603/report.pdf"
    assert body["previous_plan"] is None
    assert [r["number"] for r in leader.get("/api/reports").json()] == ["BG202603"]
    assert leader.get("/api/reports/BG209901").status_code == 404
    # Only the supervisor writes the follow-up and issues; a stale version is a conflict.
    plan = {"plan": "四月抽查估抄", "version": body["version"]}
    assert post(leader, "/api/reports/BG202603/follow-up", plan).status_code == 403
    unplanned = post(supervisor, "/api/reports/BG202603/issue", {})
    assert unplanned.status_code == 422
    assert unplanned.json()["errors"][0]["field"] == "plan"
    written = post(supervisor, "/api/reports/BG202603/follow-up", plan)
    assert written.status_code == 200
    assert written.json()["follow_up"]["plan"] == "四月抽查估抄"
    # The parts given are written, those left out stay.
    checked = post(supervisor, "/api/reports/BG202603/follow-up", {"check": "三月计划已完成"})
    assert checked.json()["follow_up"] == {
        "plan": "四月抽查估抄",
        "do": "",
        "check": "三月计划已完成",
        "act": "",
    }
    stale = post(supervisor, "/api/reports/BG202603/issue", {"version": body["version"]})
    assert stale.status_code == 409
    issued = post(supervisor, "/api/reports/BG202603/issue", {"version": body["version"] + 2})
    assert issued.status_code == 200
    assert (issued.json()["state"], issued.json()["issued_by"]) == ("issued", "supervisor")
    again = post(supervisor, "/api/reports/BG202603/follow-up", {"plan": "改"})
    assert again.status_code == 409
    assert leader.get("/api/reports/BG202603").json()["follow_up"]["plan"] == "四月抽查估抄"
    # April's report shows March's plan, which its check answers.
    freeze("2026-05-02 09:00")
    april = post(leader, "/api/reports", {"month": "2026-04"}).json()
    assert april["previous_plan"] == "四月抽查估抄"
    assert token_client(cast.agent).get("/api/reports").status_code == 403


@pytest.mark.django_db
def test_the_report_page_and_its_pdf(cast: Cast, freeze: Freeze, client: Client) -> None:
    march(cast, freeze)
    freeze("2026-04-02 09:00")
    client.force_login(cast.leader)
    assert client.post("/reports/", {"month": "2026-3"}).status_code == 400
    made = client.post("/reports/", {"month": "2026-03"})
    assert made.status_code == 302
    assert made["Location"] == "/reports/BG202603/"
    html = client.get("/reports/BG202603/").content.decode()
    assert "2026-03 月度服务报告" in html
    assert 'id="follow-up-form"' not in html  # the shift leader does not write it
    client.force_login(cast.supervisor)
    form = {"version": "1", "plan": "电费解释口径统一培训", "do": "已培训", "check": "", "act": ""}
    assert client.post("/reports/BG202603/", {**form, "plan": "x" * 4001}).status_code == 400
    assert client.post("/reports/BG202603/", {**form, "version": "9"}).status_code == 409
    assert client.post("/reports/BG202603/", form).status_code == 302
    html = client.get("/reports/BG202603/").content.decode()
    assert "电费解释口径统一培训" in html

    pdf = client.get("/reports/BG202603/report.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    FOLDER.mkdir(parents=True, exist_ok=True)
    path = FOLDER / "BG202603.pdf"
    path.write_bytes(pdf.content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(path), str(FOLDER / "page")],
        check=True,
    )
    first = next(FOLDER.glob("page-*1.png"))
    assert first.stat().st_size > 10_000
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "95598 月度服务报告（2026-03）" in text
    assert "电费解释口径统一培训" in text
    assert "合计" in text
    assert "市场营销部" in text
    client.force_login(cast.agent)
    assert client.get("/reports/BG202603/").status_code == 403
    assert client.get("/reports/BG202603/report.pdf").status_code == 403


@pytest.fixture
def desk(browser: Browser, live_server: Any, cast: Cast) -> Iterator[Desk]:
    with chinese_desk(browser, live_server.url, FOLDER) as desk:
        yield desk


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_the_report_in_chromium_prepared_written_and_issued(desk: Desk, cast: Cast) -> None:
    page = desk.page
    desk.login(cast.supervisor)
    desk.go("/reports/")
    page.fill("#id_month", "2026-03")
    page.click("#prepare-report")
    page.wait_for_url("**/reports/BG202603/")
    page.wait_for_function("() => document.body.dataset.reportDrawn === 'yes'")
    volumes = page.evaluate(
        """() => echarts.getInstanceByDom(document.querySelector("[data-report-chart='volumes']"))
            .getOption().series[0].data"""
    )
    shown = page.eval_on_selector_all(
        "#report-volumes tbody tr:not([data-key='total']) td",
        "cells => cells.map(c => Number(c.textContent))",
    )
    assert volumes == shown
    page.fill("#id_plan", "投诉热点回头看")
    page.click("#save-follow-up")
    page.wait_for_selector("#last-plan")
    assert page.input_value("#id_plan") == "投诉热点回头看"
    page.click("#issue-report")
    page.wait_for_selector("#follow-up")
    assert "投诉热点回头看" in page.inner_text("#follow-up")
    desk.shot("report-issued")
