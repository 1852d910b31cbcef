"""The workstation in Chromium as a shift uses it: repeat callers linked from every place
that offers it, live refreshes that never touch what is being typed or chosen, a Chinese
topic that routes, the leader's counters, intake by keyboard alone, and every page in
Chinese with no English on it and no console error.

Refreshes are driven by the browser's clock (Playwright's fake timers): forty seconds of a
shift pass in a moment, without sleeping. Screenshots of every page at 1366×768 (the crew
page at 390×844) go to var/screenshots/pages/.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page

from kefu.accounts.models import Department, User
from kefu.assessment.reports import prepare_report
from kefu.assessment.services import prepare_assessment
from kefu.callbacks.models import CallbackTask
from kefu.contact.services import sign_handover
from kefu.core.calendar import BEIJING
from kefu.customers.models import Customer
from kefu.outages.models import FaultIncident, GridElement, NoticeCall
from kefu.outbox.models import Message
from kefu.supervision.sweep import sweep
from kefu.tickets import services
from kefu.tickets.models import Clock, WorkOrder
from tests.browser import DESK, SHOTS, Desk, chinese_desk
from tests.conftest import Cast
from tests.flows import accept, dispatch, intake, load_grid, published_notice

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
PAGES = SHOTS / "pages"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def desk(browser: Browser, live_server: Any, cast: Cast) -> Iterator[Desk]:
    with chinese_desk(browser, live_server.url, PAGES) as desk:
        yield desk


def _pick_customer(page: Page, text: str, account: str) -> None:
    page.wait_for_function("window.htmx !== undefined")
    page.fill("#customer-search", text)
    page.wait_for_selector(f"#customer-results button[data-account='{account}']")
    page.click(f"#customer-results button[data-account='{account}']")
    page.wait_for_selector("#customer-profile")


def test_a_repeat_caller_is_linked_from_each_of_the_three_places(desk: Desk, cast: Cast) -> None:
    fault = dispatch(cast, accept(cast, "repair"))
    page = desk.page
    desk.login(cast.agent)
    account = cast.urban.account_number

    # 1. The customer panel: 关联本次来电 beside the open order.
    desk.go("/intake/")
    _pick_customer(page, account, account)
    page.locator("#customer-profile button.link-call").click()
    page.wait_for_url(re.compile(rf"/orders/{fault.number}/$"))
    assert "客户就此工单再次来电" in page.content() or "已记录在工单" in page.content()

    # 2. The duplicate warning after saving a new repair for the same customer.
    desk.go("/intake/")
    _pick_customer(page, account, account)
    page.fill("#id_description", "又停电了")
    page.click("#save-order")
    page.wait_for_selector(".warning button.link-call")
    # The page answers the suspected duplicate with 409, as it should; Chromium logs it.
    desk.errors = [e for e in desk.errors if "status of 409" not in e]
    desk.shot("intake-duplicate-warning")
    page.locator(".warning button.link-call").first.click()
    page.wait_for_url(re.compile(rf"/orders/{fault.number}/$"))

    # 3. The preview, before saving.
    desk.go("/intake/")
    _pick_customer(page, account, account)
    page.fill("#id_description", "第三次来电催促")
    page.wait_for_selector("#preview button.link-call")
    page.locator("#preview button.link-call").click()
    page.wait_for_url(re.compile(rf"/orders/{fault.number}/$"))

    fault.refresh_from_db()
    assert fault.urge_count == 3
    assert WorkOrder.objects.filter(request_type="repair").count() == 1


def _refresh(page: Page, url_part: str, seconds: int) -> None:
    """Let `seconds` of the shift pass on the page's clock and wait for its refresh."""
    with page.expect_response(lambda r: url_part in r.url and r.request.method == "GET"):
        page.clock.run_for(seconds * 1000)
    page.evaluate("new Promise(requestAnimationFrame)")  # the merge has run


