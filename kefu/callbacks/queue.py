"""Filling the callback queue when an order is approved (called from the approve service).

Complaints, reports, suggestions, praise, consultations, queries and applications: every
caller, within the callback clock. Repairs: a sample of at least the policy's share of the
callers of the fault (the order and the calls linked to it), covering every affected
transformer, in the same random-but-repeatable draw for the same fault.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict

from kefu.accounts.models import User
from kefu.callbacks.models import CallbackStatus, CallbackTask
from kefu.callbacks.windows import earliest_call, next_window
from kefu.core.policy import active_policy
from kefu.customers.models import CustomerCategory
from kefu.tickets.models import Clock, ClockStatus, WorkOrder
from kefu.tickets.states import State


def _transformer(call: WorkOrder) -> str:
    return call.customer.transformer if call.customer else ""


def repair_sample(calls: list[WorkOrder], share: float, seed: str) -> list[WorkOrder]:
    """At least `share` of the calls, and at least one per transformer, spread evenly."""
    groups: dict[str, list[WorkOrder]] = defaultdict(list)
    for call in calls:
        groups[_transformer(call)].append(call)
    size = min(len(calls), max(math.ceil(share * len(calls)), len(groups)))
    rng = random.Random(seed)
    queues = []
    for key in sorted(groups):
        members = sorted(groups[key], key=lambda c: c.pk)
        rng.shuffle(members)
        queues.append(members)
    picked: list[WorkOrder] = []
    while len(picked) < size:
        for members in queues:
            if members and len(picked) < size:
                picked.append(members.pop())
    return picked


def enqueue_callbacks(order: WorkOrder, approved_at: dt.datetime) -> list[CallbackTask]:
    policy = active_policy()
    type_policy = policy.type_policy(order.request_type)
    if type_policy is None or type_policy.callback == "none":
        return []
    linked = list(
        WorkOrder.objects.filter(parent=order, state=State.LINKED).select_related("customer")
    )
    if type_policy.callback == "all":
        # Every caller of these types is called back (100 %), the ones linked to it too.
        calls = [order, *linked]
    else:
        calls = repair_sample([order, *linked], policy.callback.sample_share, order.number)
    restored = order.events.filter(kind="restored").order_by("-occurred_at").first()
    earliest = earliest_call(
        policy.callback,
        approved_at=approved_at,
        restored_at=restored.occurred_at if restored else None,
    )
    clock = (
        Clock.objects.filter(order=order, kind="callback", status=ClockStatus.OPEN)
        .order_by("-round")
        .first()
    )
    tasks = []
    for call in calls:
        phone = call.caller_phone or (call.customer.phone if call.customer else "")
        if not phone:
            continue  # an anonymous caller who left no number cannot be called back
        business = bool(call.customer and call.customer.category == CustomerCategory.NON_RESIDENT)
        call_from, call_until = next_window(policy.callback, business=business, earliest=earliest)
        tasks.append(
            CallbackTask.objects.create(
                incident=order,
                call=call,
                customer=call.customer,
                phone=phone,
                transformer=_transformer(call),
                business=business,
                call_from=call_from,
                call_until=call_until,
                due_by=clock.deadline if clock else None,
                created_at=approved_at,
            )
        )
    return tasks


def open_callbacks(order: WorkOrder) -> bool:
    return CallbackTask.objects.filter(incident=order, status=CallbackStatus.QUEUED).exists()


def close_open_callbacks(order: WorkOrder, when: dt.datetime, actor: User | None) -> None:
    """A callback made outside the queue finishes what the queue still held for the order."""
    CallbackTask.objects.filter(incident=order, status=CallbackStatus.QUEUED).update(
        status=CallbackStatus.CLOSED, completed_at=when, completed_by=actor
    )
