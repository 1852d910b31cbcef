"""Counting rows for a screen without counting every row: above CAP a list says "10,000+".

A capped count is a COUNT over at most CAP + 1 rows, so drawing a list or a counter costs
the same with a hundred open orders as with a million.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Self

from django.db import connection
from django.db.models import QuerySet

CAP = 10_000
#: Text searches count less far: a common word's rows are counted by reading the text of
#: twenty times as many, and "300+ orders mention 停电" (six pages) says all a searcher
#: needs to narrow the search.
TEXT_CAP = 300


#: How a list counts itself: at most cap + 1 of its rows.
Counter = Callable[[int], int]


class Countable(QuerySet[Any, Any]):
    """A queryset that may be counted another way than by COUNTing it: one plan finds a page
    of the rows soonest, another counts them soonest (a common word's page by walking the
    list in order, its count by the text index). Any filter after that forgets it, so that
    the other way can never count other rows."""

    _counter: Counter | None = None

    def counted_by(self, counter: Counter) -> Self:
        clone = self.all()
        clone._counter = counter
        return clone

    def counter(self) -> Counter | None:
        return self._counter

    def _clone(self) -> Self:
        clone = super()._clone()  # type: ignore[misc]  # private in the stubs, stable in Django
        clone._counter = self._counter
        return clone

    def _filter_or_exclude(self, negate: bool, args: Any, kwargs: Any) -> Self:
        clone = super()._filter_or_exclude(negate, args, kwargs)  # type: ignore[misc]
        clone._counter = None
        return clone


def capped_count(rows: QuerySet[Any, Any], cap: int = CAP) -> int:
    """At most cap + 1: enough to say "more than the cap" without counting every row."""
    counter = rows.counter() if isinstance(rows, Countable) else None
    if counter is not None:
        return counter(cap)
    # Any cap + 1 rows: no order to sort them in.
    return rows.order_by().values("pk")[: cap + 1].count()


def capped_counts(rows: dict[str, QuerySet[Any, Any]], cap: int = CAP) -> dict[str, int]:
    """Several capped counts in one round trip: one scalar subquery each, each served by
    its own index."""
    parts: list[str] = []
    params: list[Any] = []
    for index, queryset in enumerate(rows.values()):
        sql, values = queryset.order_by().values("pk")[: cap + 1].query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS c{index})")
        params.extend(values)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        found = cursor.fetchone()
    return dict(zip(rows, (int(n) for n in found), strict=True))
