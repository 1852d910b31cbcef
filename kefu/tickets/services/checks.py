"""Checks every service shares: who may act, when it happened, the locked row, the event.

A transition locks the order, checks the actor's role (and, for holders, that their
department holds the order), the state and the time, applies its change and its clocks,
and writes its event in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Department, DepartmentKind, User
from kefu.accounts.roles import ACTION_ROLES, HOLDER_ACTIONS, HOLDERS, Role
from kefu.core.calendar import BEIJING
from kefu.core.errors import (
    Conflict,
    IllegalTransition,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from kefu.core.vocabulary import (
    RequestType,
)
from kefu.tickets import clocks
from kefu.tickets.actions import ACTION_LABELS
from kefu.tickets.models import OrderEvent, WorkOrder
from kefu.tickets.receipts import held_rows, hold
from kefu.tickets.routing import active_departments, active_departments_by_id
from kefu.tickets.states import State, move_for
from kefu.tickets.visibility import orders_visible_to

EVENT_KINDS = {
    "dispatch": "dispatched",
    "return": "returned",
    "acknowledge": "acknowledged",
    "depart": "departed",
    "arrive": "arrived",
    "onsite_report": "on_site_reported",
    "restore": "restored",
    "update_estimate": "estimate_updated",
    "report_to_city": "reported_to_city",
    "application_step": "application_step",
    "reply": "replied",
    "approve": "approved",
    "send_back": "sent_back",
    "callback": "called_back",
    "archive": "archived",
    "answer": "answered",
    "cancel": "cancelled",
    "suspend": "suspended",
    "resume": "resumed",
    "urge": "customer_urged",
    "complaint_record": "complaint_recorded",
    "interim_reply": "interim_replied",
}


# --- checks shared by every transition -------------------------------------------------


def beijing_text(when: dt.datetime) -> str:
    return when.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def choices_text(choices: type[models.TextChoices]) -> str:
    return "、".join(str(label) for label in choices.labels)


def authorize(actor: User, action: str, order: WorkOrder | None = None) -> None:
    role = Role(actor.role)
    if role not in ACTION_ROLES[action]:
        raise PermissionDenied(
            _("a %(role)s may not do this: %(action)s"),
            role=role.label,
            action=ACTION_LABELS.get(action, action),
        )
    if (
        order is not None
        and action in HOLDER_ACTIONS
        and role in HOLDERS
        and (order.holder_id is None or order.holder_id != actor.department_id)
    ):
        raise PermissionDenied(
            _("order %(number)s is not held by your department"), number=order.number
        )


def checked_time(
    when: dt.datetime | None, *, not_before: dt.datetime | None, field: str = "occurred_at"
) -> dt.datetime:
    now = timezone.now()
    if when is None:
        return max(now, not_before) if not_before else now
    if timezone.is_naive(when):
        raise InvalidInput(
            _("%(name)s needs a time zone offset, e.g. +08:00"), field=field, name=field
        )
    if when > now:
        raise InvalidInput(_("%(when)s is in the future"), field=field, when=beijing_text(when))
    # Stored and answered in UTC, as the database gives it back: a receipt built from the
    # rows in hand reads the same as one read back.
    when = when.astimezone(dt.UTC)
    if not_before is not None and when < not_before:
        raise InvalidInput(
            _("%(when)s is before the order's previous event at %(previous)s"),
            field=field,
            when=beijing_text(when),
            previous=beijing_text(not_before),
        )
    return when


def new_event(
    order: WorkOrder,
    kind: str,
    actor: User | None,
    when: dt.datetime,
    *,
    note: str = "",
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
) -> OrderEvent:
    """An unsaved event, its actor stamped (intake writes its events in one bulk insert)."""
    event = OrderEvent(
        order=order,
        kind=kind,
        actor=actor,
        department_id=actor.department_id if actor else None,
        occurred_at=when,
        recorded_at=timezone.now(),
        note=note,
        old=old or {},
        new=new or {},
    )
    if actor is not None and "department" in actor._state.fields_cache:
        event.department = actor.department  # loaded already: the receipt reads it from here
    event.stamp_actor()
    return event


def record_event(
    order: WorkOrder,
    kind: str,
    actor: User | None,
    when: dt.datetime,
    *,
    note: str = "",
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
) -> OrderEvent:
    event = new_event(order, kind, actor, when, note=note, old=old, new=new)
    event.save()
    events = held_rows(order, "events")
    if events is not None:
        # In the order a read would give: an event back-dated before a sweep's urge sorts
        # before it.
        events.append(event)
        events.sort(key=lambda e: (e.occurred_at, e.pk))
    return event


def save_order(order: WorkOrder, when: dt.datetime) -> None:
    clocks.refresh_order_deadline(order)
    order.last_event_at = max(order.last_event_at, when)
    order.version += 1
    order.save()


def lock_order(number: str, actor: User | None, *, events: bool = True) -> WorkOrder:
    """The order, row-locked for this transaction; invisible orders do not exist (for a
    rule acting on its own, `actor` None, every order is visible). Its clocks and (unless
    `events` is False: a rule that only adds to the history) its events are read once,
    under the lock, and kept on it (receipts.py)."""
    order = (
        (WorkOrder.objects.all() if actor is None else orders_visible_to(actor))
        .select_related("customer", "accepted_by")  # the answer names them
        .select_for_update(of=("self",))
        .filter(number=number)
        .first()
    )
    if order is None:
        raise NotFound(_("no work order %(number)s"), field="number", number=number)
    # The departments from the process's cache rather than a query each.
    departments = active_departments_by_id()
    if order.holder_id in departments:
        order.holder = departments[order.holder_id]
    if order.suggested_department_id in departments:
        order.suggested_department = departments[order.suggested_department_id]
    clocks.held(order)
    if events:
        hold(order, "events")
    return order


Apply = Callable[[WorkOrder, dt.datetime], tuple[dict[str, Any], dict[str, Any]] | None]


def transition(
    action: str,
    *,
    number: str,
    actor: User,
    occurred_at: dt.datetime | None,
    version: int | None,
    note: str,
    apply: Apply,
) -> WorkOrder:
    with transaction.atomic():
        order = lock_order(number, actor)
        authorize(actor, action, order)
        if version is not None and version != order.version:
            raise Conflict(
                _(
                    "order %(number)s changed since you read it (version %(version)s, now "
                    "%(now)s); reload and try again"
                ),
                field="version",
                number=number,
                version=version,
                now=order.version,
            )
        if order.suspended and action not in ("resume", "cancel", "urge"):
            raise IllegalTransition(
                _("order %(number)s is suspended; resume it first"), number=number
            )
        move = move_for(action, order.state, order.request_type)
        if move is None:
            raise IllegalTransition(
                _("%(action)s is not possible for a %(type)s order that is %(state)s"),
                action=ACTION_LABELS.get(action, action),
                type=RequestType(order.request_type).label,
                state=State(order.state).label,
            )
        when = checked_time(occurred_at, not_before=order.last_event_at)
        old_state = order.state
        if move.target is not None:
            order.state = move.target
        old, new = apply(order, when) or ({}, {})
        record_event(
            order,
            EVENT_KINDS[action],
            actor,
            when,
            note=note,
            old={"state": old_state, **old},
            new={"state": order.state, **new},
        )
        save_order(order, when)
    return order


def note_on_order(
    *,
    number: str,
    actor: User | None,
    kind: str,
    occurred_at: dt.datetime | None = None,
    note: str = "",
    new: dict[str, Any] | None = None,
) -> WorkOrder:
    """An event that changes no state (a callback attempt, say), in the order's own log."""
    with transaction.atomic():
        order = WorkOrder.objects.select_for_update().filter(number=number).first()
        if order is None:
            raise NotFound(_("no work order %(number)s"), field="number", number=number)
        when = checked_time(occurred_at, not_before=order.last_event_at)
        record_event(order, kind, actor, when, note=note, new=new)
        save_order(order, when)
    return order


def required_text(text: str, field: str, what: Any) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("%(what)s is required"), field=field, what=what)
    return text


def dispatch_target(code: str) -> Department:
    department = active_departments().get(code)
    if department is None:
        raise InvalidInput(
            _("no active department with code %(code)s"), field="department", code=code
        )
    if department.kind == DepartmentKind.CENTER:
        raise InvalidInput(
            _("orders are dispatched to a department, not to the center"), field="department"
        )
    return department


Common = dict[str, Any]