def test_a_crew_types_for_forty_seconds_across_refreshes_and_loses_nothing(
    desk: Desk, cast: Cast
) -> None:
    crew = cast.crew_khzx
    typing = dispatch(cast, accept(cast, "repair"))
    services.acknowledge_order(actor=crew, number=typing.number)
    services.arrive(actor=crew, number=typing.number)
    page = desk.page
    page.set_viewport_size(PHONE)
    page.clock.install()
    desk.login(crew)
    assert page.url.endswith("/crew/")
    box = page.locator(f"#findings-{typing.number}")
    box.click()
    box.press_sequentially("表箱进线")
    _refresh(page, "/crew/", 15)
    # Meanwhile the center dispatches a new job to the crew.
    fresh = dispatch(cast, accept(cast, "repair", cast.urban_neighbour))
    box.press_sequentially("烧断，")
    _refresh(page, "/crew/", 15)
    page.wait_for_selector(f"#job-{fresh.number}.is-new")  # announced, not forced into view
    assert page.locator("[data-live-news='crew-cards']").is_visible()
    box.press_sequentially("已更换")
    page.clock.run_for(10_000)
    assert box.input_value() == "表箱进线烧断，已更换"
    assert page.evaluate("document.activeElement.id") == f"findings-{typing.number}"
    desk.shot("crew-typing-across-refreshes")
    box.locator("xpath=ancestor::form").locator("button[type=submit]").click()
    page.wait_for_selector(f"#job-{typing.number} button:has-text('已送电')")
    typing.refresh_from_db()
    assert typing.state == "on_site_reported"
    desk.shot("crew-after-report")


def test_a_callback_answer_survives_refreshes_and_nothing_is_preselected(
    desk: Desk, cast: Cast
) -> None:
    order = dispatch(cast, accept(cast, "complaint", topic="billing"))
    services.acknowledge_order(actor=cast.yxb, number=order.number)
    services.reply_order(actor=cast.yxb, number=order.number, result="已处理")
    services.approve_order(actor=cast.leader, number=order.number)
    task = CallbackTask.objects.get(incident=order)
    page = desk.page
    page.clock.install()
    desk.login(cast.agent)
    desk.go("/callbacks/")
    answer = page.locator(f"#sat-{task.pk}")
    assert answer.input_value() == ""
    answer.select_option("basically_satisfied")
    page.locator("h1").click()  # the agent looks away: the choice is not sent yet
    _refresh(page, "/callbacks/", 30)
    _refresh(page, "/callbacks/", 30)
    assert answer.input_value() == "basically_satisfied"
    answer.locator("xpath=ancestor::form").locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    task.refresh_from_db()
    assert (task.status, task.satisfaction) == ("done", "basically_satisfied")


def test_a_chinese_topic_routes_a_complaint_to_the_right_department(desk: Desk, cast: Cast) -> None:
    page = desk.page
    desk.login(cast.agent)
    desk.go("/intake/")
    _pick_customer(page, cast.rural.account_number, cast.rural.account_number)
    page.select_option("#id_request_type", "complaint")
    assert page.locator("#id_area_class").is_hidden()  # a repair's field
    assert page.locator("#id_supply_scheme").is_hidden()
    page.select_option("#id_topic", label="停电")
    page.fill("#id_description", "一周停电三次")
    # The complaint's record as the caller tells it, on the same screen.
    page.fill("#id_complaint_object", "城关供电所")
    page.fill("#id_customer_demand", "说明停电原因，今后提前通知")
    page.select_option("#id_callback_method", "sms")
    page.locator("#suggested-department", has_text="调度中心").wait_for()
    desk.shot("intake-complaint-topic")
    page.keyboard.press("Control+Enter")
    page.wait_for_url(re.compile(r"/orders/\d{13}/$"))
    order = WorkOrder.objects.get(request_type="complaint")
    assert order.holder == Department.objects.get(code="DDZX")
    assert (order.complaint_object, order.customer_demand, order.callback_method) == (
        "城关供电所",
        "说明停电原因，今后提前通知",
        "sms",
    )
    # A repair shows none of the complaint's record.
    desk.go("/intake/")
    page.select_option("#id_request_type", "repair")
    assert page.locator("#id_complaint_object").is_hidden()
    assert page.locator("#id_callback_method").is_hidden()


