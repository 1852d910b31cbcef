"""Print the stages past their deadline now, or the urge history of one order."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from kefu.core.calendar import BEIJING
from kefu.supervision.overdue import overdue_clocks
from kefu.tickets.models import OrderEvent


class Command(BaseCommand):
    help = "Overdue stages (default), or --urges [--order N] for the urge history."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--urges", action="store_true", help="the urge history instead")
        parser.add_argument("--order", help="only this order")
        parser.add_argument("--limit", type=int, default=50)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["urges"]:
            events = OrderEvent.objects.filter(kind__in=["warned", "urged", "customer_urged"])
            if options["order"]:
                events = events.filter(order__number=options["order"])
            for e in events.select_related("order").order_by("-recorded_at")[: options["limit"]]:
                self.stdout.write(
                    f"{e.order.number}  {e.kind:<15} {e.new.get('clock') or '':<18}"
                    f"{e.new.get('level') or '':<14}"
                    f"{e.occurred_at.astimezone(BEIJING):%m-%d %H:%M}  {e.note}"
                )
            return
        now = timezone.now()
        clocks = overdue_clocks()
        if options["order"]:
            clocks = clocks.filter(order__number=options["order"])
        for clock in clocks[: options["limit"]]:
            assert clock.deadline is not None
            late = int((now - clock.deadline).total_seconds() // 60)
            holder = clock.department.code if clock.department else "center"
            self.stdout.write(
                f"{clock.order.number}  {clock.order.request_type:<13}"
                f"{clock.kind:<18}{holder:<8}"
                f"{clock.deadline.astimezone(BEIJING):%m-%d %H:%M}  {late} min late"
            )
