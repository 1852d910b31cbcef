"""Pages of order lists that cost the same on page 1 and page 20,000.

A list's total is a capped count (COUNT over at most CAP + 1 rows: "10,000+" above it),
never a count of every open order. Pages deeper than MAX_OFFSET are reached with a keyset
cursor instead of an offset: `next` names the last row's sort key, and the next page starts
right after it in the index that serves the list's order, without reading the rows before.

A cursor is opaque to clients (base64 of the sort and the last row's key), so that the key
can change without breaking them; a cursor for another sort is refused.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from kefu.core.errors import InvalidInput

if TYPE_CHECKING:  # the benchmark encodes cursors without setting Django up
    from kefu.tickets.models import WorkOrder

#: Offsets beyond this are refused: a deep page reads every row before it; use the cursor.
MAX_OFFSET = 10_000

#: Each sort: the column it orders by, and whether it runs descending. `id` breaks ties.
SORT_KEYS: dict[str, tuple[str, bool]] = {
    "deadline": ("next_deadline", False),
    "-deadline": ("next_deadline", True),
    "accepted": ("accepted_at", False),
    "-accepted": ("accepted_at", True),
    "number": ("number", False),
    "-number": ("number", True),
}
#: Columns that may be empty; an empty key sorts last whichever the direction.
NULLABLE = frozenset({"next_deadline"})
#: Columns no two orders share: no `id` needed after them.
UNIQUE = frozenset({"number"})
DATETIMES = frozenset({"next_deadline", "accepted_at"})


def encode_cursor(sort: str, value: Any, pk: int) -> str:
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.UTC).isoformat()
    raw = json.dumps([sort, value, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def next_cursor(sort: str, last: WorkOrder) -> str:
    column, _descending = SORT_KEYS[sort]
    return encode_cursor(sort, getattr(last, column), last.pk)


def _refused() -> InvalidInput:
    return InvalidInput(
        _("this cursor is not one this list gave out: start again without `after`"),
        field="after",
    )


def decode_cursor(sort: str, text: str) -> tuple[Any, int]:
    """The key a cursor of `sort` names; anything else is refused with a 400."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        cursor_sort, value, pk = json.loads(raw)
    except (binascii.Error, ValueError, TypeError):
        raise _refused() from None
    column, _descending = SORT_KEYS[sort]
    if cursor_sort != sort or not isinstance(pk, int) or isinstance(pk, bool):
        raise _refused()
    if not 0 <= pk < 2**63:  # beyond a bigint the database would fail, not refuse
        raise _refused()
    if value is None:
        if column not in NULLABLE:
            raise _refused()
    elif column in DATETIMES:
        try:
            value = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
            if value is not None and value.tzinfo is not None:
                value = value.astimezone(dt.UTC)
        except (ValueError, OverflowError):
            value = None
        if value is None or value.tzinfo is None:
            raise _refused()
    elif not isinstance(value, str):
        raise _refused()
    return value, pk


def rows_after(orders: QuerySet[WorkOrder], sort: str, cursor: str, limit: int) -> list[WorkOrder]:
    """Up to `limit` rows of `orders` (already in `sort`'s order) after the cursor's row.

    The condition is written so that an index on (key, id) serves it as a range —
    `key >= v AND (key > v OR id > i)` — rather than as an OR no index can start from; the
    rows with no key, which sort last, are a second range read only when the first runs out.
    """
    column, descending = SORT_KEYS[sort]
    value, pk = decode_cursor(sort, cursor)
    beyond, same = ("lt", "lt") if descending else ("gt", "gt")
    if value is None:
        return list(orders.filter(**{f"{column}__isnull": True, f"pk__{same}": pk})[:limit])
    start = "lte" if descending else "gte"
    keyed = orders.filter(
        Q(**{f"{column}__{start}": value})
        & (Q(**{f"{column}__{beyond}": value}) | Q(**{f"pk__{same}": pk}))
    )
    rows = list(keyed[:limit])
    if len(rows) < limit and column in NULLABLE:
        rows += list(orders.filter(**{f"{column}__isnull": True})[: limit - len(rows)])
    return rows
