"""Load the demo data set and print the logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kefu.demo.data import DEMO_PASSWORD, PEOPLE, load_demo


class Command(BaseCommand):
    help = "Load the demo county (departments, users, customers, orders) and print the logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=1000)
        parser.add_argument("--orders", type=int, default=400)

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_demo(customers=options["customers"], orders=options["orders"])
        if result["created"]:
            self.stdout.write(
                f"Demo data loaded: {options['customers']} customers, {result['orders']} orders."
            )
        else:
            self.stdout.write(f"Demo data already present ({result['orders']} orders).")
        self.stdout.write(f"\nLogins (password for all: {DEMO_PASSWORD})")
        for username, full_name, role, department in PEOPLE:
            self.stdout.write(f"  {username:<12} {role:<14} {department or '':<8} {full_name}")
        if result["token"]:
            self.stdout.write(f"\nIVR API token (shown once): {result['token']}")
        self.stdout.write(
            "\nAPI docs: http://127.0.0.1:8000/api/docs   admin: http://127.0.0.1:8000/admin/"
        )
