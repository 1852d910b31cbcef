"""Run the supervision sweep once, now or for a past instant (to back-fill)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kefu.core.calendar import BEIJING
from kefu.supervision.sweep import sweep


def parse_instant(text: str) -> dt.datetime:
    """ISO 8601; a time without an offset is Beijing time."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a time (YYYY-MM-DD HH:MM[+08:00])") from None
    return moment.replace(tzinfo=BEIJING) if moment.tzinfo is None else moment


class Command(BaseCommand):
    help = "Warn, urge and escalate every clock past its next warning level."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", help="the instant to sweep for (default: now)")
        parser.add_argument(
            "--batch-size", type=int, default=500, help="clocks per transaction (default 500)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = parse_instant(options["as_of"]) if options["as_of"] else timezone.now()
        if as_of > timezone.now():
            raise CommandError("--as-of cannot be in the future")
        result = sweep(as_of=as_of, batch_size=max(1, options["batch_size"]))
        self.stdout.write(
            f"swept as of {as_of.astimezone(BEIJING):%Y-%m-%d %H:%M:%S}: {result.levels} "
            f"levels reached on {result.clocks} clocks, {result.overtime} ran out, "
            f"{result.skipped} busy orders left for the next run"
        )
