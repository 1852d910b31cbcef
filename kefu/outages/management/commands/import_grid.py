"""Load the grid from a CSV file (`kefu grid import FILE`), with a progress bar."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kefu.outages.models import Level
from kefu.outages.topology_import import import_grid, report_lines


class Command(BaseCommand):
    help = "Load grid elements (substations, feeders, branches, transformers) from CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--level", choices=Level.values, help="every row is of this level")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")

        def progress(done: int, total: int) -> None:
            width = 40
            filled = width * done // max(total, 1)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            if done >= total:
                sys.stderr.write("\n")
            sys.stderr.flush()

        report = import_grid(path.read_bytes(), level=options["level"], progress=progress)
        for line in report_lines(report):
            (self.stdout if report.ok else self.stderr).write(line)
        if not report.ok:
            raise CommandError(f"{path}: {len(report.errors)} rows are wrong; nothing was saved")
