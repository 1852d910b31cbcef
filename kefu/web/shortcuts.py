"""Small helpers the views share: the signed-in user, role checks, paging."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property

from kefu.accounts.models import User
from kefu.accounts.roles import Role, may_read
from kefu.core import counting


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


class CappedPaginator(Paginator):
    """Django's paginator with a capped count: a list of a million open orders is counted
    up to CAP ("10,000+") and paged through its first CAP rows; past them, filter."""

    def __init__(self, items: Any, per_page: int, cap: int | None = None) -> None:
        super().__init__(items, per_page)
        self.cap = counting.CAP if cap is None else cap

    @cached_property
    def found(self) -> int:
        if isinstance(self.object_list, QuerySet):
            return counting.capped_count(self.object_list.values("pk"), self.cap)
        return len(self.object_list)

    @cached_property
    def count(self) -> int:
        return min(self.found, self.cap)

    @property
    def capped(self) -> bool:
        return self.found > self.cap


def page_of(
    request: HttpRequest, items: Any, per_page: int = 50, cap: int | None = None
) -> Page[Any]:
    """A page of a query: a capped COUNT and a LIMIT/OFFSET, however long the list."""
    return CappedPaginator(items, per_page, cap).get_page(request.GET.get("page"))
