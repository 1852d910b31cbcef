"""The workstation in headless Chromium: a repair and a complaint from intake to archive,
switching between the people who handle them, once in Chinese and once in English.

Screenshots of every step go to var/screenshots/<language>/<flow>/. No page may log a
console error.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, sync_playwright

from kefu.accounts.models import User
from tests.conftest import Cast

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
# Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make
# between page steps are still plain synchronous code (as Playwright's docs advise).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
PASSWORD = "e2e-password-2026"
SHOTS = Path(settings.DATA_DIR) / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


class Desk:
    """One browser page that logs in and out as the people of the flow, with screenshots."""

    def __init__(self, page: Page, base: str, folder: Path) -> None:
        self.page, self.base, self.folder, self.step = page, base, folder, 0
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        folder.mkdir(parents=True, exist_ok=True)

    def shot(self, name: str) -> None:
        self.step += 1
        self.page.screenshot(path=str(self.folder / f"{self.step:02d}-{name}.png"), full_page=True)

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def login(self, user: User) -> None:
        self.page.context.clear_cookies()
        self.go("/login/")
        self.page.fill("#id_username", user.username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("form button[type=submit]")
        self.page.wait_for_load_state("networkidle")

    def act(self, number: str, action: str, **fields: str) -> None:
        """Take an action from the order page's form for it."""
        self.go(f"/orders/{number}/")
        box = self.page.locator(f"#action-{action}-box")
        if box.get_attribute("open") is None:
            box.locator("summary").click()
        form = self.page.locator(f"#action-{action}")
        for name, value in fields.items():
            form.locator(f"[name='{action}-{name}']").fill(value)
        form.locator("button[type=submit]").click()
        self.page.wait_for_load_state("networkidle")
        self.shot(action)

    def state(self) -> str:
        return str(self.page.locator("h1[data-state]").get_attribute("data-state"))


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
    for action in ("acknowledge", "depart", "arrive", "onsite_report", "restore"):
        card = page.locator("article.crew-card", has_text=number)
        if action == "onsite_report":
            card.locator("textarea").fill("表箱进线烧断,已更换")
        card.locator("button[type=submit]").click()
        page.wait_for_load_state("networkidle")
        desk.shot(f"crew-{action}")
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
