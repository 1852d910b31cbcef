"""Every change to a work order: one function per transition of domain.md.

Each one checks the actor's role (and, for holders, that their department holds the order),
checks the state, locks the order row, applies the change and its clocks, and writes the
event in the same transaction. Times of occurrence may be given for events reported after
the fact: never in the future, never before the order's previous event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Department, DepartmentKind, User
from kefu.accounts.roles import ACTION_ROLES, HOLDER_ACTIONS, HOLDERS, Role
from kefu.callbacks.queue import close_open_callbacks, enqueue_callbacks, open_callbacks
from kefu.core.calendar import BEIJING
from kefu.core.errors import (
    Conflict,
    DuplicateSuspected,
    IllegalTransition,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from kefu.core.limits import deadline_after
from kefu.core.numbering import next_order_number
from kefu.core.policy import active_policy
from kefu.core.vocabulary import (
    ANSWERABLE_AT_INTAKE,
    COMPLAINT_LIKE,
    AreaClass,
    EnergizeClass,
    RequestType,
    SupplyScheme,
    SuspendReason,
)
from kefu.customers.models import Customer, CustomerCategory
from kefu.outbox.models import MessageChannel
from kefu.outbox.services import queue_message
from kefu.tickets import clocks
from kefu.tickets.actions import ACTION_LABELS
from kefu.tickets.confidentiality import (
    can_see_informant,
    informant_hidden_filter,
    is_confidential_intake,
)
from kefu.tickets.models import Channel, OrderEvent, WorkOrder
from kefu.tickets.routing import Suggestion, suggest_department
from kefu.tickets.states import OPEN_STATES, Satisfaction, State, move_for
from kefu.tickets.visibility import orders_visible_to

EVENT_KINDS = {
    "dispatch": "dispatched",
    "return": "returned",
    "acknowledge": "acknowledged",
    "depart": "departed",
    "arrive": "arrived",
    "onsite_report": "on_site_reported",
    "restore": "restored",
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
}


# --- checks shared by every transition -------------------------------------------------


def _beijing(when: dt.datetime) -> str:
    return when.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def _choices(choices: type[models.TextChoices]) -> str:
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
        raise InvalidInput(_("%(when)s is in the future"), field=field, when=_beijing(when))
    if not_before is not None and when < not_before:
        raise InvalidInput(
            _("%(when)s is before the order's previous event at %(previous)s"),
            field=field,
            when=_beijing(when),
            previous=_beijing(not_before),
        )
    return when


def _record(
    order: WorkOrder,
    kind: str,
    actor: User | None,
    when: dt.datetime,
    *,
    note: str = "",
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
) -> OrderEvent:
    return OrderEvent.objects.create(
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


def _save(order: WorkOrder, when: dt.datetime) -> None:
    clocks.refresh_order_deadline(order)
    order.last_event_at = max(order.last_event_at, when)
    order.version += 1
    order.save()


def _lock(number: str, actor: User) -> WorkOrder:
    """The order, row-locked for this transaction; invisible orders do not exist."""
    order = orders_visible_to(actor).select_for_update().filter(number=number).first()
    if order is None:
        raise NotFound(_("no work order %(number)s"), field="number", number=number)
    return order


Apply = Callable[[WorkOrder, dt.datetime], tuple[dict[str, Any], dict[str, Any]] | None]


def _transition(
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
        order = _lock(number, actor)
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
        _record(
            order,
            EVENT_KINDS[action],
            actor,
            when,
            note=note,
            old={"state": old_state, **old},
            new={"state": order.state, **new},
        )
        _save(order, when)
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
        _record(order, kind, actor, when, note=note, new=new)
        _save(order, when)
    return order


def _required(text: str, field: str, what: Any) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("%(what)s is required"), field=field, what=what)
    return text


def _department(code: str) -> Department:
    department = Department.objects.filter(code=code, active=True).first()
    if department is None:
        raise InvalidInput(
            _("no active department with code %(code)s"), field="department", code=code
        )
    if department.kind == DepartmentKind.CENTER:
        raise InvalidInput(
            _("orders are dispatched to a department, not to the center"), field="department"
        )
    return department


# --- intake -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Intake:
    """What the agent (or the IVR, or the portal) records about a request."""

    request_type: str
    channel: str
    description: str
    customer_account: str | None = None
    caller_name: str = ""
    caller_phone: str = ""
    anonymous: bool = False
    address: str = ""
    landmark: str = ""
    district: str = ""
    area_class: str = ""
    voltage_kv: Decimal | None = None
    topic: str = ""
    supply_scheme: str = ""
    energize_class: str = ""


@dataclass
class _Resolved:
    intake: Intake
    customer: Customer | None
    fields: dict[str, Any] = field(default_factory=dict)


def _resolve(intake: Intake) -> _Resolved:
    """Validate an intake and fill what the customer record knows."""
    if intake.request_type not in RequestType.values:
        raise InvalidInput(
            _("unknown request type %(value)s"), field="request_type", value=intake.request_type
        )
    if active_policy().type_policy(intake.request_type) is None:
        raise InvalidInput(
            _("the policy in force does not accept %(type)s orders"),
            field="request_type",
            type=RequestType(intake.request_type).label,
        )
    if intake.channel not in Channel.values:
        raise InvalidInput(_("unknown channel %(value)s"), field="channel", value=intake.channel)
    description = _required(intake.description, "description", _("a description of the request"))
    customer = None
    if intake.customer_account:
        customer = Customer.objects.filter(account_number=intake.customer_account).first()
        if customer is None:
            raise InvalidInput(
                _("no customer with account number %(account)s"),
                field="customer_account",
                account=intake.customer_account,
            )
    if intake.anonymous:
        if intake.request_type not in (RequestType.COMPLAINT, RequestType.REPORT):
            raise InvalidInput(_("only complaints and reports may be anonymous"), field="anonymous")
        if customer is not None or intake.caller_name:
            raise InvalidInput(
                _("an anonymous request names no customer or caller"), field="anonymous"
            )
    elif customer is None and not intake.caller_phone.strip():
        raise InvalidInput(
            _("give the customer's account number or the caller's phone"), field="caller_phone"
        )
    # A confidential order never copies where its informant lives: only what was said
    # about the matter itself is recorded on it (the handlers reach the customer record).
    confidential = is_confidential_intake(intake.request_type, intake.anonymous, None)
    known = None if confidential else customer
    area_class = intake.area_class or (known.area_class if known else "")
    if area_class and area_class not in AreaClass.values:
        raise InvalidInput(_("unknown area class %(value)s"), field="area_class", value=area_class)
    address = intake.address.strip() or (known.address if known else "")
    if intake.request_type == RequestType.REPAIR:
        if not address:
            raise InvalidInput(_("a repair needs the address of the fault"), field="address")
        if not area_class:
            raise InvalidInput(
                _("a repair needs the area class (urban, rural or remote)"), field="area_class"
            )
    topic = ""
    if intake.request_type in COMPLAINT_LIKE and intake.topic.strip():
        found = active_policy().topic_code(intake.topic)
        if found is None:
            raise InvalidInput(
                _("unknown topic %(value)s; one of %(choices)s"),
                field="topic",
                value=intake.topic,
                choices="、".join(t.name for t in active_policy().topics.values()),
            )
        topic = found
    supply_scheme = intake.supply_scheme
    energize_class = intake.energize_class
    if intake.request_type == RequestType.APPLICATION:
        if supply_scheme not in SupplyScheme.values:
            raise InvalidInput(
                _("an application needs its supply scheme: %(choices)s"),
                field="supply_scheme",
                choices=_choices(SupplyScheme),
            )
        if not energize_class:
            residential = supply_scheme == SupplyScheme.RESIDENTIAL or (
                customer is not None
                and customer.category == CustomerCategory.RESIDENT
                and supply_scheme == SupplyScheme.LOW_VOLTAGE
            )
            energize_class = (
                EnergizeClass.RESIDENTIAL if residential else EnergizeClass.NON_RESIDENTIAL
            )
    if energize_class and energize_class not in EnergizeClass.values:
        raise InvalidInput(
            _("unknown energize class %(value)s"), field="energize_class", value=energize_class
        )
    voltage = (
        intake.voltage_kv
        if intake.voltage_kv is not None
        else (known.voltage_kv if known else None)
    )
    return _Resolved(
        intake,
        customer,
        {
            "request_type": intake.request_type,
            "channel": intake.channel,
            "description": description,
            "customer": customer,
            "caller_name": intake.caller_name.strip() or (customer.name if customer else ""),
            "caller_phone": intake.caller_phone.strip() or (customer.phone if customer else ""),
            "anonymous": intake.anonymous,
            "address": address,
            "landmark": intake.landmark.strip() or (known.landmark if known else ""),
            "district": intake.district.strip() or (known.district if known else ""),
            "area_class": area_class,
            "voltage_kv": voltage,
            "topic": topic,
            "supply_scheme": supply_scheme,
            "energize_class": energize_class,
        },
    )


def _suggest(resolved: _Resolved) -> Suggestion:
    f = resolved.fields
    return suggest_department(
        request_type=f["request_type"],
        voltage_kv=f["voltage_kv"],
        district=f["district"],
        topic=f["topic"],
    )


def open_duplicates(customer: Customer | None, request_type: str, actor: User) -> list[WorkOrder]:
    """Open orders of the same type for the same customer: link the call, don't duplicate.

    A confidential order is a duplicate only for its handlers: to anyone else the answer
    must be the same whether or not this customer filed one.
    """
    if customer is None:
        return []
    return list(
        WorkOrder.objects.filter(
            customer=customer, request_type=request_type, state__in=list(OPEN_STATES)
        )
        .exclude(informant_hidden_filter(actor))
        .order_by("accepted_at")
    )


def _new_order(
    resolved: _Resolved,
    actor: User,
    when: dt.datetime,
    state: State,
    suggestion: Suggestion | None,
    parent: WorkOrder | None = None,
) -> WorkOrder:
    order = WorkOrder(
        number=next_order_number(when),
        state=state,
        parent=parent,
        confidential=is_confidential_intake(
            resolved.intake.request_type, resolved.intake.anonymous, parent
        ),
        accepted_at=when,
        accepted_by=actor,
        last_event_at=when,
        policy_profile=active_policy().profile.name,
        suggested_department=suggestion.department if suggestion else None,
        **resolved.fields,
    )
    order.save()
    _record(
        order,
        "accepted",
        actor,
        when,
        note=order.description,
        new={
            "state": State.ACCEPTED.value,
            "request_type": order.request_type,
            "channel": order.channel,
            "suggested_department": suggestion.department.code
            if suggestion and suggestion.department
            else None,
            "routing_reason": suggestion.reason if suggestion else "",
        },
    )
    return order


def accept_order(
    *,
    actor: User,
    intake: Intake,
    accepted_at: dt.datetime | None = None,
    confirm_new: bool = False,
    dispatch_to: str | None = None,
    dispatch_to_suggested: bool = False,
    override_reason: str = "",
) -> WorkOrder:
    """受理: the order is born, its clocks start; optionally dispatched in the same step, to
    a named department or to the one the policy suggested (if it suggested one)."""
    authorize(actor, "accept")
    when = checked_time(accepted_at, not_before=None, field="accepted_at")
    resolved = _resolve(intake)
    with transaction.atomic():
        duplicates = (
            [] if confirm_new else open_duplicates(resolved.customer, intake.request_type, actor)
        )
        if duplicates:
            raise DuplicateSuspected(
                _(
                    "the customer has open %(type)s orders %(numbers)s: link the call to one "
                    "of them, or confirm a new order"
                ),
                candidates=[o.number for o in duplicates],
                type=RequestType(intake.request_type).label,
                numbers=", ".join(o.number for o in duplicates),
            )
        suggestion = _suggest(resolved)
        order = _new_order(resolved, actor, when, State.ACCEPTED, suggestion)
        for kind in ("dispatch", "result", "supply_plan"):
            clocks.start_clock(order, kind, when)
        _save(order, when)
        if not dispatch_to and dispatch_to_suggested and suggestion.department:
            dispatch_to = suggestion.department.code
        if dispatch_to:
            order = dispatch_order(
                actor=actor,
                number=order.number,
                department_code=dispatch_to,
                override_reason=override_reason,
                occurred_at=when,
            )
    return order


def answer_at_intake(
    *, actor: User, intake: Intake, answer: str, accepted_at: dt.datetime | None = None
) -> WorkOrder:
    """A consultation or query the agent answers on the call and closes."""
    authorize(actor, "answer")
    answer = _required(answer, "answer", _("the answer given to the customer"))
    when = checked_time(accepted_at, not_before=None, field="accepted_at")
    resolved = _resolve(intake)
    if intake.request_type not in ANSWERABLE_AT_INTAKE:
        raise InvalidInput(
            _("only consultations and queries are answered at intake"), field="answer"
        )
    with transaction.atomic():
        order = _new_order(resolved, actor, when, State.ANSWERED, None)
        order.closed_at = when
        _record(
            order,
            "answered",
            actor,
            when,
            note=answer,
            old={"state": State.ACCEPTED.value},
            new={"state": State.ANSWERED.value},
        )
        _save(order, when)
    return order


@dataclass(frozen=True)
class LinkOutcome:
    order: WorkOrder
    urged: bool  # True: the same customer called again; recorded as an urge on `order`


def link_call(
    *,
    actor: User,
    intake: Intake,
    parent_number: str,
    accepted_at: dt.datetime | None = None,
    note: str = "",
) -> LinkOutcome:
    """A call about an order already open: a repeat call urges it, another caller links to it."""
    authorize(actor, "link")
    resolved = _resolve(intake)
    with transaction.atomic():
        parent = _lock(parent_number, actor)
        if parent.state not in OPEN_STATES:
            raise IllegalTransition(
                _("order %(number)s is %(state)s; open a new order"),
                field="link_to",
                number=parent_number,
                state=State(parent.state).label,
            )
        call_at = checked_time(accepted_at, not_before=None, field="accepted_at")
        # The parent's own log stays in order even when the call is back-filled.
        when = max(call_at, parent.last_event_at)
        # To anyone but a confidential order's handlers, the informant calling again must
        # look like any other caller: a linked call, never an urge.
        same_caller = (
            resolved.customer is not None
            and resolved.customer.pk == parent.customer_id
            and can_see_informant(actor, parent)
        )
        if same_caller:
            parent.urge_count += 1
            _record(
                parent,
                "customer_urged",
                actor,
                when,
                note=note or resolved.intake.description,
                old={"urge_count": parent.urge_count - 1},
                new={"urge_count": parent.urge_count},
            )
            _save(parent, when)
            return LinkOutcome(parent, urged=True)
        order = _new_order(resolved, actor, call_at, State.LINKED, None, parent=parent)
        order.closed_at = call_at
        _record(
            order,
            "linked",
            actor,
            call_at,
            note=note,
            old={"state": State.ACCEPTED.value},
            new={"state": State.LINKED.value, "parent": parent.number},
        )
        _save(order, call_at)
        parent.call_count += 1
        _record(
            parent,
            "call_linked",
            actor,
            when,
            note=order.description,
            new={"linked_order": order.number, "call_count": parent.call_count},
        )
        _save(parent, when)
    return LinkOutcome(order, urged=False)


@dataclass(frozen=True)
class Preview:
    suggestion: Suggestion
    deadlines: list[dict[str, Any]]
    duplicates: list[WorkOrder]


def preview_intake(*, actor: User, intake: Intake) -> Preview:
    """What saving would do: suggested department, deadlines if dispatched now, duplicates."""
    authorize(actor, "preview")
    resolved = _resolve(intake)
    now = timezone.now()
    policy = active_policy()
    selectors = {
        "area_class": resolved.fields["area_class"],
        "supply_scheme": resolved.fields["supply_scheme"],
        "energize_class": resolved.fields["energize_class"],
    }
    deadlines = []
    for kind in ("dispatch", "result", "supply_plan", "return", "arrival", "department_answer"):
        limit = policy.limit_for(intake.request_type, kind, selectors)
        if limit is None:
            continue
        deadline = deadline_after(now, limit)
        deadlines.append(
            {
                "clock": kind,
                "limit": str(limit),
                "deadline": deadline.at,
                "provisional": deadline.provisional,
            }
        )
    return Preview(
        _suggest(resolved),
        deadlines,
        open_duplicates(resolved.customer, intake.request_type, actor),
    )


# --- the holder's work ------------------------------------------------------------------

_Common = dict[str, Any]


def dispatch_order(
    *,
    actor: User,
    number: str,
    department_code: str,
    override_reason: str = "",
    occurred_at: dt.datetime | None = None,
    version: int | None = None,
    note: str = "",
) -> WorkOrder:
    """派单: the department gets the order; its own clocks start now."""
    department = _department(department_code)

    def apply(order: WorkOrder, when: dt.datetime) -> tuple[_Common, _Common]:
        suggested = order.suggested_department
        overriding = (
            suggested is not None
            and suggested.pk != department.pk
            and order.holder_id is None
            and not _was_returned(order)
        )
        if overriding and not override_reason.strip():
            raise InvalidInput(
                _("the policy suggests %(suggested)s; give a reason to dispatch to %(chosen)s"),
                field="override_reason",
                suggested=suggested,
                chosen=department,
            )
        old_holder = order.holder.code if order.holder else None
        order.holder = department
        clocks.stop_clock(order, "dispatch", when)
        for kind in ("return", "arrival", "department_answer"):
            clocks.start_clock(order, kind, when, department)
        # The customer-facing clocks keep running; they are now this department's to answer.
        order.clocks.filter(kind__in=["result", "supply_plan"], status__in=clocks.RUNNING).update(
            department=department
        )
        return {"holder": old_holder}, {
            "holder": department.code,
            "override_reason": override_reason.strip(),
        }

    return _transition(
        "dispatch",
        number=number,
        actor=actor,
        occurred_at=occurred_at,
        version=version,
        note=note or override_reason,
        apply=apply,
    )


def _was_returned(order: WorkOrder) -> bool:
    return order.state == State.RETURNED or order.events.filter(kind="returned").exists()


def return_order(
    *,
    actor: User,
    number: str,
    reason: str,
    occurred_at: dt.datetime | None = None,
    version: int | None = None,
) -> WorkOrder:
    """退单: not ours. The center must dispatch again; the customer's clock runs on."""
    reason = _required(reason, "reason", _("the reason for returning the order"))

    def apply(order: WorkOrder, when: dt.datetime) -> tuple[_Common, _Common]:
        old_holder = order.holder.code if order.holder else None
        clocks.stop_clock(order, "return", when)
        clocks.void_clocks(order, clocks.HOLDER_CLOCKS, when)
        order.holder = None
        clocks.start_clock(order, "dispatch", when)
        return {"holder": old_holder}, {"holder": None}

    return _transition(
        "return",
        number=number,
        actor=actor,
        occurred_at=occurred_at,
        version=version,
        note=reason,
        apply=apply,
    )


