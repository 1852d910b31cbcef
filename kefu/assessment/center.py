"""The center's own measures for a period (003 ch. 2, items 6 and 8; 001 art. 23), counted by
the database from the orders and their events:

- per agent: the orders they accepted, by request type; those answered at intake; how long
  their orders waited for a dispatch (average minutes, and the share dispatched within the
  limit); those a department returned as not its own (recorded or routed wrongly); the
  callbacks they made, and those made within the limit;
- for the center: of the complaints and reports accepted, the share acknowledged by a
  department ("100 % accepted"), replied ("handled") and called back ("answered").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
)

from kefu.core.vocabulary import RequestType
from kefu.tickets.models import Clock, OrderEvent, WorkOrder
from kefu.tickets.states import State


def agent_measures(start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    """One row per person who accepted orders in the period, the busiest first."""
    accepted = WorkOrder.objects.filter(accepted_at__gte=start, accepted_at__lt=end)
    first_dispatch = (
        OrderEvent.objects.filter(order_id=OuterRef("pk"), kind="dispatched")
        .order_by()
        .values("order_id")
        .annotate(at=Min("occurred_at"))
        .values("at")
    )
    waited = ExpressionWrapper(
        Subquery(first_dispatch) - F("accepted_at"), output_field=DurationField()
    )
    rows = (
        accepted.values("accepted_by_id", "accepted_by__username", "accepted_by__full_name")
        .annotate(
            orders=Count("id"),
            answered=Count("id", filter=Q(state=State.ANSWERED)),
            waited=Avg(waited),
            **{f"type_{t}": Count("id", filter=Q(request_type=t)) for t in RequestType.values},
        )
        .order_by()
    )
    dispatch_in_time = (
        Clock.objects.filter(order__in=accepted, kind="dispatch", status="done")
        .values("order__accepted_by_id")
        .annotate(done=Count("id"), late=Count("id", filter=Q(late=True)))
        .order_by()
    )
    dispatch = {r["order__accepted_by_id"]: r for r in dispatch_in_time}
    returned = {
        r["order__accepted_by_id"]: r["n"]
        for r in OrderEvent.objects.filter(kind="returned", order__in=accepted)
        .values("order__accepted_by_id")
        .annotate(n=Count("order_id", distinct=True))
        .order_by()
    }
    callbacks = (
        OrderEvent.objects.filter(kind="called_back", occurred_at__gte=start, occurred_at__lt=end)
        .values("actor_id")
        .annotate(made=Count("id"))
        .order_by()
    )
    made = {r["actor_id"]: r["made"] for r in callbacks}
    late_callbacks = (
        Clock.objects.filter(kind="callback", late=True, stopped_at__gte=start, stopped_at__lt=end)
        .filter(order__events__kind="called_back")
        .values("order__events__actor_id")
        .annotate(n=Count("id", distinct=True))
        .order_by()
    )
    late_by = {r["order__events__actor_id"]: r["n"] for r in late_callbacks}
    out = []
    for row in rows:
        who = row["accepted_by_id"]
        done = dispatch.get(who, {"done": 0, "late": 0})
        out.append(
            {
                "user": row["accepted_by__username"],
                "name": row["accepted_by__full_name"] or row["accepted_by__username"],
                "orders": row["orders"],
                "by_type": {t: row[f"type_{t}"] for t in RequestType.values if row[f"type_{t}"]},
                "answered_at_intake": row["answered"],
                "dispatch_minutes": round(row["waited"].total_seconds() / 60, 1)
                if row["waited"] is not None
                else None,
                "dispatched_in_time": done["done"] - done["late"],
                "dispatched_late": done["late"],
                "returned_as_not_ours": returned.get(who, 0),
                "callbacks": made.get(who, 0),
                "callbacks_late": late_by.get(who, 0),
            }
        )
    out.sort(key=lambda r: (-r["orders"], r["user"]))
    return out


def center_measures(start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """The complaints and reports accepted in the period, and how many were acknowledged by
    a department, replied and called back (the measures ask 100 % of each)."""
    watched = [RequestType.COMPLAINT, RequestType.REPORT]
    orders = WorkOrder.objects.filter(
        accepted_at__gte=start, accepted_at__lt=end, request_type__in=watched
    )
    figures = orders.aggregate(
        accepted=Count("id", distinct=True),
        acknowledged=Count("id", filter=Q(events__kind="acknowledged"), distinct=True),
        replied=Count("id", filter=Q(events__kind="replied"), distinct=True),
        called_back=Count("id", filter=Q(events__kind="called_back"), distinct=True),
    )

    def share(part: int) -> float | None:
        return round(100 * part / figures["accepted"], 1) if figures["accepted"] else None

    return {
        **figures,
        "acknowledged_share": share(figures["acknowledged"]),
        "replied_share": share(figures["replied"]),
        "called_back_share": share(figures["called_back"]),
    }
