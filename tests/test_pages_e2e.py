"""The workstation in headless Chromium: a repair and a complaint from intake to archive,
switching between the people who handle them, once in Chinese and once in English.

Screenshots of every step go to var/screenshots/<language>/<flow>/. No page may log a
console error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser

from kefu.accounts.models import User
from tests.browser import PASSWORD, SHOTS, Desk
from tests.conftest import Cast

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture(params=["zh-hans", "en"])
def desk(
    request: pytest.FixtureRequest, browser: Browser, live_server: Any, cast: Cast
) -> Iterator[Desk]:
    language = request.param
    for user in User.objects.all():
        user.set_password(PASSWORD)
        user.language = language
        user.save()
    context = browser.new_context(
        locale="zh-CN" if language == "zh-hans" else "en-US",
        viewport={"width": 1280, "height": 900},
    )
    page = context.new_page()
    desk = Desk(page, live_server.url, SHOTS / language / request.node.originalname)
    desk.language = language  # type: ignore[attr-defined]
    yield desk
    context.close()
    assert desk.errors == [], desk.errors


def _intake_by_keyboard(desk: Desk, account: str, description: str) -> str:
    """Find the customer, choose the type, describe, save: all from the keyboard."""
    page = desk.page
    desk.go("/intake/")
    # The search box has the focus from the start, and htmx is listening to it.
    page.wait_for_function(
        "document.activeElement && document.activeElement.id === 'customer-search'"
        " && window.htmx !== undefined"
    )
    page.keyboard.type(account)
    page.wait_for_selector(f"#customer-results button[data-account='{account}']")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("#customer-profile")
    assert page.evaluate("document.activeElement.id") == "id_request_type"
    return description


def _number(desk: Desk) -> str:
    match = re.search(r"/orders/(\d{13})/", desk.page.url)
    assert match, desk.page.url
    return match.group(1)


def test_a_repair_from_intake_to_archive(desk: Desk, cast: Cast) -> None:
    page = desk.page
    desk.login(cast.agent)
    assert page.url.endswith("/intake/")
    _intake_by_keyboard(desk, cast.urban.account_number, "")
    page.keyboard.press("Tab")  # channel
    page.keyboard.press("Tab")  # description
    page.keyboard.type("整栋楼停电,闻到焦糊味")
    page.wait_for_selector("#suggested-department")
    desk.shot("intake")
    page.keyboard.press("Control+Enter")
    page.wait_for_url(re.compile(r"/orders/\d{13}/$"))
    number = _number(desk)
    assert desk.state() == "dispatched"
    desk.shot("accepted-and-dispatched")

    desk.login(cast.crew_khzx)
    assert page.url.endswith("/crew/")
    page.set_viewport_size({"width": 390, "height": 844})  # the crew works from a phone
    steps = [
        ("acknowledge", "acknowledged"),
        ("depart", "departed"),
        ("arrive", "arrived"),
        ("onsite_report", "on_site_reported"),
        ("restore", "restored"),
    ]
    for action, then in steps:
        card = page.locator(f"#job-{number}")
        if action == "depart":  # the leader is the crew member, preset; the phone is typed
            leader = card.locator("[name='depart-crew_leader']").input_value()
            assert leader == str(cast.crew_khzx)
            card.locator("[name='depart-crew_phone']").fill("13900000001")
        if action == "onsite_report":
            card.locator("[name='onsite_report-findings']").fill("表箱进线烧断,正在更换")
            card.locator("[name='onsite_report-expected_restoration']").fill("2099-01-01T08:00")
        if action == "restore":
            card.locator("[name='restore-fault']").fill("表箱进线烧断")
            card.locator("[name='restore-result']").fill("更换进线,恢复供电")
        card.locator("form").first.locator("button[type=submit]").click()
        page.locator(f"#job-{number}[data-state='{then}']").wait_for()  # only the card changes
        desk.shot(f"crew-{action}")
        if action == "onsite_report":
            # The crew gives a later time, and why: the card shows the new one.
            card = page.locator(f"#job-{number}")
            card.locator("details.aside summary").click()
            card.locator("[name='update_estimate-expected_restoration']").fill("2099-01-01T10:30")
            card.locator("[name='update_estimate-reason']").fill("需更换表箱")
            card.locator("details.aside button[type=submit]").click()
            page.locator(f"#job-{number}", has_text="01-01 10:30").wait_for()
            desk.shot("crew-estimate")
    desk.act(number, "reply", result="更换进线,已恢复供电")
    assert desk.state() == "replied"
    page.set_viewport_size({"width": 1280, "height": 900})

    desk.login(cast.leader)
    desk.go("/review/")
    page.click(f"a:text('{number}')")
    desk.shot("review")
    desk.act(number, "approve")
    assert desk.state() == "approved"

    desk.login(cast.agent)
    desk.go("/callbacks/")
    row = page.locator("tr", has_text=number)
    row.locator("select").select_option("satisfied")
    row.locator("form").first.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    desk.shot("callback")
    desk.act(number, "archive")
    assert desk.state() == "archived"


def test_a_complaint_from_intake_to_archive(desk: Desk, cast: Cast) -> None:
    page = desk.page
    desk.login(cast.agent)
    _intake_by_keyboard(desk, cast.rural.account_number, "")
    page.keyboard.press("ArrowDown")  # repair -> complaint
    page.fill("#id_description", "电费比上月高出一倍,要求核查")
    page.select_option(
        "#id_topic", label="电费电价" if desk.language == "zh-hans" else "Bills and tariffs"
    )  # type: ignore[attr-defined]
    page.wait_for_selector("#suggested-department")
    desk.shot("intake")
    page.click("#save-order")
    page.wait_for_url(re.compile(r"/orders/\d{13}/$"))
    number = _number(desk)
    assert desk.state() == "dispatched"

    desk.login(cast.yxb)
    assert page.url.endswith("/inbox/")
    assert page.locator("a", has_text=number).count() == 1
    desk.shot("inbox")
    desk.act(number, "acknowledge")
    desk.act(number, "reply", result="核实为抄表错误,已退还多收电费")

    desk.login(cast.leader)
    desk.act(number, "approve")

    desk.login(cast.agent)
    desk.go("/callbacks/")
    row = page.locator("tr", has_text=number)
    row.locator("select").select_option("basically_satisfied")
    row.locator("form").first.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    desk.act(number, "archive")
    assert desk.state() == "archived"
    assert page.locator("ol.timeline li").count() >= 8
