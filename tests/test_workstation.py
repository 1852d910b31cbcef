"""The workstation as a shift lives in it (page level; the browser tests click the same).

Each test here is one defect found by trying the pages as an agent, a shift leader or a crew
would, and fails on the pages as they were before it was fixed."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable

from django.core.checks import run_checks
from django.test import Client

from kefu.accounts.models import User
from kefu.callbacks.models import CallbackTask
from kefu.contact.services import sign_handover
from kefu.outbox.models import Message, MessageChannel
from kefu.outbox.services import queue_message
from kefu.supervision.summary import shift_counts
from kefu.tickets import services
from kefu.tickets.models import WorkOrder
from kefu.web import checks
from tests.conftest import Cast, bj
from tests.flows import RESTORED, accept, dispatch

Freeze = Callable[[str | dt.datetime], dt.datetime]


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _intake_form(**fields: str) -> dict[str, str]:
    return {"request_type": "repair", "channel": "phone", "description": "", **fields}


def test_a_repeat_caller_is_linked_from_the_customer_panel_and_the_duplicate_warning(
    cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-10 09:00")
    open_repair = dispatch(cast, accept(cast, "repair"))
    agent = client_for(cast.agent)
    panel = agent.get(f"/intake/customer/{cast.urban.account_number}/").content.decode()
    assert f'name="link_to" value="{open_repair.number}"' in panel
    # The form around the buttons holds no other link_to field that would win over them.
    page = agent.get("/intake/").content.decode()
    assert 'name="link_to" value=""' not in page
    # The button's value is the whole request: no words needed for a repeat call.
    linked = agent.post(
        "/intake/",
        _intake_form(customer_account=cast.urban.account_number, link_to=open_repair.number),
    )
    assert linked.status_code == 302
    assert linked["Location"] == f"/orders/{open_repair.number}/"
    open_repair.refresh_from_db()
    assert open_repair.urge_count == 1
    # The duplicate warning, and the Chinese it is said in.
    duplicate = agent.post(
        "/intake/",
        _intake_form(customer_account=cast.urban.account_number, description="又停电了"),
    )
    assert duplicate.status_code == 409
    text = duplicate.content.decode()
    assert f'name="link_to" value="{open_repair.number}"' in text
    assert "该客户已有在办的故障报修工单" in text
    assert "link the call" not in text


def test_a_callback_answer_is_never_preselected(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    order = dispatch(cast, accept(cast, "complaint", topic="billing"))
    services.acknowledge_order(actor=cast.yxb, number=order.number)
    services.reply_order(actor=cast.yxb, number=order.number, result="已处理")
    services.approve_order(actor=cast.leader, number=order.number)
    page = client_for(cast.agent).get("/callbacks/").content.decode()
    select = re.search(r'<select id="sat-\d+" name="satisfaction" required>(.*?)</select>', page)
    assert select is not None
    options = re.findall(r'<option value="([^"]*)"( selected)?>', select.group(1))
    assert options[0] == ("", " selected")
    assert [value for value, chosen in options if chosen] == [""]
    # Sent without an answer, the attempt is refused and nothing is recorded.
    task = CallbackTask.objects.get(incident=order)
    client_for(cast.agent).post(f"/callbacks/{task.pk}/", {"reached": "yes", "satisfaction": ""})
    task.refresh_from_db()
    assert (task.attempts, task.status) == (0, "queued")


def test_the_crew_sees_the_next_deadline_first_and_what_it_can_act_on(
    cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-10 09:00")
    old_waiting = dispatch(cast, accept(cast, "repair"))  # urban: arrival 45 min
    crew = cast.crew_khzx
    services.acknowledge_order(actor=crew, number=old_waiting.number)
    services.arrive(actor=crew, number=old_waiting.number)
    services.report_on_site(actor=crew, number=old_waiting.number, findings="跳闸")
    services.restore_supply(**RESTORED, actor=crew, number=old_waiting.number)
    services.reply_order(actor=crew, number=old_waiting.number, result="已恢复")
    freeze("2026-03-10 09:30")
    later = dispatch(cast, accept(cast, "repair", cast.urban_neighbour))
    services.urge_order(actor=cast.agent, number=later.number, note="客户催促")
    freeze("2026-03-10 09:40")
    page = client_for(crew).get("/crew/").content.decode()
    # The job waiting for the center is folded away below the one the crew can act on.
    assert page.index(later.number) < page.index(old_waiting.number)
    assert page.index('<details class="more"') < page.index(f'id="job-{old_waiting.number}"')
    card = page[page.index(f'id="job-{later.number}"') :]
    card = card[: card.index("</article>")]
    assert 'class="countdown" data-deadline=' in card  # time left
    assert "催办 1 次" in card
    assert cast.urban_neighbour.name in card
    assert "接单" in card


def test_one_tap_changes_only_the_card_tapped(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    job = dispatch(cast, accept(cast, "repair"))
    crew = client_for(cast.crew_khzx)
    card = crew.post(f"/crew/{job.number}/acknowledge/", HTTP_HX_REQUEST="true")
    assert card.status_code == 200
    html = card.content.decode()
    assert html.startswith("<article") or html.lstrip().startswith("<article")
    assert f'id="job-{job.number}"' in html
    assert "<html" not in html
    assert WorkOrder.objects.get(pk=job.pk).state == "acknowledged"
    # Tapping the same step twice (two taps, a slow network) does nothing twice.
    again = crew.post(f"/crew/{job.number}/acknowledge/", HTTP_HX_REQUEST="true")
    assert "这一步已经做过了" in again.content.decode()


def test_a_chinese_topic_routes_a_complaint_like_its_code(
    cast: Cast, token_client: Callable[[User], Client], freeze: Freeze
) -> None:
    freeze("2026-03-10 09:00")
    ivr = token_client(cast.ivr)
    body = {
        "request_type": "complaint",
        "description": "频繁停电",
        "customer_account": cast.rural.account_number,
        "topic": "停电",
    }
    created = ivr.post("/api/orders", json.dumps(body), content_type="application/json")
    assert created.status_code == 201, created.content
    order = WorkOrder.objects.get(number=created.json()["order"]["number"])
    assert (order.topic, order.suggested_department.code) == ("outage", "DDZX")
    bad = ivr.post(
        "/api/orders", json.dumps({**body, "topic": "外星人"}), content_type="application/json"
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "topic"
    # The intake page offers the policy's topics by their Chinese names.
    page = client_for(cast.agent).get("/intake/").content.decode()
    assert '<option value="outage">停电</option>' in page


def test_intake_shows_and_sends_only_the_chosen_types_fields(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    page = client_for(cast.agent).get("/intake/").content.decode()
    topic_box = re.search(r'<div data-for-types="([^"]+)"><label for="id_topic"', page)
    assert topic_box is not None
    assert topic_box.group(1).split() == ["complaint", "praise", "suggestion"]
    # A repair posted with a topic and a supply scheme left over carries neither.
    client_for(cast.agent).post(
        "/intake/",
        _intake_form(
            customer_account=cast.urban.account_number,
            description="停电",
            topic="billing",
            supply_scheme="hv_dual",
            confirm_new="on",
        ),
    )
    repair = WorkOrder.objects.get(request_type="repair")
    assert (repair.topic, repair.supply_scheme) == ("", "")


def test_the_board_counts_what_the_api_counts_and_shows_the_deadline_that_matters(
    cast: Cast, freeze: Freeze, token_client: Callable[[User], Client]
) -> None:
    freeze("2026-03-10 09:00")
    late = dispatch(cast, accept(cast, "repair"))  # arrival 09:45, return window 09:05
    accept(cast, "complaint", cast.rural, topic="billing")  # to dispatch
    returned = dispatch(cast, accept(cast, "complaint", cast.remote, topic="billing"))
    services.return_order(actor=cast.yxb, number=returned.number, reason="非本部门")
    freeze("2026-03-10 09:50")
    api = token_client(cast.leader).get("/api/supervision/summary").json()
    # Overdue: the repair's arrival, and the dispatch of both complaints (30 minutes).
    assert (api["overdue"], api["undispatched"], api["returned"]) == (3, 1, 1)
    board = client_for(cast.leader).get("/board/").content.decode()
    for name in ("overdue", "due_soon", "undispatched", "returned", "to_review", "callbacks_due"):
        found = re.search(rf'id="count-{name}"[^>]*><span class="value">(\d+)</span>', board)
        assert found is not None, name
        assert int(found.group(1)) == api[name], name
    row = board[board.index(f'data-key="{late.number}"') :]
    row = row[: row.index("</tr>")]
    assert "到达现场" in row  # the arrival, not the return window
    assert "03-10 09:45" in row  # the absolute time beside the countdown
    assert "退单" not in row


def test_counts_are_shared_for_a_few_seconds_within_one_list_scope_only(
    cast: Cast, freeze: Freeze, settings: object
) -> None:
    settings.KEFU_SHARED_COUNTS_SECONDS = 5  # type: ignore[attr-defined]
    freeze("2026-03-10 09:00")
    accept(cast, "complaint", cast.rural, topic="billing")
    assert shift_counts(cast.leader).undispatched == 1
    returned = dispatch(cast, accept(cast, "complaint", cast.remote, topic="billing"))
    services.return_order(actor=cast.yxb, number=returned.number, reason="非本部门")
    queue_message(channel=MessageChannel.IN_APP, kind="urge", body="催办", to_user=cast.leader)
    freeze("2026-03-10 09:00:04")
    # Another user listing every order shares the leader's count of four seconds ago;
    # the unread messages are each user's own and always counted now.
    assert shift_counts(cast.agent).undispatched == 1
    assert shift_counts(cast.agent).returned == 0
    assert shift_counts(cast.leader).unread == 1
    # A department lists its own orders: never the center's shared counts.
    assert shift_counts(cast.yxb).undispatched == 0
    freeze("2026-03-10 09:00:05")
    fresh = shift_counts(cast.agent)
    assert (fresh.undispatched, fresh.returned) == (1, 1)
    # A count asked for at a moment is counted then, never shared.
    settings.KEFU_SHARED_COUNTS_SECONDS = 3600  # type: ignore[attr-defined]
    accept(cast, "complaint", cast.urban, topic="billing")
    assert shift_counts(cast.agent).undispatched == 1
    assert shift_counts(cast.agent, now=bj("2026-03-10 09:00:06")).undispatched == 2


def test_the_feed_of_urges_is_acknowledged_with_one_click(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    order = accept(cast, "repair")
    message = queue_message(
        channel=MessageChannel.IN_APP, kind="urge", body="催办", to_user=cast.leader, order=order
    )
    leader = client_for(cast.leader)
    board = leader.get("/board/").content.decode()
    assert f'id="message-{message.pk}"' in board
    assert "催办(超时)" in board or "催办（超时）" in board  # the level's title, from the policy
    assert 'id="badge-messages"' in board
    done = leader.post(f"/messages/{message.pk}/acknowledge/", HTTP_HX_REQUEST="true")
    assert "已读" in done.content.decode()
    message.refresh_from_db()
    assert (message.read_by, message.read_at is not None) == (cast.leader, True)
    other = client_for(cast.agent).post(f"/messages/{message.pk}/acknowledge/")
    assert other.status_code == 404  # not in the agent's inbox
    assert Message.objects.get(pk=message.pk).read_by == cast.leader


def test_the_order_page_after_a_return(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    order = dispatch(cast, accept(cast, "complaint", topic="billing"))  # YXB, suggested
    services.return_order(actor=cast.yxb, number=order.number, reason="非本部门")
    page = client_for(cast.agent).get(f"/orders/{order.number}/").content.decode()
    # Re-dispatch is not preset to the department that just returned it.
    select = page[page.index('id="id_dispatch-department"') :]
    select = select[: select.index("</select>")]
    assert "selected" not in select.replace('value="" selected', "")
    # The actions sit beside the summary; the timeline follows the summary directly.
    assert page.index('class="card actions"') > page.index('id="timeline-h"')
    assert '<details id="action-dispatch-box" open>' in page
    # When each stage was done.
    assert "03-10 09:00" in page[page.index('id="clocks-h"') :]


def test_handover_lists_open_and_only_the_incoming_leader_takes_over(
    cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-10 09:00")
    overdue = accept(cast, "repair")
    freeze("2026-03-10 10:00")
    handover = sign_handover(actor=cast.leader, shift_start=bj("2026-03-10 02:00"))
    outgoing = client_for(cast.leader).get(f"/handover/{handover.pk}/").content.decode()
    assert f'href="/orders/{overdue.number}/"' in outgoing
    assert "交接时已超时" in outgoing
    assert 'name="acknowledge"' not in outgoing  # never offered to the outgoing leader
    listing = client_for(cast.leader).get("/handover/").content.decode()
    assert f'name="acknowledge" value="{handover.pk}"' not in listing
    incoming_user = User.objects.create_user(
        username="leader2", password=None, role="shift_leader", full_name="夜班值班长"
    )
    incoming = client_for(incoming_user).get(f"/handover/{handover.pk}/").content.decode()
    assert f'name="acknowledge" value="{handover.pk}"' in incoming
    refused = client_for(cast.leader).post("/handover/", {"acknowledge": str(handover.pk)})
    assert "交班值班长不能自己接班" in refused.content.decode()


def test_reference_pages_speak_the_readers_language(cast: Cast) -> None:
    policy = client_for(cast.agent).get("/policy/").content.decode()
    for code in ("dispatch", "arrival", "urban", "sample", "shift_leader", "shared/reference"):
        assert code not in policy.split("<main", 1)[1], code
    assert "抽样回访" in policy
    english = client_for(cast.agent).get("/policy/", HTTP_ACCEPT_LANGUAGE="en")
    cast.agent.language = "en"
    cast.agent.save()
    client = client_for(cast.agent)
    client.cookies["django_language"] = "en"
    english_text = client.get("/policy/").content.decode()
    assert english.status_code == 200
    assert "Repair" in english_text
    assert "故障报修" not in english_text.split("<main", 1)[1]
    department = client_for(cast.leader).get("/departments/KHZX/").content.decode()
    assert "repair" not in department.split("<main", 1)[1]
    assert "0.00" not in department


def test_the_customer_page_shows_calls_and_opens_intake_for_them(
    cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-10 09:00")
    fault = accept(cast, "repair")
    services.link_call(
        actor=cast.agent,
        intake=services.Intake(
            request_type="repair",
            channel="phone",
            description="邻居也停电",
            customer_account=cast.urban_neighbour.account_number,
        ),
        parent_number=fault.number,
    )
    page = (
        client_for(cast.agent)
        .get(f"/customers/{cast.urban_neighbour.account_number}/")
        .content.decode()
    )
    assert f'href="/orders/{fault.number}/"' in page  # the call is linked to the fault
    assert f"/intake/?account={cast.urban_neighbour.account_number}" in page
    intake = (
        client_for(cast.agent)
        .get(f"/intake/?account={cast.urban_neighbour.account_number}")
        .content.decode()
    )
    assert 'id="customer-profile"' in intake


def test_the_calendar_has_weekdays_a_legend_and_today(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    page = client_for(cast.agent).get("/calendar/2026/").content.decode()
    assert '<th scope="col">一</th>' in page
    assert 'class="legend"' in page
    assert 'aria-current="date"' in page


def test_the_department_page_pages_its_orders(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    for _ in range(55):
        dispatch(cast, accept(cast, "complaint", topic="billing"))
    page = client_for(cast.leader).get("/departments/YXB/").content.decode()
    assert "第 1 页，共 2 页" in page
    assert "page=2" in page


def test_a_missing_front_end_file_stops_start_up_naming_the_command(
    monkeypatch: object,
) -> None:
    assert [e for e in run_checks() if e.id == "kefu.E001"] == []
    missing = {"web/vendor/not-installed.js": "htmx.org"}
    monkeypatch.setattr(checks, "FRONT_END_ASSETS", missing)  # type: ignore[attr-defined]
    errors = [e for e in run_checks() if e.id == "kefu.E001"]
    assert len(errors) == 1
    assert "not-installed.js" in errors[0].msg
    assert "make install" in (errors[0].hint or "")
