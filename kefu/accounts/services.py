"""Creating users and API tokens (the CLI, the demo loader and the admin call these)."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction

from kefu.accounts.models import ApiToken, Department, User
from kefu.accounts.roles import HOLDERS, Role
from kefu.core.errors import InvalidInput, NotFound

TOKEN_PREFIX = "kefu_"


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
        raise InvalidInput(f"unknown role {role!r}; one of {', '.join(Role.values)}", field="role")
    department = None
    if department_code:
        department = Department.objects.filter(code=department_code).first()
        if department is None:
            raise NotFound(f"no department with code {department_code!r}", field="department")
    if Role(role) in HOLDERS and department is None:
        raise InvalidInput("handlers and repair crews belong to a department", field="department")
    if User.objects.filter(username=username).exists():
        raise InvalidInput(f"user {username!r} exists already", field="username")
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


def create_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token; the secret is returned once and never stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, digest=token_digest(secret), prefix=secret[len(TOKEN_PREFIX) :][:8]
    )
    return token, secret


def user_for_token(secret: str) -> User | None:
    """One indexed lookup by digest: no password hasher on the hot path."""
    token = (
        ApiToken.objects.select_related("user", "user__department")
        .filter(digest=token_digest(secret), revoked_at=None, user__is_active=True)
        .first()
    )
    return token.user if token else None
