"""The shift at a glance: how many orders need the center now, counted the same way for the
leader's board, the navigation badges and `GET /api/supervision/summary`.

Every count is capped (COUNT over at most CAP+1 rows), so drawing the board costs the same
with a hundred open orders as with a million; above the cap the board says "10,000+".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from kefu.accounts.models import User
from kefu.accounts.roles import may_read
from kefu.callbacks.models import CallbackStatus, CallbackTask
from kefu.core.counting import capped_counts
from kefu.outbox.services import inbox
from kefu.tickets.models import WorkOrder
from kefu.tickets.states import State
from kefu.tickets.visibility import listed_orders

DUE_SOON = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class ShiftCounts:
    overdue: int  # open orders with a deadline passed now
    due_soon: int  # … with one passing within 30 minutes
    undispatched: int  # accepted, not yet dispatched
    returned: int  # returned by a department, waiting to be dispatched again
    to_review: int  # replied, waiting for the center's review
    callbacks_due: int  # callbacks whose call window is open now
    unread: int  # urges and escalations in my inbox not yet acknowledged

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _open(user: User) -> QuerySet[WorkOrder, dict[str, Any]]:
    # Only what the counts need: no presenting, no relations.
    return listed_orders(user).filter(closed_at__isnull=True).values("pk")


def shift_counts(user: User, now: dt.datetime | None = None) -> ShiftCounts:
    now = now or timezone.now()
    orders = _open(user)
    rows: dict[str, QuerySet[Any, Any]] = {
        "overdue": orders.filter(next_deadline__lt=now),
        "due_soon": orders.filter(next_deadline__gte=now, next_deadline__lt=now + DUE_SOON),
        "undispatched": orders.filter(state=State.ACCEPTED),
        "returned": orders.filter(state=State.RETURNED),
        "to_review": orders.filter(state=State.REPLIED),
        "unread": inbox(user).filter(read_at__isnull=True),
    }
    if may_read(user, "callbacks"):
        rows["callbacks_due"] = CallbackTask.objects.filter(
            status=CallbackStatus.QUEUED, call_from__lte=now
        )
    counts = capped_counts(rows)
    return ShiftCounts(callbacks_due=counts.pop("callbacks_due", 0), **counts)
