"""The shift at a glance: how many orders need the center now, counted the same way for the
leader's board, the navigation badges and `GET /api/supervision/summary`.

Every count is capped (COUNT over at most CAP+1 rows), so drawing the board costs the same
with a hundred open orders as with a million; above the cap the board says "10,000+".

The counts of orders and callbacks are the same for everyone who lists the same orders (a
leader, a supervisor and an agent all list every order; a station's crews its own), and in a
storm every one of them asks for them on every page and every 15 seconds on the board: a
process keeps them for KEFU_SHARED_COUNTS_SECONDS per list scope. Only the unread messages,
which are each user's own, are counted for every request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from kefu.accounts.models import User
from kefu.accounts.roles import may_read
from kefu.callbacks.models import CallbackStatus, CallbackTask
from kefu.core.caches import process_cleared
from kefu.core.counting import capped_counts
from kefu.outbox.services import inbox
from kefu.tickets.models import WorkOrder
from kefu.tickets.states import State
from kefu.tickets.visibility import list_scope, listed_orders

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


def _shared_rows(user: User, now: dt.datetime) -> dict[str, QuerySet[Any, Any]]:
    orders = _open(user)
    rows: dict[str, QuerySet[Any, Any]] = {
        "overdue": orders.filter(next_deadline__lt=now),
        "due_soon": orders.filter(next_deadline__gte=now, next_deadline__lt=now + DUE_SOON),
        "undispatched": orders.filter(state=State.ACCEPTED),
        "returned": orders.filter(state=State.RETURNED),
        "to_review": orders.filter(state=State.REPLIED),
    }
    if may_read(user, "callbacks"):
        rows["callbacks_due"] = CallbackTask.objects.filter(
            status=CallbackStatus.QUEUED, call_from__lte=now
        )
    return rows


#: Per list scope (and whether it sees callbacks): when counted, and the counts.
_shared: dict[tuple[str, bool], tuple[dt.datetime, dict[str, int]]] = process_cleared({})


def shift_counts(user: User, now: dt.datetime | None = None) -> ShiftCounts:
    """The counts now (shared for a few seconds), or at the moment `now` (counted)."""
    unread = {"unread": inbox(user).filter(read_at__isnull=True)}
    if now is not None:
        counted = capped_counts({**_shared_rows(user, now), **unread})
        return ShiftCounts(**{"callbacks_due": 0, **counted})
    now = timezone.now()
    key = (list_scope(user), may_read(user, "callbacks"))
    entry = _shared.get(key)
    fresh_for = dt.timedelta(seconds=settings.KEFU_SHARED_COUNTS_SECONDS)
    if entry is not None and entry[0] <= now < entry[0] + fresh_for:
        shared = entry[1]
        unread_count = capped_counts(unread)["unread"]
    else:  # counted in one round trip with this user's unread messages
        shared = capped_counts({**_shared_rows(user, now), **unread})
        unread_count = shared.pop("unread")
        _shared[key] = (now, shared)
    return ShiftCounts(**{"callbacks_due": 0, **shared, "unread": unread_count})
