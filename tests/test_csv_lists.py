"""Every list's CSV, fetched as a user fetches it: the export link on the page, followed with
its filters, gives every row the list has (not one page), with Chinese headings, Beijing
times, numbers as numbers, and nothing a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from kefu.outbox.models import MessageChannel
from kefu.outbox.services import queue_message
from kefu.supervision.sweep import sweep
from kefu.tickets import services
from kefu.tickets.filters import OrderFilter, filter_orders
from kefu.tickets.models import WorkOrder
from kefu.web.csv_export import BOM, cell
from tests.conftest import Cast, bj
from tests.flows import accept, dispatch
from tests.surfaces import CSV_LISTS
from tests.test_access_matrix import _page_client, _world

Freeze = Callable[[str | dt.datetime], dt.datetime]

LINK = re.compile(r'<a class="button secondary small export-csv" href="([^"]*)">')


def _export(client: Client, path: str, query: dict[str, str] | None = None) -> tuple[str, Any]:
    """The page, and the CSV its export link gives (the link is read off the page)."""
    page = client.get(path, query or {})
    assert page.status_code == 200, path
    text = page.content.decode()
    found = LINK.search(text)
    assert found, f"{path} has no CSV export link"
    href = html.unescape(found.group(1))
    assert href.startswith("?")
    assert "format=csv" in href
    response = client.get(path + href)
    assert response.status_code == 200, path
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="[\w.-]+\.csv"', response["Content-Disposition"])
    return text, response


def _rows(response: Any) -> list[list[str]]:
    raw = b"".join(response.streaming_content).decode("utf-8")
    assert raw.startswith(BOM), "Excel on a Chinese desktop needs the byte-order mark"
    return list(csv.reader(io.StringIO(raw[len(BOM) :])))


#: Per list: who looks, where, what marks a row on the page (its key, or None to count rows),
#: and which CSV column holds the same key.
LISTS: dict[str, tuple[str, str, str, int | None]] = {
    "board": ("leader", "/board/", r'<tr data-key="([^"]+)"', 0),
    "inbox": ("yxb", "/inbox/", r'<tr data-key="([^"]+)"', 0),
    "review": ("leader", "/review/", r'<tr data-key="([^"]+)"', 0),
    "department": ("yxb", "/departments/YXB/", r'<tr data-key="([^"]+)"', 0),
    "customer": ("leader", "/customers/{account_number}/", r'<tr><td><a href="/orders/(\d+)/"', 0),
    "callbacks": (
        "leader",
        "/callbacks/",
        r'<tr data-key="cb\d+">\s*<td><a href="/orders/(\d+)/"',
        0,
    ),
    "late-stages": ("yxb", "/late-stages/", r'<tr data-key="(\d+)-', 0),
    "handover": ("leader", "/handover/", r'<td class="nowrap"><a href="/handover/\d+/">', None),
    "messages": ("yxb", "/messages/", r'<li data-key="m\d+"', None),
    "outages": ("leader", "/outages/", r'<tr data-notice="([^"]+)"', 0),
    "outage-calls": ("leader", "/outages/calls/", r'<tr data-call="\d+"', None),
    "grid-element": ("leader", "/grid/F-CG1/", r'<li><a href="/grid/([^/]+)/">', 0),
    "incidents": ("leader", "/incidents/", r'<tr data-key="([^"]+)"', 0),
    "incident": ("leader", "/incidents/{incident}/", r'<tr data-key="([^"]+)"', 0),
    "assessments": ("leader", "/assessment/", r'<tr data-key="([^"]+)"', 0),
    "assessment-unit": (
        "leader",
        "/assessment/{assessment}/YXB/",
        r'<tr><td><a href="/(?:orders|outages)/([^/]+)/"',
        1,
    ),
    "reports": ("leader", "/reports/", r'<tr data-key="([^"]+)"', 0),
}


def test_the_table_covers_every_list_with_a_csv() -> None:
    assert set(LISTS) == CSV_LISTS


@pytest.fixture
def world(cast: Cast, freeze: Freeze) -> dict[str, Any]:
    freeze("2026-03-10 09:00")
    made = _world(cast)
    freeze("2026-03-10 10:00")
    # A repeat call (a case behind YXB's deductions), an urge in YXB's messages, a reply.
    services.urge_order(actor=cast.agent, number=made["number"], note="客户再次来电")
    queue_message(channel=MessageChannel.IN_APP, kind="urge", body="催办", to_user=cast.yxb)
    replied = dispatch(cast, accept(cast, "complaint", cast.remote, topic="billing"))
    services.acknowledge_order(actor=cast.yxb, number=replied.number)
    services.reply_order(actor=cast.yxb, number=replied.number, result="已核实处理")
    freeze("2026-03-12 10:00")
    sweep()  # stages run late: the list of causes to give
    return made


@pytest.mark.parametrize("name", sorted(LISTS))
def test_each_lists_csv_holds_the_rows_the_page_lists(
    cast: Cast, world: dict[str, Any], name: str
) -> None:
    who, path, row, column = LISTS[name]
    page, response = _export(_page_client(getattr(cast, who)), path.format(**world))
    header, *rows = _rows(response)
    assert all(not re.search(r"[A-Za-z]", h) for h in header), header  # Chinese
    on_page = re.findall(row, page)
    assert on_page, f"the world puts nothing on {name}"
    if column is None:
        assert len(rows) == len(on_page)
    else:
        assert [r[column] for r in rows] == on_page


def test_the_csv_is_every_row_of_the_filtered_list_not_one_page(
    cast: Cast, world: dict[str, Any]
) -> None:
    for index in range(40):
        accept(cast, "consultation", cast.rural, description=f"咨询电价{index}")
    leader = _page_client(cast.leader)
    page, response = _export(leader, "/board/", {"request_type": "consultation", "page": "2"})
    numbers = [r[0] for r in _rows(response)[1:]]
    listed = filter_orders(cast.leader, OrderFilter(open=True, request_type="consultation"))
    assert len(numbers) == listed.count() >= 40  # every row, though the board shows 30
    assert len(re.findall(r'<tr data-key="', page)) < len(numbers)
    assert set(numbers) == set(listed.values_list("number", flat=True))
    # The board's order: the page's rows are the file's rows in the same sequence.
    first_page = leader.get("/board/", {"request_type": "consultation"}).content.decode()
    assert re.findall(r'<tr data-key="([^"]+)"', first_page) == numbers[:30]


def test_cells_are_beijing_times_numbers_and_never_formulas(
    cast: Cast, world: dict[str, Any], freeze: Freeze
) -> None:
    freeze("2026-03-12 10:30")
    sneaky = accept(cast, "consultation", cast.rural, description='=HYPERLINK("http://x")')
    WorkOrder.objects.filter(pk=sneaky.pk).update(urge_count=3)
    _page, response = _export(_page_client(cast.leader), "/board/")
    header, *rows = _rows(response)
    row = dict(zip(header, next(r for r in rows if r[0] == sneaky.number), strict=True))
    assert row["诉求内容"] == '\'=HYPERLINK("http://x")'
    assert row["催办次数"] == "3"
    assert row["受理时间"] == "2026-03-12 10:30"  # Beijing, as the page shows it
    assert row["业务类型"] == "咨询"
    assert (row["最近时限"], row["时限到期时间"]) == ("", "")  # a consultation has none
    # A complaint's next deadline is the page's: the same stage, the same time.
    page = _page_client(cast.leader).get("/board/").content.decode()
    shown = re.search(
        rf'<tr data-key="{world["number"]}">.*?<td class="deadline">([^<]*?) <span.*?'
        r'<span class="at">(.*?)</span>',
        page,
        re.S,
    )
    assert shown
    complaint = dict(zip(header, next(r for r in rows if r[0] == world["number"]), strict=True))
    assert complaint["最近时限"] == shown.group(1) != ""
    assert complaint["时限到期时间"].endswith(shown.group(2))
    assert complaint["时限到期时间"].startswith("2026-")
    assert cell(bj("2026-03-10 02:00").astimezone(dt.UTC)) == "2026-03-10 02:00"
    assert [cell(True), cell(None), cell(2.5)] == ["是", "", 2.5]
    assert [cell(t) for t in ("+1", "-1", "@a", "a=b")] == ["'+1", "'-1", "'@a", "a=b"]


def test_a_csv_speaks_english_to_those_who_chose_it(cast: Cast, world: dict[str, Any]) -> None:
    client = _page_client(cast.leader)
    client.post("/profile/", {"language": "en"})
    _page, response = _export(client, "/outages/")
    header = _rows(response)[0]
    assert header[:3] == ["Serial number", "Kind", "State"]


def test_a_list_longer_than_one_export_is_refused_with_the_reason(
    cast: Cast, world: dict[str, Any], settings: Any
) -> None:
    settings.KEFU_CSV_MAX_ROWS = 3
    leader = _page_client(cast.leader)
    refused = leader.get("/board/", {"format": "csv"})
    assert refused.status_code == 400
    assert "这个列表超过 3 行" in refused.content.decode()
    assert refused["Content-Type"].startswith("text/html")
    # Filtered down to the limit, it exports.
    one_type = leader.get("/board/", {"format": "csv", "request_type": "repair"})
    assert one_type.status_code == 200
    assert len(_rows(one_type)) - 1 <= 3
