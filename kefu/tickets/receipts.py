"""The order a service has just written, handed back ready to answer: no read-back.

A service holds every row of the order it changed — intake the rows it inserted; a
transition the clocks and events it read under the order's lock, plus those it wrote. They
are attached here the way Django's prefetching would, so that the services work on them in
memory (`clocks.held`, `record_event`) and `order_out` (the API's answer) and the
confidentiality rule read them from there instead of querying rows written a moment ago.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kefu.tickets.models import Clock, OrderEvent, WorkOrder

RELATIONS = ("clocks", "events")


def attached(
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
    cache["clocks"] = attached(
        order, sorted(clocks, key=lambda c: (c.started_at, c.pk or 0)), Clock
    )
    cache["events"] = attached(
        order, sorted(events, key=lambda e: (e.occurred_at, e.pk or 0)), OrderEvent
    )


def held_rows(order: WorkOrder, relation: str) -> list[Any] | None:
    """The rows of `relation` attached to `order`, to change in place; None if not held."""
    loaded = order.__dict__.get("_prefetched_objects_cache", {}).get(relation)
    if loaded is None or loaded._result_cache is None:
        return None
    rows: list[Any] = loaded._result_cache
    return rows


def hold(order: WorkOrder, relation: str) -> list[Any]:
    """The rows of `relation` ("clocks", "events"), read once (under the order's lock) and
    kept on the order; the same list on every later call, to change in place."""
    rows = held_rows(order, relation)
    if rows is None:
        manager = getattr(order, relation)
        # Through the order's own manager, so that each row knows its order (presenting an
        # event to a reader asks it) without loading the order again per row.
        loaded = list(manager.select_related("department"))
        cache = order.__dict__.setdefault("_prefetched_objects_cache", {})
        cache[relation] = attached(order, loaded, manager.model)
        rows = held_rows(order, relation)
        assert rows is not None
    return rows


def in_hand(order: WorkOrder) -> bool:
    """Whether `order` carries everything its answer reads."""
    cache = order.__dict__.get("_prefetched_objects_cache", {})
    return all(name in cache for name in RELATIONS)
