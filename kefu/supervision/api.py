"""Supervision endpoints: what is overdue now, and the history of warnings and urges."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from kefu.accounts.auth import request_user
from kefu.accounts.roles import authorize_read
from kefu.core.api_errors import READ_ERRORS
from kefu.core.counting import CAP
from kefu.core.policy import active_policy
from kefu.core.schema_types import Code, Moment, OrderNumber
from kefu.supervision.overdue import overdue_clocks
from kefu.supervision.summary import shift_counts
from kefu.tickets.visibility import listed_orders, readable_events

router = Router(tags=["supervision"])


class OverdueOut(Schema):
    number: str
    request_type: str
    state: str
    clock: str
    department: str | None
    deadline: dt.datetime
    overdue_minutes: int
    level: str | None


class UrgeOut(Schema):
    number: str
    kind: str
    clock: str | None
    level: str | None
    department: str | None
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    note: str


@router.get(
    "/overdue",
    response={200: list[OverdueOut], **READ_ERRORS},
    summary="Stages past their deadline now",
)
def overdue(
    request: HttpRequest, department: Code | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    user = request_user(request)
    authorize_read(user, "supervision")
    levels = active_policy().supervision.levels
    now = timezone.now()
    rows = []
    for clock in overdue_clocks(user, department)[: max(1, min(limit, 500))]:
        assert clock.deadline is not None
        rows.append(
            {
                "number": clock.order.number,
                "request_type": clock.order.request_type,
                "state": clock.order.state,
                "clock": clock.kind,
                "department": clock.department.code if clock.department else None,
                "deadline": clock.deadline,
                "overdue_minutes": int((now - clock.deadline).total_seconds() // 60),
                "level": levels[clock.urge_level - 1].name if clock.urge_level else None,
            }
        )
    return rows


@router.get(
    "/urges",
    response={200: list[UrgeOut], **READ_ERRORS},
    summary="Warnings, urges and customer urges",
)
def urges(
    request: HttpRequest,
    order: OrderNumber | None = None,
    since: Moment | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    user = request_user(request)
    authorize_read(user, "supervision")
    events = (
        readable_events(user)
        .filter(Q(kind__in=["warned", "urged", "customer_urged"]), order__in=listed_orders(user))
        .select_related("department")
    )
    if order:
        events = events.filter(order__number=order)
    if since:
        events = events.filter(recorded_at__gte=since)
    return [
        {
            "number": e.order.number,
            "kind": e.kind,
            "clock": e.new.get("clock"),
            "level": e.new.get("level"),
            "department": e.department.code if e.department else None,
            "occurred_at": e.occurred_at,
            "recorded_at": e.recorded_at,
            "note": e.note,
        }
        for e in events.order_by("-recorded_at", "-id")[: max(1, min(limit, 500))]
    ]


class SummaryOut(Schema):
    overdue: int
    due_soon: int
    undispatched: int
    returned: int
    to_review: int
    callbacks_due: int
    unread: int
    cap: int


@router.get(
    "/summary",
    response={200: SummaryOut, **READ_ERRORS},
    summary="The shift at a glance: the counts on the leader's board (each at most cap + 1)",
)
def summary(request: HttpRequest) -> dict[str, Any]:
    user = request_user(request)
    authorize_read(user, "supervision")
    return {**shift_counts(user).as_dict(), "cap": CAP}