def acknowledge_order(
    *,
    actor: User,
    number: str,
    occurred_at: dt.datetime | None = None,
    version: int | None = None,
    note: str = "",
) -> WorkOrder:
    """接单: the holder takes it on (and can no longer return it)."""

    def apply(order: WorkOrder, when: dt.datetime) -> None:
        clocks.void_clocks(order, ["return"], when)

    return _transition(
        "acknowledge",
        number=number,
        actor=actor,
        occurred_at=occurred_at,
        version=version,
        note=note,
        apply=apply,
    )


def depart(
    *,
    actor: User,
    number: str,
    occurred_at: dt.datetime | None = None,
    version: int | None = None,
    note: str = "",
) -> WorkOrder:
    """The repair crew sets off."""
    return _transition(
        "depart",
        number=number,
        actor=actor,
        occurred_at=occurred_at,
        version=version,
        note=note,
        apply=lambda order, when: None,
    )


def arrive(
    *,
    actor: User,
    number: str,
    occurred_at: dt.datetime | None = None,
    version: int | None = None,
    note: str = "",
) -> WorkOrder:
    """到达现场: stops the arrival clock, starts the on-site report clock."""

    def apply(order: WorkOrder, when: dt.datetime) -> None:
        clocks.stop_clock(order, "arrival", when)
        clocks.start_clock(order, "onsite_report", when, order.holder)

    return _transition(
        "arrive",
        number=number,
        actor=actor,
        occurred_at=occurred_at,
        version=version,
        note=note,
        apply=apply,
    )