def test_keyboard_only_intake_with_the_arrow_keys(desk: Desk, cast: Cast) -> None:
    page = desk.page
    desk.login(cast.agent)
    desk.go("/intake/")
    page.wait_for_function(
        "document.activeElement && document.activeElement.id === 'customer-search'"
        " && window.htmx !== undefined"
    )
    page.keyboard.type("51000000")  # every cast customer's account starts so
    page.wait_for_selector("#customer-results [role=option]")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowDown")  # the second suggestion
    second = page.evaluate("document.activeElement.dataset.account")
    page.keyboard.press("Enter")
    page.wait_for_selector("#customer-profile")
    assert page.evaluate("document.activeElement.id") == "id_request_type"
    page.keyboard.press("Tab")  # channel
    page.keyboard.press("Tab")  # what the customer says
    page.keyboard.type("家里停电了")
    save = page.locator("#save-order")
    box = save.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] <= DESK["height"]  # the save button is in view
    assert "Ctrl" in save.inner_text()
    page.keyboard.press("Control+Enter")
    page.wait_for_url(re.compile(r"/orders/\d{13}/$"))
    order = WorkOrder.objects.get()
    assert order.customer is not None
    assert order.customer.account_number == second
    # Escape closes the suggestions and returns to the search box.
    desk.go("/intake/")
    page.wait_for_function("window.htmx !== undefined")
    page.keyboard.type("51000000")
    page.wait_for_selector("#customer-results [role=option]")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")
    assert page.locator("#customer-results [role=option]").count() == 0
    assert page.evaluate("document.activeElement.id") == "customer-search"


def _busy_shift(cast: Cast) -> dict[str, str]:
    """Enough of a shift for every page to have something on it."""
    for _ in range(18):
        dispatch(cast, accept(cast, "complaint", cast.remote, topic="billing"))
    repair = dispatch(cast, accept(cast, "repair"))
    services.acknowledge_order(actor=cast.crew_khzx, number=repair.number)
    returned = dispatch(cast, accept(cast, "complaint", cast.rural, topic="billing"))
    services.return_order(actor=cast.yxb, number=returned.number, reason="非本部门")
    replied = dispatch(cast, accept(cast, "complaint", cast.business, topic="billing"))
    services.acknowledge_order(actor=cast.yxb, number=replied.number)
    services.reply_order(actor=cast.yxb, number=replied.number, result="已处理")
    approved = dispatch(cast, accept(cast, "suggestion", cast.urban_neighbour, topic="service"))
    services.acknowledge_order(actor=cast.yxb, number=approved.number)
    services.reply_order(actor=cast.yxb, number=approved.number, result="已采纳")
    services.approve_order(actor=cast.leader, number=approved.number)
    sweep()
    handover = sign_handover(actor=cast.leader, shift_start=timezone.now() - dt.timedelta(hours=8))
    return {"repair": repair.number, "replied": replied.number, "handover": str(handover.pk)}


def test_the_leaders_counters_equal_the_apis_and_fit_the_screen(desk: Desk, cast: Cast) -> None:
    _busy_shift(cast)
    page = desk.page
    desk.login(cast.leader)
    assert page.url.endswith("/board/")
    summary = page.request.get(desk.base + "/api/supervision/summary").json()
    for name in ("overdue", "due_soon", "undispatched", "returned", "to_review", "callbacks_due"):
        shown = page.locator(f"#count-{name} .value").inner_text()
        assert int(shown) == summary[name], name
    # Readable without scrolling: the counters and the top fifteen rows.
    counters = page.locator("#counters").bounding_box()
    fifteenth = page.locator("#order-rows tr").nth(14).bounding_box()
    assert counters is not None
    assert fifteenth is not None
    assert counters["y"] >= 0
    assert fifteenth["y"] + fifteenth["height"] <= DESK["height"]
    desk.shot("board-1366x768")
    # A counter is a link to its list.
    page.click("#count-returned")
    page.wait_for_url(re.compile(r"state=returned"))
    assert page.locator("#order-rows tr[data-key]").count() == summary["returned"]


