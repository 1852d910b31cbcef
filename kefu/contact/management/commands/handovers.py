"""Print recent shift handovers and the callback queue."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kefu.callbacks.services import queue
from kefu.contact.models import Handover
from kefu.core.calendar import BEIJING


class Command(BaseCommand):
    help = "Recent shift handovers (default), or --callbacks for the callback queue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--callbacks", action="store_true")
        parser.add_argument("--limit", type=int, default=20)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["callbacks"]:
            for task in queue()[: options["limit"]]:
                self.stdout.write(
                    f"#{task.pk:<6} {task.incident.number}  {task.phone:<12} "
                    f"{task.call_from.astimezone(BEIJING):%m-%d %H:%M}–"
                    f"{task.call_until.astimezone(BEIJING):%H:%M}  "
                    f"tries {task.attempts}"
                )
            return
        for h in Handover.objects.select_related("outgoing_leader", "incoming_leader")[
            : options["limit"]
        ]:
            taken = h.incoming_leader.username if h.incoming_leader else "(not yet taken over)"
            snap = h.snapshot
            self.stdout.write(
                f"#{h.pk:<5} {h.shift_start.astimezone(BEIJING):%m-%d %H:%M}–"
                f"{h.shift_end.astimezone(BEIJING):%H:%M}  {h.outgoing_leader.username} → "
                f"{taken}  open {len(snap.get('open_orders', []))}, overdue "
                f"{len(snap.get('overdue', []))}, due next shift "
                f"{len(snap.get('due_next_shift', []))}, urges {len(snap.get('urges_sent', []))}"
            )
