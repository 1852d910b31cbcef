"""Small helpers the views share: the signed-in user, role checks, paging."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpRequest

from kefu.accounts.models import User


def current_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def require_role(request: HttpRequest, roles: Iterable[str]) -> User:
    user = current_user(request)
    if user.role not in set(roles):
        raise PermissionDenied
    return user


def page_of(request: HttpRequest, items: Any, per_page: int = 50) -> Page[Any]:
    """A page of a query: a COUNT and a LIMIT/OFFSET, however long the list."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))
