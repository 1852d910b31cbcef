"""Counting rows for a screen without counting every row: above CAP a list says "10,000+".

A capped count is a COUNT over at most CAP + 1 rows, so drawing a list or a counter costs
the same with a hundred open orders as with a million.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import QuerySet

CAP = 10_000
#: Text searches count less far: their rows are found by reading the text, and "1,000+
#: orders mention 停电" says all a searcher needs.
TEXT_CAP = 1_000


def capped_count(rows: QuerySet[Any, Any], cap: int = CAP) -> int:
    """At most cap + 1: enough to say "more than the cap" without counting every row."""
    return rows.order_by()[: cap + 1].count()  # any cap + 1 rows: no order to sort them in


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
