"""Creating users and API tokens (the CLI, the demo loader and the admin call these)."""

from __future__ import annotations

import copy
import datetime as dt
import getpass
import hashlib
import secrets
import socket

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import ApiToken, AuditEvent, Department, User
from kefu.accounts.roles import HOLDERS, Role
from kefu.core.caches import process_keyed
from kefu.core.errors import IllegalTransition, InvalidInput, NotFound

TOKEN_PREFIX = "kefu_"
DEFAULT_TOKEN_DAYS = 365
MAX_TOKEN_DAYS = 3 * 365
#: last_used_at is written at most this often per token and process: a busy IVR's requests
#: must not each pay an UPDATE.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_user(
    *,
    username: str,
    password: str | None,
    role: str,
    department_code: str | None = None,
    full_name: str = "",
    phone: str = "",
) -> User:
    if role not in Role.values:
        raise InvalidInput(
            _("unknown role %(value)s; one of %(choices)s"),
            field="role",
            value=role,
            choices=", ".join(Role.values),
        )
    department = None
    if department_code:
        department = Department.objects.filter(code=department_code).first()
        if department is None:
            raise NotFound(
                _("no department with code %(code)s"), field="department", code=department_code
            )
    if Role(role) in HOLDERS and department is None:
        raise InvalidInput(
            _("handlers and repair crews belong to a department"), field="department"
        )
    if User.objects.filter(username=username).exists():
        raise InvalidInput(
            _("user %(username)s exists already"), field="username", username=username
        )
    with transaction.atomic():
        user = User(
            username=username,
            role=role,
            department=department,
            full_name=full_name,
            phone=phone,
            is_staff=role == Role.ADMINISTRATOR,
            is_superuser=role == Role.ADMINISTRATOR,
        )
        # No password: a login is not possible until one is set (integrations use tokens).
        user.set_password(password)
        user.save()
    return user


def console_actor() -> str:
    """Who ran a command at the console: the operating-system account and the host."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "?"
    return f"{who}@{socket.gethostname()}"


def record_audit(
    *,
    kind: str,
    actor: User | None,
    token: ApiToken | None = None,
    subject: User | None = None,
    detail: dict[str, object] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        kind=kind,
        actor=actor,
        actor_name=(actor.full_name or actor.username) if actor else console_actor(),
        actor_role=actor.role if actor else "",
        token=token,
        subject=subject,
        at=timezone.now(),
        detail=detail or {},
    )


def create_token(
    *, user: User, name: str, days: int = DEFAULT_TOKEN_DAYS, actor: User | None = None
) -> tuple[ApiToken, str]:
    """Make a token valid for `days`; the secret is returned once and never stored."""
    name = name.strip()
    if not name:
        raise InvalidInput(_("a token needs a name saying what uses it"), field="name")
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise InvalidInput(
            _("a token is valid for 1 to %(days)s days"), field="days", days=MAX_TOKEN_DAYS
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    while secret[len(TOKEN_PREFIX)] == "-":
        # The prefix `kefu token revoke` is given must not read as an option.
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            digest=token_digest(secret),
            prefix=secret[len(TOKEN_PREFIX) :][:8],
            expires_at=timezone.now() + dt.timedelta(days=days),
        )
        record_audit(
            kind="token_issued",
            actor=actor,
            token=token,
            subject=user,
            detail={"name": name, "expires_at": str(token.expires_at)},
        )
    return token, secret


def find_token(key: str) -> ApiToken:
    """A token by its id or the prefix `kefu token list` shows."""
    tokens = ApiToken.objects.select_related("user")
    found = tokens.filter(pk=int(key)).first() if key.isdigit() else None
    if found is None:
        matches = list(tokens.filter(prefix=key)[:2])
        if len(matches) > 1:
            raise InvalidInput(
                _("prefix %(prefix)s names several tokens; use the id"), field="token", prefix=key
            )
        found = matches[0] if matches else None
    if found is None:
        raise NotFound(_("no API token %(key)s"), field="token", key=key)
    return found


def revoke_token(*, token: ApiToken, actor: User | None = None, reason: str = "") -> ApiToken:
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            raise IllegalTransition(
                _("token %(token)s is revoked already"), field="token", token=locked
            )
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        record_audit(
            kind="token_revoked",
            actor=actor,
            token=locked,
            subject=locked.user,
            detail={"name": locked.name, "reason": reason},
        )
    return locked


def list_tokens() -> QuerySet[ApiToken]:
    return ApiToken.objects.select_related("user").order_by("-created_at", "-id")


def _note_use(token: ApiToken, now: dt.datetime) -> None:
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now  # the cached row: the next minute's requests write nothing


@process_keyed
def _live_token(digest: str) -> ApiToken | None:
    """The unrevoked token of an active user with this digest, its user and department."""
    return (
        ApiToken.objects.select_related("user", "user__department")
        .filter(digest=digest, revoked_at=None, user__is_active=True)
        .first()
    )


def user_for_token(secret: str) -> User | None:
    """No SQL for a token this process has seen (until the configuration changes), and no
    password hasher on the hot path: the digest is the key."""
    now = timezone.now()
    token = _live_token(token_digest(secret))
    if token is None or (token.expires_at is not None and token.expires_at <= now):
        return None
    _note_use(token, now)
    # A copy per request: whatever a request sets on its user stays with that request.
    return copy.copy(token.user)