def report_on_site(
    *,
    actor: User,
    number: str,
    findings: str,
    expected_restoration: dt.datetime | None = None,
    occurred_at: dt.datetime | None = None,
    version: int | None = None,
) -> WorkOrder:
    """The crew's first report from site: cause, place, expected restoration."""
    findings = _required(findings, "findings", _("the on-site findings"))

    def apply(order: WorkOrder, when: dt.datetime) -> tuple[_Common, _Common]:
        clocks.stop_clock(order, "onsite_report", when)
        expected = expected_restoration.isoformat() if expected_restoration else None
        return {}, {"expected_restoration": expected}

    return _transition(
        "onsite_report",
        number=number,
        actor=actor,
        occurred_at=occurred_at,
        version=version,
        note=findings,
        apply=apply,
    )


def restore_supply(
    *,
    actor: User,
    number: str,
    occurred_at: dt.datetime | None = None,
    version: int | None = None,
    note: str = "",
) -> WorkOrder:
    """送电: supply is back."""
    return _transition(
        "restore",
        number=number,
        actor=actor,
        occurred_at=occurred_at,
        version=version,
        note=note,
        apply=lambda order, when: None,
    )


APPLICATION_STEPS = ("supply_plan_replied", "inspection_passed", "energized")
APPLICATION_STEP_LABELS = {
    "supply_plan_replied": _("Supply plan replied"),
    "inspection_passed": _("Inspection passed"),
    "energized": _("Energized"),
}


