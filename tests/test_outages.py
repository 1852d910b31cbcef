"""Outage information: the grid from CSV, notices and the notice-time rule, the intake
check, calls answered from a notice, and who is told in what order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kefu.core.errors import IllegalTransition, InvalidInput, PermissionDenied
from kefu.customers.models import Customer
from kefu.outages import check, notice_import, notifications, services
from kefu.outages.models import (
    CustomerNotification,
    GridElement,
    NoticeCall,
    NoticeEvent,
    NotificationChannel,
    OutageNotice,
)
from kefu.outages.topology import customers_under, line_of, transformer_of
from kefu.outages.topology_import import import_grid
from kefu.outbox.models import Message
from kefu.tickets.models import WorkOrder
from kefu.tickets.states import State
from tests.conftest import Cast, bj
from tests.flows import GRID, intake

Freeze = Callable[[str | dt.datetime], dt.datetime]


@pytest.fixture
def grid(cast: Cast) -> dict[str, GridElement]:
    report = import_grid(GRID.encode())
    assert report.ok, report.errors
    # The cast's customers: two on 城关1-1, the others on the second feeder.
    Customer.objects.filter(pk__in=[cast.rural.pk, cast.remote.pk, cast.business.pk]).update(
        transformer="城关2-1号台区"
    )
    for customer in (cast.rural, cast.remote, cast.business):
        customer.refresh_from_db()
    return {e.code: e for e in GridElement.objects.all()}


def test_a_grid_file_is_loaded_as_a_tree_to_walk_up_and_down(
    grid: dict[str, GridElement], cast: Cast
) -> None:
    transformer = transformer_of(cast.urban)
    assert transformer is not None
    assert transformer.code == "城关1-1号台区"
    assert [e.code for e in line_of(transformer)] == ["SUB-CG", "F-CG1", "B-CG1", "城关1-1号台区"]
    assert set(customers_under([grid["F-CG1"]])) == {cast.urban, cast.urban_neighbour}
    assert customers_under([grid["SUB-CG"]]).count() == 5
    assert grid["B-CG1"].department is not None
    assert grid["B-CG1"].department.code == "KHZX"


def test_a_re_import_updates_in_place_and_moves_subtrees(
    grid: dict[str, GridElement], cast: Cast
) -> None:
    # The branch moves to the second feeder and is renamed; its transformers follow.
    moved = "code,name,level,parent\nB-CG1,城关一回线1号分支(改接),branch,F-CG2\n"
    report = import_grid(moved)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    branch = GridElement.objects.get(code="B-CG1")
    assert branch.pk == grid["B-CG1"].pk
    assert branch.name == "城关一回线1号分支(改接)"
    assert set(customers_under([GridElement.objects.get(code="F-CG2")])) == set(
        Customer.objects.all()
    )
    again = import_grid(GRID)
    assert (again.created, again.updated, again.unchanged) == (0, 1, 6)


def test_a_file_with_one_bad_row_is_refused_whole_with_the_line_column_and_reason(
    cast: Cast,
) -> None:
    bad = (
        "code,name,level,parent,department\n"
        "SUB-A,甲变电站,substation,,\n"
        "F-A,甲一回线,feeder,SUB-A,\n"
        "T-A,甲1号台区,transformer,F-X,\n"  # line 4: no such parent
        "T-B,,transformer,F-A,\n"  # line 5: no name
        "T-C,丙台区,台区,SUB-A,\n"  # line 6: a transformer under a substation
        "F-A,重复,feeder,SUB-A,\n"  # line 7: the code again
        "T-D,丁台区,变电所,F-A,NOPE\n"  # line 8: unknown level and department
    )
    report = import_grid(bad)
    assert not report.ok
    found = {(e.line, e.column) for e in report.errors}
    assert found == {
        (4, "parent"),
        (5, "name"),
        (6, "parent"),
        (7, "code"),
        (8, "department"),
        (8, "level"),
    }
    assert "F-X" in next(e.reason for e in report.errors if e.line == 4)
    assert GridElement.objects.count() == 0  # nothing saved


def test_a_file_from_excel_in_gb18030_and_one_file_per_level(cast: Cast) -> None:
    substations = "编码,名称\nSUB-B,乙变电站\n".encode("gb18030")
    assert import_grid(substations, level="substation").ok
    feeders = "编码,名称,上级编码\nF-B,乙一回线,SUB-B\n".encode("gb18030")
    assert import_grid(feeders, level="feeder").ok
    assert GridElement.objects.get(code="F-B").parent == GridElement.objects.get(code="SUB-B")


def test_a_loop_in_the_tree_is_refused(grid: dict[str, GridElement]) -> None:
    report = import_grid(
        "code,name,level,parent\nB-CG1,分支,branch,B-CG2\nB-CG2,分支二,branch,B-CG1\n"
    )
    assert {(e.line, e.column) for e in report.errors} == {(2, "parent"), (3, "parent")}


def _draft(cast: Cast, kind: str, start: str, **extra: object) -> OutageNotice:
    return services.draft_notice(
        actor=cast.leader,
        draft=services.NoticeDraft(
            kind=kind,
            start_at=bj(start),
            expected_restoration_at=bj(start) + dt.timedelta(hours=6),
            cause="线路检修",
            elements=("B-CG1",),
            requested_by="SJB",
            **extra,  # type: ignore[arg-type]
        ),
    )


@pytest.mark.parametrize(
    ("kind", "published", "late"),
    [
        ("planned", "2026-03-04 09:00", False),  # 7 days before 03-11 09:00
        ("planned", "2026-03-04 09:01", True),  # 6 days 23 h 59 min
        ("planned", "2026-03-05 09:00", True),  # 6 days
        ("temporary", "2026-03-10 09:00", False),  # 24 hours
        ("temporary", "2026-03-10 10:00", True),  # 23 hours
        ("fault", "2026-03-11 10:00", False),  # no notice time for faults
    ],
)
def test_the_notice_time_rule_is_judged_at_publication(
    grid: dict[str, GridElement], cast: Cast, freeze: Freeze, kind: str, published: str, late: bool
) -> None:
    freeze("2026-03-01 08:00")
    notice = _draft(cast, kind, "2026-03-11 09:00")
    freeze(published)
    notice = services.publish_notice(actor=cast.leader, number=notice.number)
    assert (notice.state, notice.late) == ("published", late)
    event = NoticeEvent.objects.get(notice=notice, kind="published")
    assert event.new["late"] is late
    assert event.actor == cast.leader
    counted = services.late_notices_by_department(bj("2026-03-01 00:00"), bj("2026-04-01 00:00"))
    assert counted == ({"SJB": 1} if late else {})


def test_the_intake_check_finds_the_outage_over_a_customers_transformer(
    grid: dict[str, GridElement], cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-10 08:00")
    notice = services.publish_notice(
        actor=cast.leader, number=_draft(cast, "temporary", "2026-03-11 09:00").number
    )
    coming = check.check(account=cast.urban.account_number)
    assert [o.notice.number for o in coming.outages] == [notice.number]
    assert not coming.outages[0].current
    assert "线路检修" in coming.outages[0].say
    freeze("2026-03-11 10:00")
    now = check.check(phone=cast.urban_neighbour.phone)
    assert now.outages[0].current
    assert now.customers == [cast.urban_neighbour]
    assert check.check(customer=cast.rural).outages == []  # the other feeder
    services.restore_notice(actor=cast.leader, number=notice.number)
    assert check.check(account=cast.urban.account_number).outages == []


def test_a_notice_by_addresses_covers_the_customers_living_there(
    grid: dict[str, GridElement], cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-11 10:00")
    notice = services.draft_notice(
        actor=cast.leader,
        draft=services.NoticeDraft(
            kind="fault",
            start_at=bj("2026-03-11 09:30"),
            expected_restoration_at=bj("2026-03-11 13:00"),
            cause="电缆故障",
            addresses="桃花镇人民路\n",
        ),
    )
    services.publish_notice(actor=cast.leader, number=notice.number)
    assert [o.notice.pk for o in check.check(customer=cast.rural).outages] == [notice.pk]
    assert check.check(customer=cast.urban).outages == []
    assert [o.notice.pk for o in check.check(address="青山县桃花镇人民路5号").outages] == [
        notice.pk
    ]


def test_a_call_answered_from_a_notice_is_recorded_and_told_when_power_is_back(
    grid: dict[str, GridElement], cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-11 08:00")
    notice = _draft(cast, "temporary", "2026-03-11 09:00")
    services.publish_notice(actor=cast.leader, number=notice.number)
    freeze("2026-03-11 10:00")
    call = services.answer_from_notice(
        actor=cast.agent, intake=intake("repair", cast.urban), number=notice.number
    )
    order = call.order
    assert (order.state, order.request_type) == (State.ANSWERED, "repair")
    assert order.closed_at is not None
    assert order.holder is None
    explained = order.events.get(kind="outage_explained")
    assert explained.new["outage_notice"] == notice.number
    assert "线路检修" in explained.note
    assert NoticeCall.objects.filter(notice=notice).count() == 1
    freeze("2026-03-11 14:00")
    before = Message.objects.filter(address=cast.urban.phone).count()
    services.restore_notice(actor=cast.leader, number=notice.number)
    told = Message.objects.filter(address=cast.urban.phone, kind="outage_notice")
    # The customer's own notice of restoration, and the caller's as they asked.
    assert told.count() - before == 2
    assert all("恢复" in m.body or "送电" in m.body for m in told.order_by("-id")[:2])


def test_a_repair_only_and_only_while_published(
    grid: dict[str, GridElement], cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-11 08:00")
    notice = _draft(cast, "temporary", "2026-03-11 09:00")
    with pytest.raises(IllegalTransition):
        services.answer_from_notice(
            actor=cast.agent, intake=intake("repair", cast.urban), number=notice.number
        )
    services.publish_notice(actor=cast.leader, number=notice.number)
    with pytest.raises(InvalidInput):
        services.answer_from_notice(
            actor=cast.agent,
            intake=intake("complaint", cast.urban, topic="outage"),
            number=notice.number,
        )
    with pytest.raises(PermissionDenied):
        services.publish_notice(actor=cast.agent, number=notice.number)
    assert WorkOrder.objects.count() == 0


def test_key_customers_are_told_first_by_phone_and_sms(
    grid: dict[str, GridElement], cast: Cast, freeze: Freeze
) -> None:
    Customer.objects.filter(pk=cast.urban_neighbour.pk).update(important_class="first")
    freeze("2026-03-01 08:00")
    notice = _draft(cast, "planned", "2026-03-11 09:00")
    services.publish_notice(actor=cast.leader, number=notice.number)
    sms = list(Message.objects.filter(kind="outage_notice").order_by("id"))
    assert [m.to_customer_id for m in sms] == [cast.urban_neighbour.pk, cast.urban.pk]
    calls = list(notifications.calls_to_make())
    assert [c.customer_id for c in calls] == [cast.urban_neighbour.pk]
    rows = CustomerNotification.objects.filter(customer=cast.urban_neighbour)
    assert {r.channel for r in rows} == {NotificationChannel.PHONE, NotificationChannel.SMS}
    done = notifications.record_call(actor=cast.agent, notification_id=calls[0].pk, reached=True)
    assert done.status == "done"
    assert list(notifications.calls_to_make()) == []


def test_changing_a_published_notice_is_an_event_and_tells_the_customers_again(
    grid: dict[str, GridElement], cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-01 08:00")
    notice = _draft(cast, "planned", "2026-03-11 09:00")
    services.publish_notice(actor=cast.leader, number=notice.number)
    later = bj("2026-03-11 18:00")
    services.update_notice(
        actor=cast.leader,
        number=notice.number,
        changes={"expected_restoration_at": later},
        elements=["F-CG1"],
        note="工期延长",
    )
    event = NoticeEvent.objects.get(notice=notice, kind="updated")
    assert event.old["elements"] == ["B-CG1"]
    assert event.new["elements"] == ["F-CG1"]
    assert event.new["expected_restoration_at"] == later.isoformat()
    assert CustomerNotification.objects.filter(notice=notice, reason="updated").count() == 2
    with pytest.raises(InvalidInput):
        services.update_notice(
            actor=cast.leader, number=notice.number, changes={"start_at": bj("2026-03-12 09:00")}
        )
    assert OutageNotice.objects.get(pk=notice.pk).expected_restoration_at == later


def test_an_important_customers_named_contact_gets_its_outage_notices(
    grid: dict[str, GridElement], cast: Cast, freeze: Freeze
) -> None:
    Customer.objects.filter(pk=cast.urban_neighbour.pk).update(
        important_class="second", outage_contact_name="赵电工", outage_contact_phone="13300000009"
    )
    freeze("2026-03-01 08:00")
    notice = _draft(cast, "planned", "2026-03-11 09:00")
    services.publish_notice(actor=cast.leader, number=notice.number)
    to_neighbour = Message.objects.get(kind="outage_notice", to_customer=cast.urban_neighbour)
    assert to_neighbour.address == "13300000009"  # the contact, not the account's phone
    [call] = notifications.calls_to_make()
    assert (call.customer_id, call.phone) == (cast.urban_neighbour.pk, "13300000009")
    # Everyone else's notice goes to their own phone.
    assert Message.objects.get(kind="outage_notice", to_customer=cast.urban).address == (
        cast.urban.phone
    )
    page = Client()
    page.force_login(cast.agent)
    html = page.get("/outages/calls/").content.decode()
    assert "赵电工" in html
    assert "13300000009" in html


NOTICES_CSV = (
    "停电类型,停电开始时间,预计送电时间,停电原因,停电范围,停电地址,停电线路,申请部门\n"
    "计划停电,2026-03-09 08:00,2026-03-09 18:00,10kV城关一回线检修,B-CG1,,10kV城关一回线,SJB\n"
    "临时停电,2026-03-02 20:00,2026-03-02 23:00,抢修配合,城关2-1号台区;城关1-2号台区,"
    "青山镇3组、青山镇4组,,DDZX\n"
)


def test_notices_are_imported_from_a_csv_file_and_judged_at_publication(
    grid: dict[str, GridElement], cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-02 08:00")
    report = notice_import.import_notices(
        actor=cast.leader, data=NOTICES_CSV.encode("gb18030"), publish=True
    )
    assert report.ok, report.errors
    planned, temporary = report.notices
    # Seven days ahead is in time; twelve hours for a temporary outage is not (24 hours).
    assert (planned.kind, planned.state, planned.late) == ("planned", "published", False)
    assert (temporary.kind, temporary.late) == ("temporary", True)
    assert temporary.address_lines() == ["青山镇3组", "青山镇4组"]
    assert sorted(temporary.elements.values_list("code", flat=True)) == [
        "城关1-2号台区",
        "城关2-1号台区",
    ]
    assert planned.start_at == bj("2026-03-09 08:00")
    assert planned.requested_by is not None
    assert planned.requested_by.code == "SJB"
    late = services.late_notices_by_department(bj("2026-03-01 00:00"), bj("2026-04-01 00:00"))
    assert late == {"DDZX": 1}
    assert NoticeEvent.objects.filter(kind="published").count() == 2


def test_a_notice_file_with_bad_rows_is_refused_whole(
    grid: dict[str, GridElement], cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-02 08:00")
    bad = (
        "kind,start,expected,cause,area,requested_by\n"
        "planned,2026-03-20 08:00,2026-03-20 18:00,检修,B-CG1,SJB\n"
        "停电,2026-03-20 08:00,2026-03-20 18:00,检修,B-CG1,\n"  # line 3: no such kind
        "planned,明天,2026-03-20 18:00,检修,B-CG1,\n"  # line 4: not a time
        "planned,2026-03-20 08:00,2026-03-20 07:00,检修,B-CG1,\n"  # line 5: ends first
        "planned,2026-03-20 08:00,2026-03-20 18:00,检修,B-NONE,\n"  # line 6: no element
        "planned,2026-03-20 08:00,2026-03-20 18:00,,B-CG1,\n"  # line 7: no cause
        "planned,2026-03-20 08:00,2026-03-20 18:00,检修,,\n"  # line 8: no area
        "planned,2026-03-20 08:00,2026-03-20 18:00,检修,B-CG1,NOPE\n"  # line 9: department
    )
    report = notice_import.import_notices(actor=cast.leader, data=bad.encode())
    assert not report.ok
    assert [(e.line, e.column) for e in report.errors] == [
        (3, "kind"),
        (4, "start"),
        (5, "expected"),
        (6, "area"),
        (7, "cause"),
        (8, "area"),
        (9, "requested_by"),
    ]
    assert "B-NONE" in report.errors[3].reason
    assert not OutageNotice.objects.exists()
    missing = notice_import.import_notices(actor=cast.leader, data=b"kind,start\nplanned,x\n")
    assert {e.column for e in missing.errors} == {"expected", "cause"}
    with pytest.raises(PermissionDenied):
        notice_import.import_notices(actor=cast.agent, data=NOTICES_CSV.encode())


def test_the_leader_imports_notices_on_a_page(
    grid: dict[str, GridElement], cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-01 08:00")
    page = Client()
    page.force_login(cast.leader)
    upload = SimpleUploadedFile("notices.csv", NOTICES_CSV.encode("utf-8-sig"), "text/csv")
    done = page.post("/outages/import/", {"file": upload})
    assert done.status_code == 200
    html = done.content.decode()
    assert "导入 2 条停电信息" in html
    assert OutageNotice.objects.filter(state="draft").count() == 2  # not published unasked
    wrong = SimpleUploadedFile("bad.csv", b"kind,start,expected,cause\nplanned,x,y,z\n")
    refused = page.post("/outages/import/", {"file": wrong})
    assert refused.status_code == 422
    assert "start" in refused.content.decode()
    assert OutageNotice.objects.count() == 2
