"""What each department did in a period, counted by the database (GROUP BY with conditional
counts), never by looping over orders: one query over the events, one over the clocks,
one over the outage notices, whatever the number of orders.

Whose is a figure:
- a dispatch is the department it went to; an acknowledgement or a return the department
  of whoever made it; an urge by the clock the department answering for the clock;
- a customer's urge, a send-back and a callback the department holding the order then
  (recorded on the event; for events written before it was, the order's holder);
- a stage (a clock) the department answering for it; the center's own stages (dispatch,
  callback, the report to the city) are the center's;
- a late outage notice the department that asked for it.

A stage counts in the period its deadline falls in, once that deadline has passed: on
time, or late (finished after it, or still running past it). Its delay is how long after
its deadline it finished (or until now, still running).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce

from kefu.accounts.models import Department, DepartmentKind
from kefu.outages.models import OutageNotice
from kefu.tickets.models import Clock, ClockStatus, OrderEvent, WorkOrder

#: The events counted, by what they count.
EVENT_FIGURES = {
    "dispatched": Q(kind="dispatched"),
    "acknowledged": Q(kind="acknowledged"),
    "returned": Q(kind="returned"),
    "urged": Q(kind="urged"),
    "customer_urges": Q(kind="customer_urged"),
    "rework": Q(kind="sent_back"),
    "called_back": Q(kind="called_back"),
    "satisfied": Q(kind="called_back", new__satisfaction__in=["satisfied", "basically_satisfied"]),
    "dissatisfied": Q(kind="called_back", new__satisfaction="dissatisfied"),
}
COUNTED_EVENTS = [
    "dispatched",
    "acknowledged",
    "returned",
    "urged",
    "customer_urged",
    "sent_back",
    "called_back",
]
#: The figures every unit has, stages aside.
COUNTS = (*EVENT_FIGURES, "returned_late", "late_notices")
RUNNING = (ClockStatus.OPEN, ClockStatus.PAUSED)


def _holder_then() -> Coalesce:
    """The department holding the order when the event happened: recorded on the event,
    or (events written before it was) the order's holder."""
    return Coalesce(
        KeyTextTransform("holder", "new"), F("order__holder__code"), output_field=CharField()
    )


def center_code() -> str:
    center = Department.objects.filter(kind=DepartmentKind.CENTER).order_by("id").first()
    return center.code if center else "CENTER"


def _blank() -> dict[str, Any]:
    return {**dict.fromkeys(COUNTS, 0), "stages": {}, "delay_minutes": 0}


