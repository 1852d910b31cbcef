"""Load a year of the working-day calendar from chinesecalendar, or from a CSV file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kefu.core.calendar_loading import csv_year_days, package_year_days, store_year
from kefu.core.errors import DomainError


class Command(BaseCommand):
    help = "Load a calendar year (holidays and make-up working days)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument("--csv", help="CSV file of date,kind,name lines")

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"]
        if not 2000 <= year <= 2100:
            raise CommandError("year must be between 2000 and 2100")
        try:
            if options["csv"]:
                path = Path(options["csv"])
                if not path.is_file():
                    raise CommandError(f"{path}: no such file")
                rows = csv_year_days(year, path.read_text(encoding="utf-8-sig"))
                source = f"csv:{path.name}"
            else:
                rows = package_year_days(year)
                source = "chinesecalendar"
        except DomainError as exc:
            raise CommandError(exc.message) from None
        recomputed = store_year(year, rows, source=source)
        working = sum(1 for _, kind, _ in rows if kind in ("workday", "makeup"))
        self.stdout.write(
            f"{year}: {len(rows)} days, {working} working days, from {source}; "
            f"{recomputed} provisional deadlines recomputed"
        )