def record_application_step(
    *,
    actor: User,
    number: str,
    step: str,
    occurred_at: dt.datetime | None = None,
    version: int | None = None,
    note: str = "",
) -> WorkOrder:
    """A statutory step of an application: supply plan replied, inspection passed, energized."""
    if step not in APPLICATION_STEPS:
        raise InvalidInput(
            _("step must be one of %(choices)s"),
            field="step",
            choices="、".join(str(APPLICATION_STEP_LABELS[s]) for s in APPLICATION_STEPS),
        )

    def apply(order: WorkOrder, when: dt.datetime) -> tuple[_Common, _Common]:
        done = set(order.events.filter(kind="application_step").values_list("new__step", flat=True))
        if step in done:
            raise IllegalTransition(
                _("%(step)s is already recorded"), field="step", step=APPLICATION_STEP_LABELS[step]
            )
        if step == "energized" and "inspection_passed" not in done:
            raise IllegalTransition(
                _("record the passed inspection before energizing"), field="step"
            )
        if step == "supply_plan_replied":
            clocks.stop_clock(order, "supply_plan", when)
        elif step == "inspection_passed":
            clocks.start_clock(order, "energize", when, order.holder)
        else:
            clocks.stop_clock(order, "energize", when)
        return {}, {"step": step}

    return _transition(
        "application_step",
        number=number,
        actor=actor,
        occurred_at=occurred_at,
        version=version,
        note=note,
        apply=apply,
    )


