"""Small helpers the views share: the signed-in user, role checks, paging."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpRequest

from kefu.accounts.models import User
from kefu.accounts.roles import Role, may_read


def current_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def require_role(request: HttpRequest, roles: Iterable[str]) -> User:
    user = current_user(request)
    if user.role not in set(roles):
        raise PermissionDenied
    return user


def require_read(request: HttpRequest, surface: str) -> User:
    """The page shows `surface` (roles.READ_ROLES): the same rule as the API's."""
    user = current_user(request)
    if not may_read(user, surface):
        raise PermissionDenied
    return user


def require_person(request: HttpRequest) -> User:
    """Any workstation page: people only; integrations use the API."""
    user = current_user(request)
    if user.role == Role.INTEGRATION:
        raise PermissionDenied
    return user


def page_of(request: HttpRequest, items: Any, per_page: int = 50) -> Page[Any]:
    """A page of a query: a COUNT and a LIMIT/OFFSET, however long the list."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))
