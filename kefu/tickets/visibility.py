"""Department walls: which orders a user may open, and which appear in their lists.

Handlers and crews open the orders their department holds or has held (a former holder
reads the order as it left it: confidentiality.py); their lists hold only what their
department holds now. Every other role opens every order. What of an order a reader may
see is confidentiality.py's rule; the querysets here apply it (`for_reader`).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from kefu.accounts.models import User
from kefu.accounts.roles import HOLDERS, SEES_ALL_ORDERS, Role
from kefu.customers.models import Customer
from kefu.tickets.confidentiality import informant_hidden_filter
from kefu.tickets.models import Clock, EventQuerySet, OrderEvent, OrderQuerySet, WorkOrder


def orders_visible_to(user: User) -> OrderQuerySet:
    """The raw rows of the orders `user` may open: services lock and change these."""
    orders: OrderQuerySet = WorkOrder.objects.all()
    if Role(user.role) in SEES_ALL_ORDERS:
        return orders
    if user.department_id is None:
        return orders.none()
    held_before = Clock.objects.filter(order=OuterRef("pk"), department_id=user.department_id)
    return orders.filter(Q(holder_id=user.department_id) | Exists(held_before))


def readable_orders(user: User) -> OrderQuerySet:
    """The orders `user` may open, each presented to them (masked as the rule says)."""
    return orders_visible_to(user).for_reader(user)


def listed_orders(user: User) -> OrderQuerySet:
    """What `user`'s lists hold: a department's lists only what it holds now."""
    if Role(user.role) in HOLDERS:
        # What the department holds now is a part of what it may open: no need to ask the
        # clocks whether it held each one before (that test would run on every row).
        orders: OrderQuerySet = WorkOrder.objects.all()
        if user.department_id is None:
            return orders.none().for_reader(user)  # not `holder IS NULL`: the center's
        return orders.filter(holder_id=user.department_id).for_reader(user)
    return readable_orders(user)


def list_scope(user: User) -> str:
    """A key that two users share exactly when listed_orders() holds the same orders for
    them: what counts of a list may be shared under (supervision/summary.py)."""
    if Role(user.role) in HOLDERS:
        return f"holds:{user.department_id}"
    if Role(user.role) in SEES_ALL_ORDERS:
        return "all"
    return f"held:{user.department_id}"


def readable_events(user: User) -> EventQuerySet:
    """Events of the orders `user` may open; a former holder's stop at its return."""
    events: EventQuerySet = OrderEvent.objects.filter(order__in=orders_visible_to(user))
    if Role(user.role) in HOLDERS and user.department_id is not None:
        last_return = (
            OrderEvent.objects.filter(
                order_id=OuterRef("order_id"), kind="returned", department_id=user.department_id
            )
            .order_by("-id")
            .values("id")[:1]
        )
        events = events.filter(
            Q(order__holder_id=user.department_id) | Q(id__lte=Subquery(last_return))
        )
    return events.select_related("order").for_reader(user)


def customer_orders(user: User, customer: Customer) -> QuerySet[WorkOrder]:
    """A customer's orders as `user` may see them, newest first: never a confidential
    order they are the informant of, unless `user` is one of its handlers."""
    return (
        listed_orders(user)
        .filter(customer=customer)
        .exclude(informant_hidden_filter(user))
        .order_by("-accepted_at")
    )