def reply_order(
    *,
    actor: User,
    number: str,
    result: str,
    occurred_at: dt.datetime | None = None,
    version: int | None = None,
) -> WorkOrder:
    """回单: the holder's result; the center's callback clock starts."""
    result = _required(result, "result", _("the result of handling the order"))

    def apply(order: WorkOrder, when: dt.datetime) -> None:
        clocks.stop_clock(order, "result", when)
        clocks.stop_clock(order, "department_answer", when)
        clocks.start_clock(order, "callback", when)

    return _transition(
        "reply",
        number=number,
        actor=actor,
        occurred_at=occurred_at,
        version=version,
        note=result,
        apply=apply,
    )


# --- the center's review, callback and closing --------------------------------------------


def approve_order(
    *,
    actor: User,
    number: str,
    occurred_at: dt.datetime | None = None,
    version: int | None = None,
    note: str = "",
) -> WorkOrder:
    """审核通过: the reply is accepted and the callbacks the policy asks for are queued."""

    def apply(order: WorkOrder, when: dt.datetime) -> tuple[_Common, _Common]:
        tasks = enqueue_callbacks(order, when)
        return {}, {"callbacks_queued": len(tasks)}

    return _transition(
        "approve",
        number=number,
        actor=actor,
        occurred_at=occurred_at,
        version=version,
        note=note,
        apply=apply,
    )


