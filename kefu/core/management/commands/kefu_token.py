"""API tokens: create one (the secret is printed once), list them, revoke one."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kefu.accounts.models import User
from kefu.accounts.services import (
    DEFAULT_TOKEN_DAYS,
    create_token,
    find_token,
    list_tokens,
    revoke_token,
)
from kefu.core.calendar import BEIJING
from kefu.core.errors import DomainError


def _when(value: Any) -> str:
    return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if value else "-"


class Command(BaseCommand):
    help = "Create, list or revoke API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("username")
        create.add_argument("--name", required=True)
        create.add_argument("--days", type=int, default=DEFAULT_TOKEN_DAYS)
        sub.add_parser("list")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("token", help="the id or the prefix shown by `kefu token list`")
        revoke.add_argument("--reason", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except DomainError as exc:
            raise CommandError(exc.message) from None

    def _create(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user {options['username']!r}")
        _, secret = create_token(user=user, name=options["name"], days=options["days"])
        self.stdout.write(secret)

    def _list(self, options: dict[str, Any]) -> None:
        now = timezone.now()
        self.stdout.write(
            f"{'id':>4}  {'prefix':8}  {'user':16} {'name':20} {'created':16}  "
            f"{'expires':16}  {'last used':16}  state"
        )
        for token in list_tokens():
            if token.revoked_at:
                state = f"revoked {_when(token.revoked_at)}"
            elif token.expires_at and token.expires_at <= now:
                state = "expired"
            else:
                state = "active"
            self.stdout.write(
                f"{token.pk:>4}  {token.prefix:8}  {token.user.username:16} {token.name:20} "
                f"{_when(token.created_at):16}  {_when(token.expires_at):16}  "
                f"{_when(token.last_used_at):16}  {state}"
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        token = revoke_token(token=find_token(options["token"]), reason=options["reason"])
        self.stdout.write(f"revoked {token.pk} {token.name} ({token.prefix}…)")
