"""The user an API request was authenticated as (token or session)."""

from __future__ import annotations

from django.http import HttpRequest

from kefu.accounts.models import User


def request_user(request: HttpRequest) -> User:
    """django-ninja puts the authenticated user on request.auth; every endpoint needs one."""
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user
