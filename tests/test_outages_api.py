"""Outage information through the API and the pages: the check the IVR and the portal ask,
a repair call answered from a notice instead of a dispatch, the leader's notice work, the
grid import page and the handover."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kefu.accounts.models import User
from kefu.contact.services import sign_handover
from kefu.outages.models import GridElement, NoticeCall, OutageNotice
from kefu.tickets.models import WorkOrder
from tests.conftest import Cast, bj
from tests.flows import GRID, load_grid, published_notice
from tests.surfaces import NOTICE_BODY

Freeze = Callable[[str | dt.datetime], dt.datetime]
ApiFor = Callable[[User], Client]


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json")


def page(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def outage(cast: Cast, freeze: Freeze) -> OutageNotice:
    freeze("2026-03-10 09:00")
    load_grid()
    notice = published_notice(cast, "2026-03-10 08:30")
    freeze("2026-03-10 10:00")
    return notice


def test_the_ivr_and_the_portal_hear_of_the_outage_before_a_crew_is_sent(
    cast: Cast, outage: OutageNotice, token_client: ApiFor
) -> None:
    ivr = token_client(cast.ivr)
    found = ivr.get("/api/outages/check", {"account": cast.urban.account_number}).json()
    assert found["customers"] == [cast.urban.account_number]
    [known] = found["outages"]
    assert (known["number"], known["current"], known["kind_label"]) == (
        outage.number,
        True,
        "临时停电",
    )
    assert "预计" in known["say"]
    assert "线路检修" in known["say"]
    spoken = ivr.get("/api/ivr/outage", {"phone": cast.urban.phone}).json()
    assert (spoken["outage"], spoken["notice"]) == (True, outage.number)
    assert spoken["say"] == known["say"]
    nothing = ivr.get("/api/ivr/outage", {"phone": "13800009999"}).json()
    assert (nothing["outage"], nothing["say"], nothing["notice"]) == (False, "", None)


def test_twelve_calls_from_an_outage_are_twelve_answers_and_no_dispatch(
    cast: Cast, outage: OutageNotice, token_client: ApiFor
) -> None:
    ivr = token_client(cast.ivr)
    body = {
        "request_type": "repair",
        "channel": "ivr",
        "description": "家里没电",
        "customer_account": cast.urban.account_number,
        "outage_notice": outage.number,
    }
    for _ in range(12):
        answer = post(ivr, "/api/orders", body)
        assert answer.status_code == 201, answer.content
        assert answer.json()["outcome"] == "outage_explained"
        assert answer.json()["order"]["state"] == "answered"
    assert NoticeCall.objects.filter(notice=outage).count() == 12
    assert not WorkOrder.objects.filter(holder__isnull=False).exists()  # nobody dispatched
    leader = token_client(cast.leader)
    assert leader.get(f"/api/outages/{outage.number}").json()["calls"] == 12


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start_at": "2026-03-12T09:00:00"}, "start_at"),  # no time zone
        ({"expected_restoration_at": "2026-03-12T08:00:00+08:00"}, "expected_restoration_at"),
        ({"elements": ["NO-SUCH"]}, "elements"),
        ({"elements": [], "addresses": ""}, "elements"),
        ({"kind": "meteor"}, "kind"),
        ({"cause": ""}, "cause"),
        ({"requested_by": "NOPE"}, "requested_by"),
    ],
)
def test_a_bad_notice_is_refused_with_what_is_wrong_and_nothing_saved(
    cast: Cast, outage: OutageNotice, token_client: ApiFor, change: dict[str, Any], field: str
) -> None:
    before = OutageNotice.objects.count()
    answer = post(token_client(cast.leader), "/api/outages", {**NOTICE_BODY, **change})
    assert answer.status_code == 422, answer.content
    assert [e["field"] for e in answer.json()["errors"]] == [field]
    assert OutageNotice.objects.count() == before


def test_a_notice_is_published_once_and_a_stale_version_is_a_conflict(
    cast: Cast, outage: OutageNotice, token_client: ApiFor
) -> None:
    leader = token_client(cast.leader)
    again = post(leader, f"/api/outages/{outage.number}/publish", {})
    assert again.status_code == 409
    assert "已发布" in again.json()["detail"]
    stale = post(leader, f"/api/outages/{outage.number}/update", {"cause": "改", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["code"] == "conflict"
    done = post(leader, f"/api/outages/{outage.number}/restore", {})
    assert done.json()["state"] == "restored"
    assert (
        token_client(cast.ivr).get("/api/ivr/outage", {"phone": cast.urban.phone}).json()["outage"]
        is False
    )


def test_the_grid_element_answer_walks_its_line(
    cast: Cast, outage: OutageNotice, token_client: ApiFor
) -> None:
    element = token_client(cast.agent).get("/api/grid/城关1-1号台区").json()
    assert [e["code"] for e in element["line"]] == ["SUB-CG", "F-CG1", "B-CG1", "城关1-1号台区"]
    assert element["customers"] == 5  # the cast's five customers all live there
    assert [n["number"] for n in element["notices"]] == [outage.number]
    assert token_client(cast.agent).get("/api/grid/NOPE").status_code == 404


def test_the_leader_drafts_publishes_and_restores_from_the_pages(
    cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-10 09:00")
    load_grid()
    leader = page(cast.leader)
    form = {
        "kind": "planned",
        "start_at": "2026-03-16T09:00",  # six days ahead: late
        "expected_restoration_at": "2026-03-16T17:00",
        "cause": "线路检修",
        "elements": "B-CG1",
        "requested_by": "SJB",
    }
    drafted = leader.post("/outages/new/", form)
    assert drafted.status_code == 302
    notice = OutageNotice.objects.get()
    assert drafted["Location"] == f"/outages/{notice.number}/"
    shown = leader.get(f"/outages/{notice.number}/").content.decode()
    assert "发布并告知客户" in shown
    assert "影响 5 户" in shown
    published = leader.post(
        f"/outages/{notice.number}/publish/", {"version": notice.version}, follow=True
    )
    assert "发布超时" in published.content.decode()
    assert notice.number in leader.get("/outages/", {"span": "coming"}).content.decode()
    freeze("2026-03-16 18:00")
    leader.post(f"/outages/{notice.number}/restore/", {"restored_at": "2026-03-16T16:30"})
    notice.refresh_from_db()
    assert (notice.state, notice.restored_at) == ("restored", bj("2026-03-16 16:30"))
    # An agent may read it but not change it.
    assert page(cast.agent).post(f"/outages/{notice.number}/close/").status_code == 403


def test_a_bad_form_says_what_is_wrong(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    load_grid()
    bad = page(cast.leader).post(
        "/outages/new/",
        {
            "kind": "planned",
            "start_at": "2026-03-16T09:00",
            "expected_restoration_at": "2026-03-16T08:00",
            "cause": "线路检修",
            "elements": "B-CG1",
        },
    )
    assert bad.status_code == 422
    assert "不晚于停电开始时间" in bad.content.decode()
    assert not OutageNotice.objects.exists()


def test_the_intake_page_answers_a_repair_from_the_outage(cast: Cast, outage: OutageNotice) -> None:
    agent = page(cast.agent)
    panel = agent.get(f"/intake/customer/{cast.urban.account_number}/").content.decode()
    assert f'data-notice="{outage.number}"' in panel
    assert "按此停电信息答复" in panel
    answered = agent.post(
        "/intake/",
        {
            "customer_account": cast.urban.account_number,
            "request_type": "complaint",  # whatever the form was left at, with what
            "complaint_object": "供电所",  # was typed for it
            "callback_method": "sms",
            "channel": "phone",
            "description": "",
            "outage_notice": outage.number,
            "notify_restored": "on",
        },
    )
    assert answered.status_code == 302
    assert answered["Location"] == f"/outages/{outage.number}/"
    call = NoticeCall.objects.get()
    assert (call.order.request_type, call.order.state, call.notify_restored) == (
        "repair",
        "answered",
        True,
    )


def test_the_grid_is_imported_on_a_page_and_a_bad_file_is_shown_row_by_row(cast: Cast) -> None:
    admin = page(cast.admin)
    good = admin.post("/grid/import/", {"file": SimpleUploadedFile("grid.csv", GRID.encode())})
    assert good.status_code == 200
    assert "新增 7" in good.content.decode()
    bad_csv = "编码,名称,层级,上级编码\nT-X,某台区,台区,NO-SUCH\n"
    bad = admin.post("/grid/import/", {"file": SimpleUploadedFile("bad.csv", bad_csv.encode())})
    assert bad.status_code == 422
    body = bad.content.decode()
    assert "NO-SUCH" in body
    assert "未保存任何内容" in body
    assert GridElement.objects.count() == 7


def test_the_handover_lists_the_outages(cast: Cast, outage: OutageNotice) -> None:
    handover = sign_handover(actor=cast.leader, shift_start=bj("2026-03-10 08:00"))
    assert [n["number"] for n in handover.snapshot["outages"]] == [outage.number]
    shown = page(cast.leader).get(f"/handover/{handover.pk}/").content.decode()
    assert outage.number in shown
    assert "正在停电" in shown