def send_back_order(
    *,
    actor: User,
    number: str,
    reason: str,
    occurred_at: dt.datetime | None = None,
    version: int | None = None,
) -> WorkOrder:
    """返工: the reply is not good enough; the customer's clock runs on to its old deadline."""
    reason = _required(reason, "reason", _("the reason for sending the reply back"))

    def apply(order: WorkOrder, when: dt.datetime) -> tuple[_Common, _Common]:
        order.rework_count += 1
        clocks.void_clocks(order, ["callback"], when)
        clocks.reopen_clock(order, "result")
        clocks.reopen_clock(order, "department_answer")
        return {"rework_count": order.rework_count - 1}, {"rework_count": order.rework_count}

    return _transition(
        "send_back",
        number=number,
        actor=actor,
        occurred_at=occurred_at,
        version=version,
        note=reason,
        apply=apply,
    )


def callback_order(
    *,
    actor: User,
    number: str,
    satisfaction: str,
    occurred_at: dt.datetime | None = None,
    version: int | None = None,
    note: str = "",
) -> WorkOrder:
    """回访: the customer's verdict. A dissatisfied one reopens the order or goes to the
    supervisor, as the policy says."""
    if satisfaction not in Satisfaction.values:
        raise InvalidInput(
            _("satisfaction must be one of %(choices)s"),
            field="satisfaction",
            choices=_choices(Satisfaction),
        )

    def apply(order: WorkOrder, when: dt.datetime) -> tuple[_Common, _Common]:
        clocks.stop_clock(order, "callback", when)
        close_open_callbacks(order, when, actor)
        order.satisfaction = satisfaction
        outcome: _Common = {"satisfaction": satisfaction}
        if satisfaction == Satisfaction.DISSATISFIED:
            if active_policy().callback.dissatisfied == "reopen":
                order.state = State.REWORK
                order.rework_count += 1
                clocks.reopen_clock(order, "result")
                clocks.reopen_clock(order, "department_answer")
                outcome["reopened"] = True
            else:
                _tell_supervisors(order, when)
                outcome["escalated_to"] = "supervisor"
        return {}, outcome

    return _transition(
        "callback",
        number=number,
        actor=actor,
        occurred_at=occurred_at,
        version=version,
        note=note,
        apply=apply,
    )


