"""超时原因待说明: every late stage is asked of whoever answers for it — the department for its
own stages, the center for the center's — on a list of its own that the inbox, the crew's
jobs and the board point to, and said there; once said, it leaves the list."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable

from kefu.accounts.models import User
from kefu.tickets.late_stages import awaiting_cause
from kefu.tickets.models import Clock, OrderEvent, WorkOrder
from tests.conftest import Cast
from tests.test_access_matrix import _page_client
from tests.test_assessment import march

Freeze = Callable[[str | dt.datetime], dt.datetime]


def _listed(user: User) -> set[tuple[str, str]]:
    return {(c.order.number, c.kind) for c in awaiting_cause(user)}


def _form_for(page: str, number: str, kind: str) -> tuple[str, dict[str, str]]:
    """The row's form as the page has it: its action and hidden fields."""
    row = re.search(rf'<tr data-key="{number}-{kind}-\d+">(.*?)</tr>', page, re.S)
    assert row, (number, kind)
    action = re.search(r'<form method="post" action="([^"]+)"', row.group(1))
    assert action
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', row.group(1)))
    return action.group(1), {k: html.unescape(v) for k, v in fields.items()}


def test_each_is_asked_why_its_own_stages_were_late_and_says_it_from_the_list(
    cast: Cast, freeze: Freeze
) -> None:
    march(cast, freeze)
    freeze("2026-04-01 09:00")
    b = WorkOrder.objects.get(customer=cast.remote)
    c = WorkOrder.objects.get(customer=cast.urban)
    # Worked out from the month: B came back late from dispatch (DDZX) and its result was a
    # day late with marketing (YXB); C's crew (KHZX) arrived late; the center reported C to
    # the city late. Each sees its own, nobody else's.
    assert _listed(cast.yxb) == {(b.number, "result")}
    assert _listed(cast.ddzx) == {(b.number, "return")}
    assert _listed(cast.crew_khzx) == {(c.number, "arrival")}
    assert (c.number, "city_report") in _listed(cast.agent)
    assert _listed(cast.agent) == _listed(cast.leader)
    assert not _listed(cast.agent) & (_listed(cast.yxb) | _listed(cast.crew_khzx))
    assert _listed(cast.zgb) == set()
    assert _listed(cast.assessor) == set()

    # Each place the holder starts from points to the list, with the count.
    yxb = _page_client(cast.yxb)
    assert "1 个超时环节待说明原因" in yxb.get("/inbox/").content.decode()
    crew = _page_client(cast.crew_khzx)
    assert 'id="late-stages-notice"' in crew.get("/crew/").content.decode()
    assert 'id="late-stages-notice"' in _page_client(cast.agent).get("/board/").content.decode()
    assert 'id="late-stages-notice"' not in _page_client(cast.zgb).get("/inbox/").content.decode()
    assert _page_client(cast.assessor).get("/late-stages/").status_code == 403

    page = yxb.get("/late-stages/").content.decode()
    assert re.findall(r'<tr data-key="(\d+)-', page) == [b.number]
    action, fields = _form_for(page, b.number, "result")
    # Nothing said: refused with the reason, nothing kept.
    empty = yxb.post(action, {**fields, "late_cause-cause": "  "})
    assert empty.status_code == 400
    # The order page answers it, the error beside the stage's form.
    assert re.search(r'id="late-cause-errors"><p>这个字段是必填项。', empty.content.decode())
    assert Clock.objects.get(order=b, kind="result").late_cause == ""
    said = yxb.post(action, {**fields, "late_cause-cause": "需调阅抄表记录，等待营业厅回复"})
    assert said.status_code == 302
    assert said["Location"] == "/late-stages/"
    assert Clock.objects.get(order=b, kind="result").late_cause == "需调阅抄表记录，等待营业厅回复"
    event = OrderEvent.objects.get(order=b, kind="late_cause")
    assert (event.actor, event.note) == (cast.yxb, "需调阅抄表记录，等待营业厅回复")
    after = yxb.get("/late-stages/").content.decode()
    assert b.number not in after
    assert "每个由您说明的超时环节都已说明原因" in after
    assert 'id="late-stages-notice"' not in yxb.get("/inbox/").content.decode()
    # The others' lists are as they were; the department that returned B late, though it
    # no longer holds it, says why from its own list too.
    assert _listed(cast.crew_khzx) == {(c.number, "arrival")}
    ddzx = _page_client(cast.ddzx)
    page = ddzx.get("/late-stages/").content.decode()
    action, fields = _form_for(page, b.number, "return")
    said = ddzx.post(action, {**fields, "late_cause-cause": "系统转派延迟"})
    assert said.status_code == 302
    assert Clock.objects.get(order=b, kind="return", round=1).late_cause == "系统转派延迟"
    assert _listed(cast.ddzx) == set()
