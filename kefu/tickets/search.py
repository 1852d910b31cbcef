"""Finding orders by words of their text: the description, and the address where the reader
may know it.

On PostgreSQL a GIN index holds every character and character pair of the description and
the address (`kefu_grams`, migration 0007): the query asks for rows holding every pair of the
searched words, which the index answers without reading the table, and then checks that
the words themselves are there. Chinese needs no word splitting this way, and two-character
words (停电, 电表), too short for trigrams, are found by the index too. SQLite, the embedded
default for a single office, reads the text itself.
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, Func, Q, QuerySet, TextField

from kefu.core.counting import Counter
from kefu.tickets.models import OrderQuerySet


class Grams(Func):
    """`kefu_grams(column)`: the index's own expression, so the planner uses the index."""

    function = "kefu_grams"
    output_field = ArrayField(TextField())


def grams(text: str) -> list[str]:
    """The pairs of `text` the index must hold (one character searches by itself)."""
    pairs = sorted({text[i : i + 2] for i in range(len(text) - 1)})
    return pairs or [text]


#: A search first walks this many rows of the list in the list's own order (its index) …
WALK = 2_000
#: … and if this many of them hold the words, the first page of them (50 rows) is among
#: those rows and the next ones not far; fewer, and the text index fetches the candidates,
#: which are then sorted.
DENSE = 50


def _holding(ordered: QuerySet[Any], words: Q, rows: int) -> tuple[str, list[Any]]:
    """SQL for a yes or no per row, whether it holds `words`, over the list's first `rows`
    rows in its own order (only that leaves the database: no text)."""
    holds = ExpressionWrapper(words, output_field=BooleanField())
    sql, params = ordered.values(holds=holds)[:rows].query.sql_with_params()
    return sql, list(params)


def _count(sql: str, params: list[Any]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    return int(found[0]) if found else 0


def _dense(ordered: QuerySet[Any], text: str) -> bool:
    """Whether the first WALK rows of the list hold `text` DENSE times or more: a probe
    that costs the same for a rare word as for a common one, unlike asking the text index
    how many rows hold a common word's pairs (it builds a bitmap of all of them)."""
    sql, params = _holding(ordered, Q(description__contains=text) | Q(address__contains=text), WALK)
    return _count(f"SELECT COUNT(*) FROM ({sql}) AS walked WHERE walked.holds", params) >= DENSE


#: A common word is counted by walking at most this many rows of the list per row counted
#: (cap + 1 found within 20 × cap rows: it is in one row of twenty or more) …
REACH = 20


def _counted_by_walking_or_index(
    ordered: QuerySet[Any], words: Q, by_index: QuerySet[Any]
) -> Counter:
    """… else by the text index: a word common at the top of the list only (the orders of
    one street this morning) would have the walk read on to the list's end."""

    def count(cap: int) -> int:
        sql, params = _holding(ordered, words, REACH * (cap + 1))
        walked = _count(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM ({sql}) AS walked "
            "WHERE walked.holds LIMIT %s) AS found",
            [*params, cap + 1],
        )
        if walked > cap:
            return walked
        return by_index.order_by().values("pk")[: cap + 1].count()

    return count


def matching_text(
    orders: OrderQuerySet, text: str, hidden: Q, ordering: tuple[Any, ...]
) -> OrderQuerySet:
    """Orders whose description holds `text`, or whose address does unless `hidden` (an
    informant the reader may not locate); `ordering` is the list's."""
    words = Q(description__contains=text) | (Q(address__contains=text) & ~hidden)
    if connection.vendor != "postgresql":
        return orders.filter(words)
    # One scan of the rows the text index names, the words checked on each. The pairs are
    # a condition of their own beside the words, so that the planner answers them from the
    # index and does not compute them again for every row it reads.
    wanted = grams(text)
    in_index = Q(("description_grams__contains", wanted)) | Q(("address_grams__contains", wanted))
    by_index = orders.alias(
        description_grams=Grams("description"), address_grams=Grams("address")
    ).filter(in_index, words)
    ordered = orders.order_by(*ordering)
    if not _dense(ordered, text):
        return by_index  # rare words: their few rows fetched, then sorted
    # Common words: the list's own index, in order, finds a page of them in a few hundred
    # rows, and counts them to the cap soon enough.
    return orders.filter(words).counted_by(_counted_by_walking_or_index(ordered, words, by_index))
