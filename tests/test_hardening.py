"""Production hardening: the production switch, the secret key, the CSP, login lockout.

Settings are read once at start-up, so the switch is tried the way an operator would meet
it: by starting `kefu` in a process of its own with the environment set.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client

from kefu.settings import DEMO_SECRET_KEY
from tests.conftest import Cast

Freeze = Callable[[str | dt.datetime], dt.datetime]
KEFU = [sys.executable, "-m", "kefu.cli"]
TEMPLATES = Path(settings.BASE_DIR) / "kefu" / "web" / "templates"


def kefu(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    # As an operator starts it: none of this test run's settings (the browser tests set
    # DJANGO_ALLOW_ASYNC_UNSAFE for themselves, which check --deploy rightly refuses).
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("KEFU_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    environment.update(env)
    return subprocess.run(
        [*KEFU, *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=settings.BASE_DIR,
    )


@pytest.mark.slow
def test_check_deploy_reports_nothing_with_the_production_switch_on(tmp_path: Path) -> None:
    result = kefu(
        ["manage", "check", "--deploy"],
        KEFU_PRODUCTION="true",
        KEFU_SECRET_KEY=secrets.token_urlsafe(50),
        KEFU_ALLOWED_HOSTS="kefu.example.cn",
        KEFU_DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr + result.stdout


@pytest.mark.slow
def test_without_the_switch_check_deploy_names_what_is_missing(tmp_path: Path) -> None:
    result = kefu(["manage", "check", "--deploy"], KEFU_DATA_DIR=str(tmp_path))
    assert "security.W004" in result.stderr  # HSTS
    assert "security.W008" in result.stderr  # SSL redirect


@pytest.mark.slow
@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"KEFU_SECRET_KEY": DEMO_SECRET_KEY}, "KEFU_SECRET_KEY"),
        ({"KEFU_SECRET_KEY": DEMO_SECRET_KEY, "KEFU_PRODUCTION": "true"}, "KEFU_SECRET_KEY"),
        ({"KEFU_PRODUCTION": "true"}, "KEFU_SECRET_KEY"),
        ({"KEFU_PRODUCTION": "true", "KEFU_SECRET_KEY": "short"}, "KEFU_SECRET_KEY"),
        (
            {"KEFU_PRODUCTION": "true", "KEFU_DEBUG": "true", "KEFU_SECRET_KEY": "x" * 60},
            "KEFU_DEBUG",
        ),
    ],
    ids=["demo key", "demo key in production", "no key in production", "short key", "debug"],
)
def test_start_up_is_refused_naming_the_variable(
    env: dict[str, str], variable: str, tmp_path: Path
) -> None:
    result = kefu(["manage", "check"], KEFU_DATA_DIR=str(tmp_path), **env)
    assert result.returncode != 0
    assert variable in result.stderr
    assert "ImproperlyConfigured" in result.stderr


@pytest.mark.slow
def test_with_no_key_set_each_installation_makes_its_own_and_keeps_it(tmp_path: Path) -> None:
    show = ["manage", "shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)"]
    first = kefu(show, KEFU_DATA_DIR=str(tmp_path / "a")).stdout.strip()
    again = kefu(show, KEFU_DATA_DIR=str(tmp_path / "a")).stdout.strip()
    other = kefu(show, KEFU_DATA_DIR=str(tmp_path / "b")).stdout.strip()
    assert len(first) >= 50
    assert first == again
    assert first != other
    assert DEMO_SECRET_KEY not in (first, other)
    assert oct((tmp_path / "a" / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_pages_carry_a_content_security_policy_without_inline_code(client: Client) -> None:
    policy = client.get("/login/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


def test_no_template_carries_inline_script_style_or_handlers() -> None:
    """What the CSP forbids must not be there to forbid: the pages would break."""
    inline = re.compile(
        r"<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|\son[a-z]+=|\bhx-on|js:|<style", re.IGNORECASE
    )
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in TEMPLATES.rglob("*.html")
        for match in inline.finditer(path.read_text())
    ]
    assert found == []


def _login(client: Client, username: str, password: str, path: str = "/login/") -> int:
    return client.post(path, {"username": username, "password": password}).status_code


def test_twenty_wrong_passwords_lock_the_account_for_a_while(
    cast: Cast, client: Client, freeze: Freeze
) -> None:
    freeze("2026-03-10 09:00")
    cast.agent.set_password("right-password-2026")
    cast.agent.save()
    for _ in range(19):
        assert _login(client, "agent", "wrong") == 200  # the form again, with its error
    locked = client.post("/login/", {"username": "agent", "password": "wrong"})
    assert locked.status_code == 429
    assert "锁定" in locked.content.decode()  # said in Chinese, how long included
    # The right password does not help while the lock lasts, from this address or another.
    assert _login(client, "agent", "right-password-2026") == 429
    elsewhere = Client(REMOTE_ADDR="10.0.0.9")
    assert _login(elsewhere, "agent", "right-password-2026") == 429
    # The administrator sees the lockout.
    attempts = AccessAttempt.objects.filter(username="agent")
    assert max(a.failures_since_start for a in attempts) >= 20
    admin = Client()
    admin.force_login(cast.admin)
    listing = admin.get("/admin/axes/accessattempt/").content.decode()
    assert "agent" in listing
    # A quarter of an hour later the account opens again.
    freeze("2026-03-10 09:16")
    assert _login(Client(), "agent", "right-password-2026") == 302


def test_twenty_wrong_passwords_from_one_address_lock_that_address(
    cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-10 09:00")
    cast.leader.set_password("leader-password-2026")
    cast.leader.save()
    attacker = Client(REMOTE_ADDR="10.0.0.66")
    for n in range(20):
        _login(attacker, f"guess-{n}", "wrong")
    assert _login(attacker, "leader", "leader-password-2026") == 429
    assert _login(Client(REMOTE_ADDR="10.0.0.7"), "leader", "leader-password-2026") == 302


def test_the_admin_login_is_throttled_too(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    cast.admin.set_password("admin-password-2026")
    cast.admin.save()
    client = Client()
    for _ in range(20):
        _login(client, "admin", "wrong", path="/admin/login/")
    assert _login(client, "admin", "admin-password-2026", path="/admin/login/") == 429
