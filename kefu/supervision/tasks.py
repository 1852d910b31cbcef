"""Celery tasks: the same steps as the embedded runner, each safe to repeat or run twice."""

from __future__ import annotations

from dataclasses import asdict

from celery import shared_task

from kefu.outbox.services import deliver_due
from kefu.supervision.sweep import sweep


@shared_task(name="kefu.sweep")
def sweep_task() -> dict[str, int]:
    return asdict(sweep())


@shared_task(name="kefu.deliver")
def deliver_task() -> dict[str, int]:
    return asdict(deliver_due())
