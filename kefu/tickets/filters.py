"""Filtering order lists: one definition for the API list and the pages' lists."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.db.models import F, Prefetch, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils import timezone
from ninja import Field, Schema

from kefu.accounts.models import User
from kefu.core import counting
from kefu.core.schema_types import Code, Moment, ShortText
from kefu.core.vocabulary import RequestType
from kefu.tickets.confidentiality import informant_hidden_filter
from kefu.tickets.models import Clock, WorkOrder
from kefu.tickets.paging import NULLABLE, SORT_KEYS, UNIQUE
from kefu.tickets.routing import active_departments
from kefu.tickets.search import matching_text
from kefu.tickets.states import State
from kefu.tickets.visibility import listed_orders

Sort = Literal["deadline", "-deadline", "accepted", "-accepted", "number", "-number"]
DUE_SOON = dt.timedelta(minutes=30)


def _ordering(sort: str) -> tuple[OrderBy, ...]:
    """ORDER BY for `sort`, from the one table of sorts (paging.SORT_KEYS) that the cursors
    read too: empty keys last, `id` after a key that is not unique."""
    column, descending = SORT_KEYS[sort]
    nulls = {"nulls_last": True} if column in NULLABLE else {}
    key = F(column).desc(**nulls) if descending else F(column).asc(**nulls)
    if column in UNIQUE:
        return (key,)
    return (key, F("id").desc() if descending else F("id").asc())


class OrderFilter(Schema):
    request_type: RequestType | None = None
    state: State | None = None
    open: bool | None = Field(default=None, description="Only open (true) or closed (false) orders")
    holder: Code | None = Field(default=None, description="Department code holding the order")
    customer: Code | None = Field(default=None, description="Customer account number")
    phone: Code | None = Field(default=None, description="Caller phone")
    overdue: bool | None = Field(default=None, description="A running clock is past its deadline")
    due_soon: bool | None = Field(
        default=None, description="A running clock runs out within the next 30 minutes"
    )
    late: bool | None = Field(default=None, description="Some stage was, or is, late")
    accepted_from: Moment | None = None
    accepted_to: Moment | None = None
    q: ShortText | None = Field(
        default=None, description="Order number prefix or words of the text"
    )
    sort: Sort | None = Field(
        default=None,
        description="deadline (the next one first; default for open, overdue and due-soon "
        "lists), accepted (default otherwise), number; a leading - reverses",
    )


def with_relations(orders: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    """Everything order_out reads, in a fixed number of queries whatever the page size."""
    # One join (the customer, whose fields the answer shows); the rest by small IN queries,
    # which PostgreSQL plans in microseconds where a six-table join took 2 ms to plan and
    # its wide rows longer to turn into objects.
    return orders.select_related("customer").prefetch_related(
        "holder",
        "suggested_department",
        "parent",
        "accepted_by",
        Prefetch("clocks", queryset=Clock.objects.select_related("department")),
    )


def filter_orders(user: User, params: OrderFilter) -> QuerySet[WorkOrder]:
    """The orders of `user`'s lists matching `params`, each presented to `user`."""
    orders = listed_orders(user)
    if params.request_type:
        orders = orders.filter(request_type=params.request_type)
    if params.state:
        orders = orders.filter(state=params.state)
    if params.open is not None:
        orders = orders.filter(closed_at__isnull=params.open)
    if params.holder:
        # By id where the code is known, so that the department's own index serves the list
        # (through a join, the planner walks every open order's deadline instead).
        department = active_departments().get(params.holder)
        if department is not None:
            orders = orders.filter(holder_id=department.pk)
        else:
            orders = orders.filter(holder__code=params.holder)
    if params.customer or params.phone:
        # Matching by who called must not reveal who filed a confidential report.
        orders = orders.exclude(informant_hidden_filter(user))
        if params.customer:
            orders = orders.filter(customer__account_number=params.customer)
        if params.phone:
            orders = orders.filter(caller_phone=params.phone)
    if params.overdue is not None:
        overdue = Q(closed_at__isnull=True, next_deadline__lt=timezone.now())
        orders = orders.filter(overdue) if params.overdue else orders.exclude(overdue)
    if params.due_soon is not None:
        now = timezone.now()
        soon = Q(closed_at__isnull=True, next_deadline__gte=now, next_deadline__lt=now + DUE_SOON)
        orders = orders.filter(soon) if params.due_soon else orders.exclude(soon)
    if params.late is not None:
        orders = orders.filter(is_late=params.late)
    if params.accepted_from:
        orders = orders.filter(accepted_at__gte=params.accepted_from)
    if params.accepted_to:
        orders = orders.filter(accepted_at__lt=params.accepted_to)
    ordering = _ordering(sort_of(params))
    number, words = _searched(params)
    if number:
        orders = orders.filter(number__startswith=number)
    elif words:
        # Where a confidential order's informant lives is not searchable by others.
        orders = matching_text(orders, words, informant_hidden_filter(user), ordering)
    return orders.order_by(*ordering)


def _searched(params: OrderFilter) -> tuple[str, str]:
    """What `q` asks for: an order number prefix (digits), or words of the text."""
    text = (params.q or "").strip()
    return (text, "") if text.isdigit() else ("", text)


def count_cap(params: OrderFilter) -> int:
    """How far the list's total is counted (kefu.core.counting)."""
    return counting.TEXT_CAP if _searched(params)[1] else counting.CAP


def sort_of(params: OrderFilter) -> str:
    """The list's order: as asked, else the next deadline first for lists of what is running
    (open, overdue, due soon), else the newest first."""
    if params.sort:
        return params.sort
    running = params.open or params.overdue or params.due_soon
    return "deadline" if running else "-accepted"
