"""The order a service has just written, handed back ready to answer: no read-back.

A service that builds an order (intake) holds every row it wrote — the order, its events,
its clocks — and the relations the answer names. It attaches them here the way Django's
prefetching would, so that `order_out` (the API's answer) and the confidentiality rule read
them from memory instead of querying the rows that were inserted a moment ago.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kefu.tickets.models import Clock, OrderEvent, WorkOrder

RELATIONS = ("clocks", "events")


def _loaded(
    order: WorkOrder, rows: Sequence[Clock] | Sequence[OrderEvent], model: type[Clock | OrderEvent]
) -> object:
    # The relation's own query, so that filtering it later still asks the database.
    queryset: Any = model.objects.filter(order=order)
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    return queryset


def hand_back(order: WorkOrder, events: Sequence[OrderEvent], clocks: Sequence[Clock]) -> None:
    """Attach what was written (in the models' own order) to `order`."""
    cache = order.__dict__.setdefault("_prefetched_objects_cache", {})
    cache["clocks"] = _loaded(order, sorted(clocks, key=lambda c: (c.started_at, c.pk or 0)), Clock)
    cache["events"] = _loaded(
        order, sorted(events, key=lambda e: (e.occurred_at, e.pk or 0)), OrderEvent
    )


def in_hand(order: WorkOrder) -> bool:
    """Whether `order` carries everything its answer reads."""
    cache = order.__dict__.get("_prefetched_objects_cache", {})
    return all(name in cache for name in RELATIONS)
