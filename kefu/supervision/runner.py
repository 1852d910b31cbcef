"""The embedded runner: sweep and deliver every minute, in one process, until told to stop.

`kefu serve` starts it beside gunicorn unless a broker is configured (then Celery beat and
workers run the same two tasks, see kefu/celery.py). Each step is safe to repeat and to
run in several processes at once, so a restart or a second runner does no harm.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from types import FrameType

from django.db import close_old_connections

from kefu.outbox.services import deliver_due
from kefu.supervision.sweep import sweep

log = logging.getLogger(__name__)


def run_once() -> None:
    """One round: urge what is due, then send what is queued."""
    close_old_connections()
    result = sweep()
    delivered = deliver_due()
    log.debug(
        "round: %s levels, %s sent, %s retrying, %s failed",
        result.levels,
        delivered.sent,
        delivered.retrying,
        delivered.failed,
    )


def run_forever(interval: int) -> None:
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        log.info("worker stopping after this round (signal %s)", signum)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    log.info("worker running every %s s", interval)
    while not stop.is_set():
        started = time.monotonic()
        try:
            run_once()
        except Exception:  # one bad round must not stop supervision; the next round retries
            log.exception("worker round failed")
        stop.wait(max(0.0, interval - (time.monotonic() - started)))
