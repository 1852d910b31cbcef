"""Supervision under real concurrency: two sweeps at once, and workers killed mid-way.

These tests commit their data (transactional) so that threads and real processes, each
with its own connection, see it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from kefu.core.policy import active_policy
from kefu.outbox.models import DeliveryAttempt, Message, MessageStatus
from kefu.outbox.services import queue_customer_notice
from kefu.supervision.sweep import sweep
from kefu.tickets.models import Clock, OrderEvent
from tests.conftest import Cast, bj, database_url_for_subprocess
from tests.flows import accept

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
Freeze = Callable[[str | dt.datetime], dt.datetime]


def many_due_repairs(cast: Cast, count: int) -> None:
    customers = [cast.urban, cast.urban_neighbour, cast.rural, cast.remote, cast.business]
    for index in range(count):
        accept(cast, "repair", customers[index % len(customers)])


def urge_counts() -> Counter[tuple[int, str]]:
    """(order, level) -> how many events; each must be exactly 1."""
    return Counter(
        (e.order_id, e.new["level"])
        for e in OrderEvent.objects.filter(kind__in=["warned", "urged"])
    )


def test_two_sweeps_at_once_urge_each_stage_once_per_level(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    many_due_repairs(cast, 40)
    freeze("2026-03-10 12:00")  # every dispatch clock past all three levels
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            sweep()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    counts = urge_counts()
    levels = len(active_policy().supervision.levels)
    assert len(counts) == 40 * levels
    assert set(counts.values()) == {1}
    messages = Counter(
        Message.objects.values_list("order_id", "kind", "to_department_id", "to_user_id")
    )
    assert len(messages) == 40 * 2  # the center and the shift leader, highest level only
    assert set(messages.values()) == {1}


def _kefu(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "kefu.cli", *args],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "KEFU_DATABASE_URL": database_url_for_subprocess(),
        "KEFU_DATA_DIR": str(tmp_path),
        "KEFU_SMS_FILE": str(tmp_path / "sms.jsonl"),
        "KEFU_LOG_LEVEL": "WARNING",
    }


def _kill_when(process: subprocess.Popen[bytes], started: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 60
    while not started():
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert time.monotonic() < deadline, "the process never got going"
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def test_a_sweep_killed_half_way_loses_and_doubles_nothing(cast: Cast, tmp_path: Path) -> None:
    # Real processes use the real clock, so the orders are back-dated instead of frozen.
    many_due_repairs_backdated(cast, 300)
    env = _env(tmp_path)
    # One clock per transaction, so that the kill surely lands between two of them.
    first = _kefu(["sweep", "--batch-size", "1"], env)
    _kill_when(first, lambda: OrderEvent.objects.filter(kind="urged").count() >= 10)
    handled = len({order for order, _ in urge_counts()})
    assert 0 < handled < 300, "the kill should land in the middle of the sweep"
    second = _kefu(["sweep"], env)
    assert second.wait(timeout=120) == 0
    counts = urge_counts()
    assert len(counts) == 300 * len(active_policy().supervision.levels)
    assert set(counts.values()) == {1}
    assert all(c.next_alert_at is None for c in Clock.objects.filter(kind="dispatch"))


def many_due_repairs_backdated(cast: Cast, count: int) -> None:
    from kefu.tickets import services
    from tests.flows import intake

    start = bj("2026-03-10 09:00")
    customers = [cast.urban, cast.urban_neighbour, cast.rural, cast.remote, cast.business]
    for index in range(count):
        services.accept_order(
            actor=cast.agent,
            confirm_new=True,
            accepted_at=start + dt.timedelta(seconds=index),
            intake=intake("repair", customers[index % len(customers)]),
        )


def test_a_delivery_killed_half_way_loses_and_doubles_nothing(cast: Cast, tmp_path: Path) -> None:
    customers = [cast.urban, cast.urban_neighbour, cast.rural, cast.remote, cast.business]
    for index in range(300):
        queue_customer_notice(
            customer=customers[index % 5],
            kind="bill_notice",
            body=f"您的电费账单已出,第 {index} 号",
        )
    env = _env(tmp_path)
    sms_file = tmp_path / "sms.jsonl"
    first = _kefu(["worker", "--once"], env)
    _kill_when(first, lambda: sms_file.exists() and sms_file.stat().st_size > 2000)
    sent_before = Message.objects.filter(status=MessageStatus.SENT).count()
    assert sent_before < 300, "the kill should land in the middle of the delivery"
    # A claim held by the killed worker runs out after its lease; let it, then run again.
    Message.objects.filter(status=MessageStatus.SENDING).update(
        claimed_until=bj("2026-01-01 00:00")
    )
    second = _kefu(["worker", "--once"], env)
    assert second.wait(timeout=120) == 0
    assert Message.objects.filter(status=MessageStatus.SENT).count() == 300
    keys = [json.loads(line)["key"] for line in sms_file.read_text(encoding="utf-8").splitlines()]
    assert len(keys) == 300
    assert len(set(keys)) == 300
    assert DeliveryAttempt.objects.filter(ok=True).count() == 300
