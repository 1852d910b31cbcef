"""Who sees which orders, and whose eyes an informant's identity is kept from.

Handlers and crews see the orders their department holds or has held. A report's informant
(and an anonymous caller) is shown only to the report's handlers: the department holding it
and the agent who took the call.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from kefu.accounts.models import User
from kefu.accounts.roles import SEES_ALL_ORDERS, Role
from kefu.core.vocabulary import CONFIDENTIAL_TYPES
from kefu.customers.models import Customer
from kefu.tickets.models import Clock, WorkOrder

_CONFIDENTIAL = Q(request_type__in=[str(t) for t in CONFIDENTIAL_TYPES]) | Q(anonymous=True)


def orders_visible_to(user: User) -> QuerySet[WorkOrder]:
    orders = WorkOrder.objects.all()
    if Role(user.role) in SEES_ALL_ORDERS:
        return orders
    if user.department_id is None:
        return orders.none()
    held_before = Clock.objects.filter(order=OuterRef("pk"), department_id=user.department_id)
    return orders.filter(Q(holder_id=user.department_id) | Exists(held_before))


def is_confidential(order: WorkOrder) -> bool:
    return order.request_type in CONFIDENTIAL_TYPES or order.anonymous


def can_see_informant(user: User, order: WorkOrder) -> bool:
    if not is_confidential(order):
        return True
    if order.accepted_by_id == user.pk:
        return True
    return user.department_id is not None and order.holder_id == user.department_id


def informant_hidden_filter(user: User) -> Q:
    """Orders whose informant `user` may not see: never match them by customer or phone."""
    mine = Q(accepted_by_id=user.pk)
    if user.department_id is not None:
        mine |= Q(holder_id=user.department_id)
    return _CONFIDENTIAL & ~mine


def customer_orders(user: User, customer: Customer) -> QuerySet[WorkOrder]:
    """A customer's orders as `user` may see them, newest first: never a report they filed
    unless `user` is one of its handlers."""
    return (
        orders_visible_to(user)
        .filter(customer=customer)
        .exclude(informant_hidden_filter(user))
        .order_by("-accepted_at")
    )
