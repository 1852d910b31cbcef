"""Create an API token for an integration user; the secret is printed once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kefu.accounts.models import User
from kefu.accounts.services import create_token


class Command(BaseCommand):
    help = "Create an API token."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user {options['username']!r}")
        _, secret = create_token(user=user, name=options["name"])
        self.stdout.write(secret)