#: Latin words that may stand on a Chinese page: names and codes, not English text.
ALLOWED = {
    "Kefu",
    "kV",
    "VIP",
    "IVR",
    "API",
    "SMS",
    "Ctrl",
    "Enter",
    "Esc",
    "Tab",
    "CSV",
    "Excel",
    "PDF",
    "ARPU",
    "KB",
    "MB",
    "UTF",
    "GB",
    "Alt",
    "English",
}


def _latin_words(page: Page) -> set[str]:
    text = page.evaluate(
        """() => document.body.innerText + " " + Array.from(document.querySelectorAll(
            "[title],[placeholder],[aria-label],option")).map(e => [e.title, e.placeholder,
            e.getAttribute("aria-label"), e.tagName === "OPTION" ? e.textContent : ""].join(" "))
            .join(" ")"""
    )
    return {w.lower() for w in re.findall(r"[A-Za-z]{2,}", text)}  # CSS may upper-case


def test_every_page_in_chinese_has_no_english_and_no_console_error(desk: Desk, cast: Cast) -> None:
    shift = _busy_shift(cast)
    names = {u.username for u in User.objects.all()} | {u.full_name for u in User.objects.all()}
    allowed = ALLOWED | {w for n in names for w in re.findall(r"[A-Za-z]{2,}", n)}
    allowed |= {w for d in Department.objects.all() for w in re.findall(r"[A-Za-z]{2,}", d.code)}
    # Grid codes and notice numbers are data the production departments gave ("F-CG1").
    Customer.objects.filter(pk=cast.urban_neighbour.pk).update(important_class="first")
    load_grid()
    notice = published_notice(cast, "2026-03-10 08:00").number
    fault = services.accept_order(actor=cast.ivr, intake=intake("repair", cast.urban_neighbour))
    incident = FaultIncident.objects.get(master=fault).number
    today = timezone.now().astimezone(BEIJING).date()
    assessment = prepare_assessment(actor=cast.leader, start=today.replace(day=1), end=today)
    codes = [*GridElement.objects.values_list("code", flat=True), notice, incident]
    report = prepare_report(actor=cast.leader, month_text=f"{today:%Y-%m}")
    codes += [assessment.number, report.number]
    allowed |= {w for code in codes for w in re.findall(r"[A-Za-z]{2,}", code)}
    allowed = {w.lower() for w in allowed}
    visits = [
        (cast.agent, "intake", "/intake/"),
        (cast.agent, "board-agent", "/board/"),
        (cast.agent, "callbacks", "/callbacks/"),
        (cast.agent, "messages", "/messages/"),
        (cast.agent, "order", f"/orders/{shift['replied']}/"),
        (cast.agent, "customer", f"/customers/{cast.urban.account_number}/"),
        (cast.agent, "policy", "/policy/"),
        (cast.agent, "calendar", "/calendar/2026/"),
        (cast.agent, "profile", "/profile/"),
        (cast.agent, "outages", "/outages/"),
        (cast.agent, "outage", f"/outages/{notice}/"),
        (cast.agent, "outage-calls", "/outages/calls/"),
        (cast.agent, "grid-element", "/grid/B-CG1/"),
        (cast.leader, "board", "/board/"),
        (cast.leader, "review", "/review/"),
        (cast.leader, "order-review", f"/orders/{shift['replied']}/"),
        (cast.leader, "handover", "/handover/"),
        (cast.leader, "handover-detail", f"/handover/{shift['handover']}/"),
        (cast.leader, "department", "/departments/YXB/"),
        (cast.leader, "outage-leader", f"/outages/{notice}/"),
        (cast.leader, "outage-new", "/outages/new/"),
        (cast.leader, "outage-import", "/outages/import/"),
        (cast.leader, "incidents", "/incidents/"),
        (cast.leader, "incident", f"/incidents/{incident}/"),
        (cast.leader, "assessments", "/assessment/"),
        (cast.leader, "assessment", f"/assessment/{assessment.number}/"),
        (cast.leader, "assessment-unit", f"/assessment/{assessment.number}/YXB/"),
        (cast.leader, "dashboard", "/dashboard/"),
        (cast.leader, "reports", "/reports/"),
        (cast.leader, "report", f"/reports/{report.number}/"),
        (cast.yxb, "inbox", "/inbox/"),
        (cast.yxb, "late-stages", "/late-stages/"),
        (cast.crew_khzx, "crew", "/crew/"),
        (cast.admin, "admin", "/admin/"),
        (cast.admin, "grid-import", "/grid/import/"),
    ]
    english: dict[str, set[str]] = {}
    current = None
    for user, name, path in visits:
        if user != current:
            desk.login(user)
            current = user
        desk.page.set_viewport_size(PHONE if name == "crew" else DESK)
        desk.go(path)
        desk.page.wait_for_load_state("networkidle")
        desk.page.screenshot(path=str(PAGES / f"{name}.png"), full_page=True)
        found = _latin_words(desk.page) - allowed
        if found:
            english[name] = found
    desk.page.context.clear_cookies()
    desk.page.set_viewport_size(DESK)
    desk.go("/login/")
    desk.page.screenshot(path=str(PAGES / "login.png"))
    if found := _latin_words(desk.page) - allowed:
        english["login"] = found
    assert english == {}, {page: sorted(words) for page, words in english.items()}