def unit_figures(start: dt.datetime, end: dt.datetime, now: dt.datetime) -> dict[str, Any]:
    """Department code → its figures for [start, end) as known at `now`."""
    center = center_code()
    code_of = dict(Department.objects.values_list("pk", "code"))
    units: dict[str, dict[str, Any]] = defaultdict(_blank)

    # Whose an event is, without joining a table to a month of events: a code named on the
    # event (a dispatch's, or the holder then), else the acting department's id, mapped to
    # its code here. Only an event written before the holder was recorded on it reads its
    # order's holder (COALESCE stops at the first value: the subquery runs for those alone).
    named = Case(
        When(kind__in=["acknowledged", "returned", "urged"], then=Value(None)),
        When(kind="dispatched", then=KeyTextTransform("holder", "new")),
        default=Coalesce(
            KeyTextTransform("holder", "new"),
            Subquery(WorkOrder.objects.filter(pk=OuterRef("order_id")).values("holder__code")[:1]),
        ),
        output_field=CharField(),
    )
    events = (
        OrderEvent.objects.filter(
            occurred_at__gte=start,
            occurred_at__lt=end,
            kind__in=COUNTED_EVENTS,
        )
        .annotate(named=named)
        .values("named", "department_id")
        .annotate(**{name: Count("id", filter=q) for name, q in EVENT_FIGURES.items()})
        .order_by()
    )
    for row in events:
        named_code, department = row.pop("named"), row.pop("department_id")
        unit = units[named_code or code_of.get(department) or center]
        for name, value in row.items():
            unit[name] += value

    due_by = min(end, now)
    late = Q(late=True) | Q(status__in=RUNNING, deadline__lt=now)
    delay = ExpressionWrapper(
        Coalesce("stopped_at", Value(now)) - F("deadline"), output_field=DurationField()
    )
    stages = (
        Clock.objects.filter(deadline__gte=start, deadline__lt=due_by)
        .exclude(kind="return")  # a permission, not a stage: only a late return counts
        .exclude(status=ClockStatus.VOID, late=False)  # no longer applied, and not overrun
        .values("department_id", "kind")
        .annotate(
            stages_due=Count("id"),
            stages_late=Count("id", filter=late),
            late_by=Sum(delay, filter=late),
        )
        .order_by()
    )
    for row in stages:
        unit = units[code_of.get(row["department_id"]) or center]
        unit["stages"][row["kind"]] = {"due": row["stages_due"], "late": row["stages_late"]}
        if row["late_by"]:
            unit["delay_minutes"] += int(row["late_by"].total_seconds() // 60)

    late_returns = (
        Clock.objects.filter(kind="return", late=True, stopped_at__gte=start, stopped_at__lt=end)
        .values("department_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in late_returns:
        units[code_of.get(row["department_id"]) or center]["returned_late"] += row["n"]

    late_notices = (
        OutageNotice.objects.filter(late=True, published_at__gte=start, published_at__lt=end)
        .exclude(requested_by=None)
        .values("requested_by__code")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in late_notices:
        units[row["requested_by__code"]]["late_notices"] += row["n"]
    return dict(units)


def behind(
    code: str, start: dt.datetime, end: dt.datetime, now: dt.datetime, limit: int = 200
) -> dict[str, list[dict[str, Any]]]:
    """The cases behind a unit's deductions, found as `unit_figures` counts them: what the
    list of units to be assessed opens with one click. Each: the order and when."""
    center = center_code()
    mine = Q(department__code=code) | (Q(department__isnull=True) if code == center else Q())
    late = Q(late=True) | Q(status__in=RUNNING, deadline__lt=now)
    stages = (
        Clock.objects.filter(mine, late, deadline__gte=start, deadline__lt=min(end, now))
        .exclude(kind="return")
        .select_related("order")
        .order_by("deadline")[:limit]
    )
    returns = (
        Clock.objects.filter(
            mine, kind="return", late=True, stopped_at__gte=start, stopped_at__lt=end
        )
        .select_related("order")
        .order_by("stopped_at")[:limit]
    )
    in_period = OrderEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    holder_then = Q(holder_then=code)
    by_clock = in_period.filter(mine, kind="urged")
    in_period = in_period.annotate(holder_then=_holder_then())
    events = {
        "urge": by_clock,
        "customer_urge": in_period.filter(holder_then, kind="customer_urged"),
        "rework": in_period.filter(holder_then, kind="sent_back"),
        "dissatisfied": in_period.filter(
            holder_then, kind="called_back", new__satisfaction="dissatisfied"
        ),
    }
    found: dict[str, list[dict[str, Any]]] = {
        "late_stage": [
            {
                "order": c.order.number,
                "what": c.kind,
                "deadline": c.deadline,
                "at": c.stopped_at,
                "why": c.late_cause,
            }
            for c in stages
        ],
        "late_return": [
            {
                "order": c.order.number,
                "what": c.kind,
                "deadline": c.deadline,
                "at": c.stopped_at,
                "why": c.late_cause,
            }
            for c in returns
        ],
    }
    for name, queryset in events.items():
        found[name] = [
            {"order": number, "what": kind, "deadline": None, "at": at, "why": ""}
            for number, kind, at in queryset.order_by("occurred_at").values_list(
                "order__number", "kind", "occurred_at"
            )[:limit]
        ]
    found["late_notice"] = [
        {"order": number, "what": "notice", "deadline": by, "at": at, "why": ""}
        for number, by, at in OutageNotice.objects.filter(
            late=True, published_at__gte=start, published_at__lt=end, requested_by__code=code
        ).values_list("number", "publish_by", "published_at")[:limit]
    ]
    return found
