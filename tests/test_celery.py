"""The Celery path: a real worker with embedded beat against the local Redis runs the sweep
and the delivery by itself, with nobody pressing a button."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from kefu.celery import app
from kefu.outbox.models import Message, MessageStatus
from kefu.tickets.models import OrderEvent
from tests.conftest import Cast, database_url_for_subprocess
from tests.test_supervision_processes import many_due_repairs_backdated

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

REDIS = os.environ.get("KEFU_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def test_beat_and_a_worker_sweep_and_deliver_through_redis(cast: Cast, tmp_path: Path) -> None:
    many_due_repairs_backdated(cast, 5)
    queue = f"kefu-test-{uuid.uuid4().hex[:8]}"  # runs on one machine never share a queue
    env = {
        **os.environ,
        "KEFU_DATABASE_URL": database_url_for_subprocess(),
        "KEFU_BROKER_URL": REDIS,
        "KEFU_RESULT_BACKEND": REDIS,
        "KEFU_WORKER_INTERVAL": "2",
        "KEFU_DATA_DIR": str(tmp_path),
        "KEFU_SMS_FILE": str(tmp_path / "sms.jsonl"),
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "kefu",
            "worker",
            "-B",
            "--pool",
            "solo",
            "--queues",
            queue,
            "--schedule",
            str(tmp_path / "beat-schedule"),
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        env={**env, "KEFU_CELERY_QUEUE": queue},
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            urged = OrderEvent.objects.filter(kind="urged").count()
            delivered = Message.objects.filter(status=MessageStatus.SENT).count()
            if (
                urged >= 10
                and delivered
                and not Message.objects.exclude(status=MessageStatus.SENT).exists()
            ):
                break
            assert worker.poll() is None, worker.stdout.read() if worker.stdout else b""
            time.sleep(0.5)
        # Five overdue dispatch clocks: the urge and the second urge on each.
        assert OrderEvent.objects.filter(kind="urged").count() == 10
        assert OrderEvent.objects.filter(kind="warned").count() == 5
        assert Message.objects.count() > 0
        assert not Message.objects.exclude(status=MessageStatus.SENT).exists()
        # And a task sent by hand through the broker comes back with its result.
        app.conf.broker_url = REDIS
        app.conf.result_backend = REDIS
        result = app.send_task("kefu.sweep", queue=queue).get(timeout=60)
        assert result == {"clocks": 0, "levels": 0, "overtime": 0, "skipped": 0}
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
