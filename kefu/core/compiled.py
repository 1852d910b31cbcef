"""Lookups by one key, compiled once per process: for the paths every call of a storm takes.

Django compiles a queryset's SQL anew each time it runs it; on the intake path that cost
more than the database took to answer. A `KeyLookup` compiles its queryset once (with a
placeholder key) and then runs that SQL with the real key, so the row comes back as the
ORM would give it, without the compiler.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)


class KeyLookup(Generic[M]):
    """`build()` gives the queryset for one key (any placeholder value: it is never sent);
    calling the lookup with a key gives its first row, or None. The queryset must take
    exactly one parameter and select its model's own columns only (no select_related)."""

    def __init__(self, build: Callable[[], models.QuerySet[M]]) -> None:
        self._build = build
        self._sql: dict[str, tuple[type[M], str]] = {}

    def __call__(self, key: Any) -> M | None:
        compiled = self._sql.get(connection.vendor)
        if compiled is None:
            queryset = self._build()
            sql, params = queryset.query.sql_with_params()
            if len(params) != 1:
                raise ValueError(f"a key lookup takes one parameter, not {len(params)}")
            compiled = self._sql[connection.vendor] = (queryset.model, str(sql))
        model, sql = compiled
        return next(iter(model._default_manager.raw(sql, [key])), None)