def test_a_repair_caller_inside_an_outage_is_answered_from_it_in_one_keystroke(
    desk: Desk, cast: Cast
) -> None:
    load_grid()
    notice = published_notice(cast, "2026-03-10 08:00")
    page = desk.page
    desk.login(cast.agent)
    desk.go("/intake/")
    _pick_customer(page, cast.urban.name, cast.urban.account_number)
    # Before the agent types anything: the outage, its cause and what to tell the caller.
    box = page.locator(f"#customer-profile .outage-known[data-notice='{notice.number}']")
    box.wait_for()
    assert "线路检修" in box.inner_text()
    assert "预计" in box.inner_text()
    desk.shot("intake-known-outage")
    page.keyboard.press("Alt+o")  # the button's access key
    page.wait_for_url(re.compile(rf"/outages/{notice.number}/$"))
    assert "来电已按停电信息" in page.content()
    call = NoticeCall.objects.get(notice=notice)
    assert (call.order.request_type, call.order.state) == ("repair", "answered")
    assert not WorkOrder.objects.filter(holder__isnull=False).exists()  # no crew sent


def test_the_leader_confirms_splits_and_tells_the_callers_of_a_fault_from_its_page(
    desk: Desk, cast: Cast
) -> None:
    load_grid()
    for caller in (cast.urban, cast.urban_neighbour):  # 城关1-1: predicted out
        services.accept_order(actor=cast.ivr, intake=intake("repair", caller))
    incident = FaultIncident.objects.get(state="open")
    page = desk.page
    desk.login(cast.leader)
    # The board shows the fault as its master's row; its tag opens the fault.
    page.locator(f"tr[data-key='{incident.master.number}'] a.tag.fault").click()
    page.wait_for_url(re.compile(rf"/incidents/{incident.number}/$"))
    desk.shot("incident")
    page.select_option("#confirm-element", "B-CG1")
    page.fill("#confirm-note", "分支线跌落式熔断器熔断")
    page.click("#confirm")
    page.wait_for_load_state("networkidle")
    assert "城关一回线1号分支" in page.locator("#incident-where").inner_text()
    incident.refresh_from_db()
    assert (incident.element.code, incident.confirmed) == ("B-CG1", True)
    # A caller from the branch's other transformer joins the confirmed fault …
    Customer.objects.filter(pk=cast.rural.pk).update(transformer="城关1-2号台区")
    cast.rural.refresh_from_db()
    joined = services.accept_order(actor=cast.ivr, intake=intake("repair", cast.rural))
    assert joined.intake_outcome == "grouped"  # type: ignore[attr-defined]
    page.reload()
    assert page.locator("#incident-calls").inner_text() == "3"
    # … until the crew finds it is a fault of its own: the dispatcher splits it off.
    page.locator("#split-form").locator("xpath=ancestor::details/summary").click()
    page.select_option("#split-element", "城关1-2号台区")
    page.fill("#split-note", "1-2号台区低压侧单独故障")
    page.click("#split")
    page.wait_for_url(re.compile(r"/incidents/GZ\d{13}/$"))
    split = FaultIncident.objects.exclude(pk=incident.pk).get()
    assert page.url.endswith(f"/incidents/{split.number}/")
    assert "城关1-2号台区" in page.locator("#incident-where").inner_text()
    desk.shot("incident-split")
    # The callers of the first fault get the apology and the arrangement.
    desk.go(f"/incidents/{incident.number}/")
    page.locator("#tell-form").locator("xpath=ancestor::details/summary").click()
    assert "给您带来不便" in page.locator("#tell-text").input_value()
    page.click("#tell-callers")
    page.wait_for_load_state("networkidle")
    sent = Message.objects.filter(kind="incident_callers")
    assert {m.address for m in sent} == {cast.urban.phone, cast.urban_neighbour.phone}
    desk.shot("incident-told")


