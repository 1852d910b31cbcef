"""Load outage notices from a CSV file (`kefu outages import FILE --as USER [--publish]`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kefu.accounts.models import User
from kefu.core.errors import DomainError
from kefu.outages.notice_import import import_notices
from kefu.outages.topology_import import error_lines


class Command(BaseCommand):
    help = "Draft (and optionally publish) outage notices from a CSV file, all or none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--as", dest="username", required=True, help="the shift leader")
        parser.add_argument("--publish", action="store_true", help="publish each notice too")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        actor = User.objects.filter(username=options["username"], is_active=True).first()
        if actor is None:
            raise CommandError(f"no active user {options['username']}")
        try:
            report = import_notices(actor=actor, data=path.read_bytes(), publish=options["publish"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if not report.ok:
            for line in error_lines(report.errors):
                self.stderr.write(line)
            raise CommandError(f"{path}: {len(report.errors)} rows are wrong; nothing was saved")
        for notice in report.notices:
            late = " (published late)" if notice.late else ""
            self.stdout.write(f"{notice.number} {notice.kind} {notice.state}{late}")
