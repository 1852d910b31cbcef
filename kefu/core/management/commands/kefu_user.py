"""Create a Kefu user with a role (and a department for handlers and crews)."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kefu.accounts.services import create_user
from kefu.core.errors import DomainError


class Command(BaseCommand):
    help = "Create a user."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True)
        parser.add_argument("--department")
        parser.add_argument("--full-name", default="")
        parser.add_argument("--password")

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"] or os.environ.get("KEFU_PASSWORD")
        if not password:
            password = getpass.getpass("password: ")
        if len(password) < 8:
            raise CommandError("the password needs at least 8 characters")
        try:
            user = create_user(
                username=options["username"],
                password=password,
                role=options["role"],
                department_code=options["department"],
                full_name=options["full_name"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"created {user.username} ({user.role})")