def _tell_supervisors(order: WorkOrder, when: dt.datetime) -> None:
    text = f"【回访不满意】工单 {order.number} 客户回访不满意,请主管处理。"
    for supervisor in User.objects.filter(role=Role.SUPERVISOR, is_active=True):
        queue_message(
            channel=MessageChannel.IN_APP,
            kind="dissatisfied",
            body=text,
            to_user=supervisor,
            order=order,
            at=when,
        )


def archive_order(
    *,
    actor: User,
    number: str,
    occurred_at: dt.datetime | None = None,
    version: int | None = None,
    note: str = "",
) -> WorkOrder:
    """归档: closed for good, once every callback queued for it is made."""

    def apply(order: WorkOrder, when: dt.datetime) -> None:
        if open_callbacks(order):
            raise IllegalTransition(
                _(
                    "order %(number)s is called back before it is archived: callbacks are "
                    "still queued for it"
                ),
                number=order.number,
            )
        order.closed_at = when
        clocks.void_all(order, when)

    return _transition(
        "archive",
        number=number,
        actor=actor,
        occurred_at=occurred_at,
        version=version,
        note=note,
        apply=apply,
    )


def answer_order(
    *,
    actor: User,
    number: str,
    answer: str,
    occurred_at: dt.datetime | None = None,
    version: int | None = None,
) -> WorkOrder:
    """An accepted consultation or query answered by the agent after all."""
    answer = _required(answer, "answer", _("the answer given to the customer"))

    def apply(order: WorkOrder, when: dt.datetime) -> None:
        order.closed_at = when
        clocks.void_all(order, when)

    return _transition(
        "answer",
        number=number,
        actor=actor,
        occurred_at=occurred_at,
        version=version,
        note=answer,
        apply=apply,
    )


