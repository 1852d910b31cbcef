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

from typing import Any, TypeVar

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import Func, Q, QuerySet, TextField

from kefu.tickets.models import WorkOrder

Orders = TypeVar("Orders", bound=QuerySet[Any])


class Grams(Func):
    """`kefu_grams(column)`: the index's own expression, so the planner uses the index."""

    function = "kefu_grams"
    output_field = ArrayField(TextField())


def grams(text: str) -> list[str]:
    """The pairs of `text` the index must hold (one character searches by itself)."""
    pairs = sorted({text[i : i + 2] for i in range(len(text) - 1)})
    return pairs or [text]


#: A search matching more candidates than this reads the list in its own order and keeps the
#: rows holding the words (they come soon); fewer, and it fetches the candidates by the index.
FEW = 2_000


def matching_text(orders: Orders, text: str, hidden: Q) -> Orders:
    """Orders whose description holds `text`, or whose address does unless `hidden` (an
    informant the reader may not locate)."""
    words = Q(description__contains=text) | (Q(address__contains=text) & ~hidden)
    if connection.vendor != "postgresql":
        return orders.filter(words)
    wanted = grams(text)
    in_description = Q(("description_grams__contains", wanted))
    in_address = Q(("address_grams__contains", wanted))
    candidates = (
        WorkOrder.objects.order_by()
        .alias(description_grams=Grams("description"), address_grams=Grams("address"))
        .filter(in_description | in_address)
        .values("pk")
    )
    if candidates[: FEW + 1].count() > FEW:
        # Common words: the list's own index, in order, finds a page of them in a few
        # hundred rows; fetching and sorting every candidate would read thousands.
        return orders.filter(words)
    # Rare words: the index finds the candidates in a subquery of its own (written inside
    # the OR, the pairs would be computed again for every candidate to check it).
    return orders.filter(Q(pk__in=candidates), words)
