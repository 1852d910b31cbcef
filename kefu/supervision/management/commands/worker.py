"""Run the embedded worker: the sweep and message delivery every minute."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from kefu.supervision.runner import run_forever, run_once


class Command(BaseCommand):
    help = "Sweep and deliver messages every minute (or once, with --once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one round, then exit")
        parser.add_argument("--interval", type=int, default=settings.KEFU_WORKER_INTERVAL)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            run_once()
        else:
            run_forever(max(1, options["interval"]))
