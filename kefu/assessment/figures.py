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
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, NullIf

from kefu.accounts.models import Department, DepartmentKind
from kefu.outages.models import OutageNotice
from kefu.tickets.models import Clock, ClockStatus, OrderEvent

#: What the events count.
EVENT_FIGURES = (
    "dispatched",
    "acknowledged",
    "returned",
    "urged",
    "customer_urges",
    "rework",
    "called_back",
    "satisfied",
    "dissatisfied",
)
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
#: The callback verdicts that count as satisfied.
SATISFIED = ("satisfied", "basically_satisfied")


def _named_holder() -> Coalesce:
    """The holder the event names: its code; "" when it names a null holder (the center's,
    as an empty code is); NULL when it has no "holder" key (written before the holder was
    recorded). SQLite reads a JSON null as the text 'null', PostgreSQL as NULL: both are
    the named null holder here."""
    return Coalesce(
        NullIf(KeyTextTransform("holder", "new"), Value("null")),
        Case(When(new__has_key="holder", then=Value(""))),
        output_field=CharField(),
    )


def _holder_then() -> Coalesce:
    """The department holding the order when the event happened: recorded on the event
    ("" for the center), or (events written before it was) the order's holder."""
    return Coalesce(_named_holder(), F("order__holder__code"), output_field=CharField())


#: Events that are the acting department's, and events that are the holder's at the time.
BY_ACTOR = frozenset({"acknowledged", "returned", "urged"})
BY_HOLDER = frozenset({"customer_urged", "sent_back", "called_back"})
#: The figure each event kind counts in.
FIGURE_OF = {
    "dispatched": "dispatched",
    "acknowledged": "acknowledged",
    "returned": "returned",
    "urged": "urged",
    "customer_urged": "customer_urges",
    "sent_back": "rework",
    "called_back": "called_back",
}


def _count(unit: dict[str, Any], kind: str, verdict: str | None, n: int) -> None:
    unit[FIGURE_OF[kind]] += n
    if kind == "called_back" and verdict in SATISFIED:
        unit["satisfied"] += n
    elif kind == "called_back" and verdict == "dissatisfied":
        unit["dissatisfied"] += n


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

    # One pass over the period's events, grouped by plain keys — the kind, the acting
    # department, the code the event names (a dispatch's department, or the holder then)
    # and a callback's verdict — a few hundred groups whatever the month's size; whose each
    # group is, is settled here. Events written before the holder was recorded on them (no
    # "holder" key) are counted for their order's holder, in a query of their own that runs
    # only when there are any.
    #
    # The named code says whether there is a "holder" key too: the code when the event names
    # one, "" when it names none (a null holder, the center's, as an empty code is), NULL
    # when it has no such key. So the `?` test runs only on the events whose holder reads as
    # NULL, not on all of them, and is no key of its own in the GROUP BY, where each key is
    # hashed for every one of the month's millions of events (the test as a key of its own
    # cost the events' pass about a tenth of its plain GROUP BY).
    named = _named_holder()
    rows = (
        OrderEvent.objects.filter(
            occurred_at__gte=start, occurred_at__lt=end, kind__in=COUNTED_EVENTS
        )
        .annotate(named=named, verdict=KeyTextTransform("satisfaction", "new"))
        .values("kind", "department_id", "named", "verdict")
        .annotate(n=Count("*"))
        .order_by()
    )
    legacy = False
    for row in rows:
        kind = row["kind"]
        if kind in BY_ACTOR:
            code = code_of.get(row["department_id"])
        elif kind in BY_HOLDER and row["named"] is None:
            legacy = True
            continue
        else:
            code = row["named"]
        _count(units[code or center], kind, row["verdict"], row["n"])
    if legacy:
        for row in (
            OrderEvent.objects.filter(
                occurred_at__gte=start, occurred_at__lt=end, kind__in=sorted(BY_HOLDER)
            )
            .exclude(new__has_key="holder")
            .annotate(verdict=KeyTextTransform("satisfaction", "new"))
            .values("kind", "order__holder__code", "verdict")
            .annotate(n=Count("id"))
            .order_by()
        ):
            unit = units[row["order__holder__code"] or center]
            _count(unit, row["kind"], row["verdict"], row["n"])

    due_by = min(end, now)
    # One pass over the clocks too: the stages due in the period (a return window is a
    # permission, not a stage; a clock voided in time no longer applies), and the returns
    # made after their window in the period.
    stage = (
        Q(deadline__gte=start, deadline__lt=due_by)
        & ~Q(kind="return")
        & ~Q(status=ClockStatus.VOID, late=False)
    )
    late_return = Q(kind="return", late=True, stopped_at__gte=start, stopped_at__lt=end)
    # The kind tells the two apart (a stage is never a return window, a late return always
    # is), and the kind is a group key: so each group's rows are all stages or all late
    # returns, counted by a plain COUNT(*), and the conditional aggregates need not test
    # `stage` again on every row. Late, among these rows: marked late, or still running — a
    # stage is due before min(end, now), so a running one is past its deadline, and a late
    # return is marked late. (Testing `stage` and the deadline in each FILTER cost the
    # clocks' pass about half again its plain GROUP BY.)
    late = Q(late=True) | Q(status__in=RUNNING)
    delay = ExpressionWrapper(
        Coalesce("stopped_at", Value(now)) - F("deadline"), output_field=DurationField()
    )
    clocks = (
        Clock.objects.filter(stage | late_return)
        .values("department_id", "kind")
        .annotate(n=Count("*"), n_late=Count("id", filter=late), late_by=Sum(delay, filter=late))
        .order_by()
    )
    for row in clocks:
        unit = units[code_of.get(row["department_id"]) or center]
        if row["kind"] == "return":
            unit["returned_late"] += row["n"]
            continue
        unit["stages"][row["kind"]] = {"due": row["n"], "late": row["n_late"]}
        if row["late_by"]:
            unit["delay_minutes"] += int(row["late_by"].total_seconds() // 60)

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
    code: str, start: dt.datetime, end: dt.datetime, now: dt.datetime, limit: int | None = 200
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
    if code == center:  # the center's: a null holder named, or an order it holds
        holder_then |= Q(holder_then="") | Q(holder_then__isnull=True)
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
