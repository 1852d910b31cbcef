"""Driving the real pages in Debian's headless Chromium (Playwright): the browser, and a desk
that logs in as the people of a flow, takes screenshots and collects console errors."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, sync_playwright

from kefu.accounts.models import User

# Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make
# between page steps are still plain synchronous code (as Playwright's docs advise).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "e2e-password-2026"
#: The shift leader's screen.
DESK = {"width": 1366, "height": 768}
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
        page.on(
            "console",
            lambda m: (
                self.errors.append(f"{m.text} ({m.location.get('url', '')})")
                if m.type == "error"
                else None
            ),
        )
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


@contextmanager
def chinese_desk(browser: Browser, base: str, folder: Path) -> Iterator[Desk]:
    """A desk on the leader's screen in Chinese, every user's password set; afterwards no
    console error may have been seen."""
    for user in User.objects.all():
        user.set_password(PASSWORD)
        user.save()
    context = browser.new_context(locale="zh-CN", viewport=DESK)
    desk = Desk(context.new_page(), base, folder)
    yield desk
    context.close()
    assert desk.errors == [], desk.errors
