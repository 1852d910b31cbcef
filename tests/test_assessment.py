"""The monthly assessment (考核): a fixed month of orders, every figure worked out by hand
below; the score and grade from the policy's deductions; a signed assessment kept as
signed while a recomputation shows what changed."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from kefu.accounts.models import User
from kefu.assessment import figures, scoring, services
from kefu.assessment.models import Assessment, AssessmentEvent
from kefu.core.errors import Conflict, IllegalTransition, InvalidInput, PermissionDenied
from kefu.core.policy import AssessmentPolicy, Deduction
from kefu.outages import services as outages
from kefu.supervision.sweep import sweep
from kefu.tickets import services as tickets
from kefu.tickets.models import Clock, OrderEvent, WorkOrder
from tests.conftest import Cast, bj
from tests.flows import LEADER, RESTORED, intake, load_grid

Freeze = Callable[[str | dt.datetime], dt.datetime]
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def march(cast: Cast, freeze: Freeze) -> None:
    """Three orders and a notice in March 2026 (the county profile):

    A, a billing complaint: dispatched to marketing (YXB) in 10 minutes, acknowledged,
      replied in time, approved, called back satisfied in time.
    B, a complaint: dispatched to dispatch (DDZX), returned two days later (past its one
      working day), dispatched to YXB, urged by the customer, replied a day late (result
      due 11 March 00:00, replied 10:00), sent back, replied again on the 12th at 10:00.
    C, a repair: dispatched to the urban station (KHZX), its crew arrives at 20:50 for a
      deadline of 20:48 (urged by the sweep at 20:49), reports from site in time; the
      center reports to the city at 21:25 for a deadline of 21:20.
    N, a temporary outage asked for by production (SJB), published 13 hours ahead (24 due).
    """
    freeze("2026-03-02 09:00")
    a = tickets.accept_order(
        actor=cast.agent, intake=intake("complaint", cast.rural, topic="billing")
    )
    freeze("2026-03-02 09:10")
    tickets.dispatch_order(actor=cast.agent, number=a.number, department_code="YXB")
    freeze("2026-03-02 10:00")
    tickets.acknowledge_order(actor=cast.yxb, number=a.number)
    freeze("2026-03-04 15:00")
    tickets.reply_order(actor=cast.yxb, number=a.number, result="已核实电费")
    freeze("2026-03-04 16:00")
    tickets.approve_order(actor=cast.leader, number=a.number)
    freeze("2026-03-05 10:00")
    tickets.callback_order(actor=cast.agent, number=a.number, satisfaction="satisfied")

    freeze("2026-03-03 10:00")
    b = tickets.accept_order(
        actor=cast.agent, intake=intake("complaint", cast.remote, topic="billing")
    )
    freeze("2026-03-03 10:05")
    tickets.dispatch_order(
        actor=cast.agent, number=b.number, department_code="DDZX", override_reason="涉及停电"
    )
    freeze("2026-03-05 09:00")
    tickets.return_order(actor=cast.ddzx, number=b.number, reason="非本部门业务")
    freeze("2026-03-05 09:20")
    tickets.dispatch_order(actor=cast.agent, number=b.number, department_code="YXB")
    freeze("2026-03-05 10:00")
    tickets.acknowledge_order(actor=cast.yxb, number=b.number)
    freeze("2026-03-06 11:00")
    tickets.urge_order(actor=cast.agent, number=b.number, note="客户催问")

    freeze("2026-03-10 20:00")
    c = tickets.accept_order(actor=cast.agent, intake=intake("repair", cast.urban))
    freeze("2026-03-10 20:03")
    tickets.dispatch_order(actor=cast.agent, number=c.number, department_code="KHZX")
    crew = cast.crew_khzx
    freeze("2026-03-10 20:04")
    tickets.acknowledge_order(actor=crew, number=c.number)
    tickets.depart(**LEADER, actor=crew, number=c.number)
    freeze("2026-03-10 20:49")
    sweep()
    freeze("2026-03-10 20:50")
    tickets.arrive(actor=crew, number=c.number)
    freeze("2026-03-10 21:05")
    tickets.report_on_site(actor=crew, number=c.number, findings="表箱进线烧断")
    freeze("2026-03-10 21:25")
    tickets.report_to_city(actor=cast.agent, number=c.number, report="表箱进线烧断")
    freeze("2026-03-10 21:40")
    tickets.restore_supply(**RESTORED, actor=crew, number=c.number)

    freeze("2026-03-11 10:00")
    tickets.reply_order(actor=cast.yxb, number=b.number, result="已处理")
    freeze("2026-03-11 11:00")
    tickets.send_back_order(actor=cast.leader, number=b.number, reason="未说明依据")
    freeze("2026-03-12 10:00")
    tickets.reply_order(actor=cast.yxb, number=b.number, result="已处理,附依据")

    load_grid()
    freeze("2026-03-19 20:00")
    notice = outages.draft_notice(
        actor=cast.leader,
        draft=outages.NoticeDraft(
            kind="temporary",
            start_at=bj("2026-03-20 09:00"),
            expected_restoration_at=bj("2026-03-20 12:00"),
            cause="配合市政施工",
            elements=("B-CG1",),
            requested_by="SJB",
        ),
    )
    outages.publish_notice(actor=cast.leader, number=notice.number)


def _unit(result: dict[str, Any], code: str) -> dict[str, Any]:
    return next(u for u in result["units"] if u["code"] == code)


def _figures(unit: dict[str, Any]) -> dict[str, Any]:
    keep = (
        "dispatched",
        "acknowledged",
        "returned",
        "returned_late",
        "urged",
        "customer_urges",
        "rework",
        "called_back",
        "satisfied",
        "dissatisfied",
        "late_notices",
        "delay_minutes",
    )
    shown = {k: unit[k] for k in keep if unit[k]}
    shown["stages"] = unit["stages"]
    return shown


def test_every_figure_of_a_month_as_worked_out_by_hand(cast: Cast, freeze: Freeze) -> None:
    march(cast, freeze)
    freeze("2026-04-01 10:00")
    result = services.compute(*MARCH)
    assert {u["code"] for u in result["units"]} == {"KFB", "YXB", "DDZX", "KHZX", "SJB"}
    # The center: four dispatches in time (A, B twice, C); A's callback in time; B's, due
    # one working day after its second reply (Thursday 12th → Saturday 14th 00:00), never
    # made: late by 18 days and 10 hours on 1 April 10:00; the report to the city five
    # minutes late. (B's first callback clock was voided by the send-back, in time.)
    assert _figures(_unit(result, "KFB")) == {
        "delay_minutes": 5 + (18 * 24 + 10) * 60,
        "stages": {
            "dispatch": {"due": 4, "late": 0},
            "callback": {"due": 2, "late": 1},
            "city_report": {"due": 1, "late": 1},
        },
    }
    # Marketing: A and B dispatched to it and acknowledged; B urged by the customer, sent
    # back once, its result 34 hours late (11 March 00:00 to 12 March 10:00); A called back
    # satisfied. A's result was in time.
    assert _figures(_unit(result, "YXB")) == {
        "dispatched": 2,
        "acknowledged": 2,
        "customer_urges": 1,
        "rework": 1,
        "called_back": 1,
        "satisfied": 1,
        "delay_minutes": 34 * 60,
        "stages": {"result": {"due": 2, "late": 1}},
    }
    # Dispatch: B dispatched to it and returned after its working day.
    assert _figures(_unit(result, "DDZX")) == {
        "dispatched": 1,
        "returned": 1,
        "returned_late": 1,
        "stages": {},
    }
    # The urban station: C dispatched, acknowledged, urged by the clock; arrival two
    # minutes late, the on-site report in time.
    assert _figures(_unit(result, "KHZX")) == {
        "dispatched": 1,
        "acknowledged": 1,
        "urged": 1,
        "delay_minutes": 2,
        "stages": {"arrival": {"due": 1, "late": 1}, "onsite_report": {"due": 1, "late": 0}},
    }
    assert _figures(_unit(result, "SJB")) == {"late_notices": 1, "stages": {}}
    # 100 less: each late stage 2, a late return 1, an urge 1, a customer urge 1, a rework
    # 2, a late notice 5.
    scores = {u["code"]: (u["score"], u["grade"]) for u in result["units"]}
    assert scores == {
        "KFB": ("96.0", "excellent"),
        "YXB": ("95.0", "excellent"),
        "DDZX": ("99.0", "excellent"),
        "KHZX": ("97.0", "excellent"),
        "SJB": ("95.0", "excellent"),
    }
    assert [u["code"] for u in result["units"]][:2] == ["SJB", "YXB"]  # the lowest first
    assert [u["code"] for u in result["units"]][2] == "KFB"


def test_the_grade_at_its_boundaries() -> None:
    policy = AssessmentPolicy()
    assert scoring.grade_of(Decimal("69.9"), policy) == scoring.Grade.FAIL
    assert scoring.grade_of(Decimal("70"), policy) == scoring.Grade.PASS
    assert scoring.grade_of(Decimal("89.9"), policy) == scoring.Grade.PASS
    assert scoring.grade_of(Decimal("90"), policy) == scoring.Grade.EXCELLENT
    # And through the deductions: 30.1 points for one late stage leaves 69.9.
    unit = {
        "stages": {"arrival": {"due": 3, "late": 1}},
        "returned_late": 0,
        "urged": 0,
        "customer_urges": 0,
        "rework": 0,
        "dissatisfied": 0,
        "late_notices": 0,
    }
    for points, expected in (
        ("30.1", "fail"),
        ("30", "pass"),
        ("10.1", "pass"),
        ("10", "excellent"),
    ):
        strict = AssessmentPolicy(late_stage=Deduction(points=Decimal(points), cap=Decimal(100)))
        assert scoring.score(unit, strict)["grade"] == expected, points
    assert (
        scoring.score(
            unit, AssessmentPolicy(late_stage=Deduction(points=Decimal("30.1"), cap=Decimal(100)))
        )["score"]
        == "69.9"
    )


def test_a_deduction_stops_at_its_cap_and_the_score_at_zero() -> None:
    unit = {
        "stages": {"arrival": {"due": 40, "late": 40}},
        "returned_late": 50,
        "urged": 50,
        "customer_urges": 50,
        "rework": 50,
        "dissatisfied": 50,
        "late_notices": 50,
    }
    result = scoring.score(unit, AssessmentPolicy())
    assert result["deductions"]["late_stage"] == {"cases": 40, "points": "30", "capped": True}
    assert result["score"] == "0.0"  # 30+10+20+20+20+30+20 = 150 off
    assert result["grade"] == "fail"


def test_a_signed_assessment_is_kept_and_a_recomputation_shows_the_difference(
    cast: Cast, freeze: Freeze
) -> None:
    march(cast, freeze)
    freeze("2026-04-01 10:00")
    with pytest.raises(PermissionDenied):
        services.prepare_assessment(actor=cast.agent, start=MARCH[0], end=MARCH[1])
    prepared = services.prepare_assessment(actor=cast.leader, start=MARCH[0], end=MARCH[1])
    assert prepared.number == "KH20260301-20260331"
    freeze("2026-04-01 11:00")
    again = services.prepare_assessment(actor=cast.supervisor, start=MARCH[0], end=MARCH[1])
    assert (again.pk, again.version) == (prepared.pk, 2)
    with pytest.raises(Conflict):
        services.sign_assessment(actor=cast.assessor, number=prepared.number, version=1)
    with pytest.raises(PermissionDenied):
        services.sign_assessment(actor=cast.leader, number=prepared.number)
    signed = services.sign_assessment(actor=cast.assessor, number=prepared.number, version=2)
    assert (signed.state, signed.signed_by) == ("signed", cast.assessor)
    kept = Assessment.objects.get(pk=signed.pk).result
    # In April someone back-fills a customer's urge of B made in March.
    freeze("2026-04-02 09:00")
    b = WorkOrder.objects.get(customer=cast.remote)
    tickets.urge_order(
        actor=cast.agent, number=b.number, occurred_at=bj("2026-03-20 10:00"), note="补录"
    )
    assert Assessment.objects.get(pk=signed.pk).result == kept  # frozen as signed
    changes = {c["code"]: c["changes"] for c in services.compare(signed)}
    assert changes == {
        # B's callback is still not made: late by 22 hours more than when it was computed
        # again (1 April 11:00).
        "KFB": {"delay_minutes": (5 + 26520 + 60, 5 + 26520 + 23 * 60)},
        "YXB": {"customer_urges": (1, 2), "score": ("95.0", "94.0")},
    }
    with pytest.raises(IllegalTransition):
        services.prepare_assessment(actor=cast.leader, start=MARCH[0], end=MARCH[1])
    with pytest.raises(IllegalTransition):
        services.sign_assessment(actor=cast.assessor, number=signed.number)
    kinds = list(
        AssessmentEvent.objects.filter(assessment=signed).values_list("kind", "actor__username")
    )
    assert kinds == [
        ("prepared", "leader"),
        ("prepared_again", "supervisor"),
        ("signed", "assessor"),
    ]


def test_a_bad_period_is_refused(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 10:00")
    with pytest.raises(InvalidInput):
        services.prepare_assessment(
            actor=cast.leader, start=dt.date(2026, 3, 31), end=dt.date(2026, 3, 1)
        )
    with pytest.raises(InvalidInput):
        services.prepare_assessment(
            actor=cast.leader, start=dt.date(2026, 4, 1), end=dt.date(2026, 4, 30)
        )
    with pytest.raises(InvalidInput):
        services.month("2026-13")
    assert services.month("2026-02") == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert not Assessment.objects.exists()


def test_the_assessment_through_the_api_and_the_pages_and_its_exports(
    cast: Cast, freeze: Freeze, token_client: Callable[[User], Client]
) -> None:
    march(cast, freeze)
    freeze("2026-04-01 10:00")
    leader = token_client(cast.leader)
    refused = token_client(cast.agent).post(
        "/api/assessments", json.dumps({"month": "2026-03"}), content_type="application/json"
    )
    assert refused.status_code == 403
    bad = leader.post(
        "/api/assessments", json.dumps({"month": "2026-3"}), content_type="application/json"
    )
    assert bad.status_code == 422
    made = leader.post(
        "/api/assessments", json.dumps({"month": "2026-03"}), content_type="application/json"
    )
    assert made.status_code == 201, made.content
    number = made.json()["number"]
    yxb = next(u for u in made.json()["units"] if u["code"] == "YXB")
    assert (yxb["score"], yxb["grade"], yxb["rework"]) == ("95.0", "excellent", 1)
    assert made.json()["differences"] is None
    # The assessor reads it on the page and signs it there.
    page = Client()
    page.force_login(cast.assessor)
    html = page.get(f"/assessment/{number}/").content.decode()
    assert "市场营销部" in html
    assert "95.0" in html
    assert 'id="sign"' in html
    assert page.post(f"/assessment/{number}/sign/", {"version": "1"}).status_code == 302
    signed = token_client(cast.assessor).get(f"/api/assessments/{number}").json()
    assert (signed["state"], signed["signed_by"]) == ("signed", "assessor")
    assert signed["differences"] == []
    # The cases behind marketing's deductions, each order one click away.
    b = WorkOrder.objects.get(customer=cast.remote)
    cases = page.get(f"/assessment/{number}/YXB/").content.decode()
    assert f"/orders/{b.number}/" in cases
    assert 'id="cases-rework"' in cases
    # The Excel workbook holds the page's numbers, as numbers.
    xlsx = page.get(f"/assessment/{number}/export.xlsx")
    assert xlsx.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    sheet = book.worksheets[0]
    assert "2026-03-01" in str(sheet.cell(1, 1).value)
    assert sheet.cell(3, 1).value == "部门"
    rows = {sheet.cell(r, 2).value: r for r in range(4, sheet.max_row + 1)}
    headers = [sheet.cell(3, c).value for c in range(1, sheet.max_column + 1)]
    row = rows["YXB"]
    assert sheet.cell(row, headers.index("得分") + 1).value == 95.0
    assert sheet.cell(row, headers.index("返工") + 1).value == 1
    assert sheet.cell(row, headers.index("造成延误（小时）") + 1).value == 34.0
    assert sheet.page_setup.orientation == "landscape"
    csv_text = b"".join(page.get(f"/assessment/{number}/export.csv").streaming_content).decode(
        "utf-8-sig"
    )
    assert csv_text.splitlines()[0].startswith("部门,")
    # Those who neither prepare nor sign it do not see it.
    agent = Client()
    agent.force_login(cast.agent)
    assert agent.get(f"/assessment/{number}/").status_code == 403
    assert token_client(cast.agent).get(f"/api/assessments/{number}").status_code == 403


def test_the_centers_and_each_agents_measures(cast: Cast, freeze: Freeze) -> None:
    march(cast, freeze)
    freeze("2026-04-01 10:00")
    result = services.compute(*MARCH)
    # A and B (complaints): both acknowledged by a department and replied; A called back.
    assert result["center"] == {
        "accepted": 2,
        "acknowledged": 2,
        "replied": 2,
        "called_back": 1,
        "acknowledged_share": 100.0,
        "replied_share": 100.0,
        "called_back_share": 50.0,
    }
    [agent] = result["agents"]
    # The agent took A, B and C; their first dispatches came 10, 5 and 3 minutes after
    # acceptance; four dispatch stages, all in time (B twice); B returned as not its own by
    # the department it was sent to; A's callback, in time.
    assert agent == {
        "user": "agent",
        "name": "agent",
        "orders": 3,
        "by_type": {"complaint": 2, "repair": 1},
        "answered_at_intake": 0,
        "dispatch_minutes": 6.0,
        "dispatched_in_time": 4,
        "dispatched_late": 0,
        "returned_as_not_ours": 1,
        "callbacks": 1,
        "callbacks_late": 0,
    }


def test_the_department_says_why_each_late_stage_was_late(
    cast: Cast, freeze: Freeze, token_client: Callable[[User], Client]
) -> None:
    march(cast, freeze)
    freeze("2026-04-01 09:00")
    b = WorkOrder.objects.get(customer=cast.remote)
    c = WorkOrder.objects.get(customer=cast.urban)
    yxb = token_client(cast.yxb)
    said = yxb.post(
        f"/api/orders/{b.number}/late-cause",
        json.dumps({"clock": "result", "cause": "需调阅抄表记录,等待营业厅回复"}),
        content_type="application/json",
    )
    assert said.status_code == 200, said.content
    # Not the marketing department's stage, nor the agent's to explain.
    crew_stage = yxb.post(
        f"/api/orders/{c.number}/late-cause",
        json.dumps({"clock": "arrival", "cause": "不是我们的"}),
        content_type="application/json",
    )
    assert crew_stage.status_code == 404  # marketing never held the repair
    with pytest.raises(PermissionDenied):
        tickets.record_late_cause(actor=cast.agent, number=c.number, clock="arrival", cause="代答")
    with pytest.raises(InvalidInput, match="no late"):
        tickets.record_late_cause(
            actor=cast.crew_khzx, number=c.number, clock="onsite_report", cause="并未超时"
        )
    tickets.record_late_cause(
        actor=cast.crew_khzx, number=c.number, clock="arrival", cause="桥梁施工绕行"
    )
    # The center explains its own late report to the city, on the order page.
    page = Client()
    page.force_login(cast.agent)
    form = {
        "late_cause-clock": "city_report",
        "late_cause-round": "1",
        "late_cause-cause": "同时处理多起故障",
    }
    assert page.post(f"/orders/{c.number}/late_cause/", form).status_code == 302
    html = page.get(f"/orders/{c.number}/").content.decode()
    assert "桥梁施工绕行" in html
    assert "同时处理多起故障" in html
    causes = dict(
        Clock.objects.filter(order=c).exclude(late_cause="").values_list("kind", "late_cause")
    )
    assert causes == {"arrival": "桥梁施工绕行", "city_report": "同时处理多起故障"}
    assert OrderEvent.objects.filter(order=c, kind="late_cause").count() == 2
    # The assessment's cases show why.
    made = services.prepare_assessment(actor=cast.leader, start=MARCH[0], end=MARCH[1])
    leader = Client()
    leader.force_login(cast.leader)
    cases = leader.get(f"/assessment/{made.number}/YXB/").content.decode()
    assert "等待营业厅回复" in cases


def test_a_repeat_call_while_the_center_holds_the_order_is_the_centers(
    cast: Cast, freeze: Freeze
) -> None:
    # The urge names a null holder (the center's): on SQLite a JSON null reads as the text
    # 'null', which once made a unit of its own called "null".
    freeze("2026-03-02 09:00")
    order = tickets.accept_order(actor=cast.agent, intake=intake("complaint", cast.rural))
    freeze("2026-03-02 09:20")
    tickets.urge_order(actor=cast.agent, number=order.number, note="客户催问")
    assert OrderEvent.objects.get(order=order, kind="customer_urged").new["holder"] is None
    freeze("2026-04-01 09:00")
    units = {u["code"]: u for u in services.compute(*services.month("2026-03"))["units"]}
    assert "null" not in units
    assert units["KFB"]["customer_urges"] == 1
    start, end = services.period_bounds(*services.month("2026-03"))
    cases = figures.behind("KFB", start, end, timezone.now())
    assert [c["order"] for c in cases["customer_urge"]] == [order.number]
    assert figures.behind("YXB", start, end, timezone.now())["customer_urge"] == []