def cancel_order(
    *,
    actor: User,
    number: str,
    reason: str,
    occurred_at: dt.datetime | None = None,
    version: int | None = None,
) -> WorkOrder:
    """撤销 with a reason: the order stays, closed, with its whole history."""
    reason = _required(reason, "reason", _("the reason for cancelling"))

    def apply(order: WorkOrder, when: dt.datetime) -> None:
        order.closed_at = when
        order.suspended_reason = ""
        clocks.void_all(order, when)

    return _transition(
        "cancel",
        number=number,
        actor=actor,
        occurred_at=occurred_at,
        version=version,
        note=reason,
        apply=apply,
    )


def suspend_order(
    *,
    actor: User,
    number: str,
    reason: str,
    note: str = "",
    appointment_at: dt.datetime | None = None,
    occurred_at: dt.datetime | None = None,
    version: int | None = None,
) -> WorkOrder:
    """挂起: the clocks the policy names for this reason stop counting."""
    if reason not in SuspendReason.values:
        raise InvalidInput(
            _("reason must be one of %(choices)s"), field="reason", choices=_choices(SuspendReason)
        )
    if reason == SuspendReason.APPOINTMENT and appointment_at is None:
        raise InvalidInput(_("an appointment needs the agreed time"), field="appointment_at")

    def apply(order: WorkOrder, when: dt.datetime) -> tuple[_Common, _Common]:
        paused = clocks.pause_clocks(order, active_policy().pauses(reason), when)
        order.suspended_reason = reason
        return {}, {
            "suspended_reason": reason,
            "paused": [c.kind for c in paused],
            "appointment_at": appointment_at.isoformat() if appointment_at else None,
        }

    return _transition(
        "suspend",
        number=number,
        actor=actor,
        occurred_at=occurred_at,
        version=version,
        note=note,
        apply=apply,
    )


def resume_order(
    *,
    actor: User,
    number: str,
    occurred_at: dt.datetime | None = None,
    version: int | None = None,
    note: str = "",
) -> WorkOrder:
    """恢复: paused clocks count again from now, with what they had left."""

    def apply(order: WorkOrder, when: dt.datetime) -> tuple[_Common, _Common]:
        if not order.suspended:
            raise IllegalTransition(_("order %(number)s is not suspended"), number=order.number)
        old_reason = order.suspended_reason
        resumed = clocks.resume_clocks(order, when)
        order.suspended_reason = ""
        return {"suspended_reason": old_reason}, {
            "resumed": {c.kind: c.deadline.isoformat() for c in resumed if c.deadline}
        }

    return _transition(
        "resume",
        number=number,
        actor=actor,
        occurred_at=occurred_at,
        version=version,
        note=note,
        apply=apply,
    )


def urge_order(
    *,
    actor: User,
    number: str,
    note: str = "",
    occurred_at: dt.datetime | None = None,
    version: int | None = None,
) -> WorkOrder:
    """催办 by the customer: a repeat call about an open order, counted and shown to its holder."""

    def apply(order: WorkOrder, when: dt.datetime) -> tuple[_Common, _Common]:
        order.urge_count += 1
        return {"urge_count": order.urge_count - 1}, {"urge_count": order.urge_count}

    return _transition(
        "urge",
        number=number,
        actor=actor,
        occurred_at=occurred_at,
        version=version,
        note=note,
        apply=apply,
    )