def test_a_department_says_why_a_stage_was_late_from_its_inbox(desk: Desk, cast: Cast) -> None:
    order = dispatch(cast, accept(cast, "complaint", cast.rural, topic="billing"))  # to YXB
    services.acknowledge_order(actor=cast.yxb, number=order.number)
    # The result ran out an hour ago, as the sweep marks it (set by hand: the live server
    # keeps real time, and the sweep has tests of its own).
    Clock.objects.filter(order=order, kind="result").update(
        deadline=timezone.now() - dt.timedelta(hours=1), late=True
    )
    desk.login(cast.yxb)
    desk.go("/inbox/")
    desk.page.click("#late-stages-notice a")
    desk.page.wait_for_load_state("networkidle")
    desk.shot("late-stages")
    row = desk.page.locator(f"#late-stages tr[data-key^='{order.number}-result-']")
    row.locator("textarea").fill("需核对抄表记录，营业厅两天后才回复")
    row.locator("button[type=submit]").click()
    desk.page.wait_for_load_state("networkidle")
    assert desk.page.url.endswith("/late-stages/")
    assert desk.page.locator(f"#late-stages tr[data-key^='{order.number}-']").count() == 0
    assert (
        Clock.objects.get(order=order, kind="result").late_cause
        == "需核对抄表记录，营业厅两天后才回复"
    )
    desk.go("/inbox/")
    assert desk.page.locator("#late-stages-notice").count() == 0


def test_a_list_downloads_as_csv_from_its_export_link(desk: Desk, cast: Cast) -> None:
    numbers = {accept(cast, "consultation", cast.rural).number for _ in range(3)}
    desk.login(cast.leader)
    desk.go("/board/?request_type=consultation")
    with desk.page.expect_download() as waiting:
        desk.page.click(".export-csv")
    download = waiting.value
    assert re.fullmatch(r"board-\d{8}-\d{4}\.csv", download.suggested_filename)
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    header, *rows = text.splitlines()
    assert header.startswith("工单号,业务类型,")
    assert {row.split(",")[0] for row in rows} == numbers
