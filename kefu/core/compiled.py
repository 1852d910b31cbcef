"""Lookups by one key, compiled once per process: for the paths every call of a storm takes.

Django compiles a queryset's SQL anew each time it runs it; on the intake path that cost
more than the database took to answer. A `KeyLookup` compiles its queryset once (with a
placeholder key), keeps the SQL, the columns and their converters, and then runs that SQL
with the real key and builds the row as the ORM would (`Model.from_db`), without the
compiler or a raw queryset's per-call column mapping.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class _Plan:
    model: type[models.Model]
    sql: str
    names: list[str]  # attribute names, in the order of the selected columns
    converters: list[tuple[int, list[Any], Any]]  # column, its converters, its expression


class KeyLookup(Generic[M]):
    """`build()` gives the queryset for one key (any placeholder value: it is never sent);
    calling the lookup with a key gives its first row, or None. The queryset must take
    exactly one parameter and select its model's own columns only (no select_related)."""

    def __init__(self, build: Callable[[], models.QuerySet[M]]) -> None:
        self._build = build
        self._plans: dict[str, _Plan] = {}

    def _plan(self) -> _Plan:
        queryset = self._build()
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        if len(params) != 1:
            raise ValueError(f"a key lookup takes one parameter, not {len(params)}")
        columns = [expression for expression, _sql, _alias in compiler.select]
        converters = compiler.get_converters(columns)
        return _Plan(
            model=queryset.model,
            sql=str(sql),
            names=[column.target.attname for column in columns],
            converters=[(i, funcs, expression) for i, (funcs, expression) in converters.items()],
        )

    def __call__(self, key: Any) -> M | None:
        plan = self._plans.get(connection.vendor)
        if plan is None:
            plan = self._plans[connection.vendor] = self._plan()
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, [key])
            row = cursor.fetchone()
        if row is None:
            return None
        values = list(row)
        for index, funcs, expression in plan.converters:
            value = values[index]
            for convert in funcs:
                value = convert(value, expression, connection)
            values[index] = value
        found: M = plan.model.from_db(connection.alias, plan.names, values)  # type: ignore[assignment]
        return found
