"""受理: a request becomes an order, an answer at intake, or a call linked to an open one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.db.models import Case, Exists, F, OuterRef, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import User
from kefu.core.bulk import Write, insert_objects, insert_with_children, insert_write, update_write
from kefu.core.compiled import KeyLookup
from kefu.core.errors import (
    DuplicateSuspected,
    IllegalTransition,
    InvalidInput,
    NotFound,
)
from kefu.core.limits import deadline_after
from kefu.core.numbering import next_order_number
from kefu.core.policy import active_policy
from kefu.core.vocabulary import (
    ANSWERABLE_AT_INTAKE,
    COMPLAINT_LIKE,
    AreaClass,
    CallbackMethod,
    EnergizeClass,
    RequestType,
    SupplyScheme,
)
from kefu.customers.models import Customer, CustomerCategory
from kefu.customers.search import customer_by_account
from kefu.outbox.models import MessageChannel
from kefu.outbox.services import queue_message
from kefu.tickets import clocks
from kefu.tickets.confidentiality import (
    can_see_informant,
    informant_hidden_filter,
    is_confidential_intake,
)
from kefu.tickets.models import Channel, Clock, ClockStatus, OrderEvent, WorkOrder
from kefu.tickets.receipts import hand_back
from kefu.tickets.routing import Suggestion, suggest_department
from kefu.tickets.services.checks import (
    authorize,
    checked_time,
    choices_text,
    lock_order,
    new_event,
    record_event,
    required_text,
    save_order,
)
from kefu.tickets.services.complaints import RECORD_FIELDS
from kefu.tickets.services.transitions import dispatch_order
from kefu.tickets.states import OPEN_STATES, State
from kefu.tickets.visibility import orders_visible_to


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
    # A complaint's record, as far as the caller tells it (complaints.record_complaint
    # keeps it up to date later).
    complaint_object: str = ""
    complaint_cause: str = ""
    customer_demand: str = ""
    callback_method: str = ""


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
    description = required_text(
        intake.description, "description", _("a description of the request")
    )
    customer = None
    if intake.customer_account:
        customer = customer_by_account(intake.customer_account)
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
                choices=choices_text(SupplyScheme),
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
    if voltage is not None:
        # As the column stores it (two places), so the receipt reads what was saved.
        voltage = Decimal(voltage).quantize(Decimal("0.01"))
    record = _complaint_record(intake)
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
            **record,
        },
    )


def _complaint_record(intake: Intake) -> dict[str, str]:
    """The complaint record given at intake: a complaint's only, its method one we know."""
    record = {name: getattr(intake, name).strip() for name in RECORD_FIELDS}
    given = [name for name, value in record.items() if value]
    if given and intake.request_type != RequestType.COMPLAINT:
        raise InvalidInput(_("only a complaint has a complaint record"), field=given[0])
    if record["callback_method"] and record["callback_method"] not in CallbackMethod.values:
        raise InvalidInput(
            _("callback method must be one of: %(choices)s"),
            field="callback_method",
            choices=choices_text(CallbackMethod),
        )
    return record


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


def _born(
    resolved: _Resolved,
    actor: User,
    when: dt.datetime,
    state: State,
    suggestion: Suggestion | None,
    parent: WorkOrder | None = None,
) -> tuple[WorkOrder, OrderEvent]:
    """The new order and its "accepted" event, in memory: nothing is written yet."""
    order = WorkOrder(
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
    accepted = new_event(
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
            # The complaint record as the caller gave it, where they gave one.
            **{name: getattr(order, name) for name in RECORD_FIELDS if getattr(order, name)},
        },
    )
    return order, accepted


def _write(
    order: WorkOrder,
    events: list[OrderEvent],
    new_clocks: list[Clock],
    along: Callable[[], Sequence[Write]] = tuple,
) -> WorkOrder:
    """Number the order and write it complete with its events and clocks, and the writes
    `along()` gives once it has its number (on PostgreSQL all in one statement). The
    number comes last, so the day's sequence row stays locked only for that write and the
    commit."""
    clocks.summarize(order, new_clocks)
    order.number = next_order_number(order.accepted_at)
    insert_with_children(order, [("order_id", events), ("order_id", new_clocks)], along())
    for event in events:
        event.order = order
    for clock in new_clocks:
        clock.order = order
    hand_back(order, events, new_clocks)
    return order


#: The clocks an order starts with (each only where the policy sets a limit for its type).
INTAKE_CLOCKS = ("dispatch", "result", "supply_plan")


@dataclass(frozen=True)
class OpenFault:
    """The open fault incident a repair call is part of."""

    master: WorkOrder  # the incident's master order (主单), row-locked for the call
    incident_id: int
    # The incident sits on the caller's own transformer area, not yet predicted out: this
    # call may be the one that predicts it (and moves it up the grid).
    may_predict: bool
    # What counts another caller's call on the incident, written with the call.
    count_call: Write


@dataclass(frozen=True)
class FaultGrouping:
    """How a repair call joins a fault already reported. The outages app provides it (at
    start-up, `fault_grouping`), which knows the grid; it runs inside intake's transaction,
    so a grouped call is as atomic as any other.

    fault_of: the open fault the customer's call is part of, or None. Either way the
      customer's part of the grid stays locked until the intake commits, so that two calls
      at once cannot open two incidents for one fault.
    opened: a new repair order was written (it may open an incident); `line_locked` says
      whether fault_of locked the customer's part of the grid in this transaction.
    grouped: the call was linked to (or urged) the fault's master (and, if linked, counted
      on the incident with `count_call`).
    """

    fault_of: Callable[[Customer, dt.datetime], OpenFault | None]
    opened: Callable[[WorkOrder, dt.datetime, bool], None]
    grouped: Callable[[OpenFault, LinkOutcome, dt.datetime], None]


fault_grouping: FaultGrouping | None = None


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
    a named department or to the one the policy suggested (if it suggested one).

    One transaction: the customer, the duplicate check (unless confirmed new), then routing,
    clocks and deadlines computed in memory, and the order written complete with its event
    and clocks. The order comes back with everything its answer reads, and
    `intake_outcome`: "created", or for a repair call of a fault already reported (a fault
    incident over the customer's transformer), "grouped" (a call linked to its master) or
    "urged" (the same customer again: the master comes back).
    """
    authorize(actor, "accept")
    when = checked_time(accepted_at, not_before=None, field="accepted_at")
    with transaction.atomic():
        resolved = _resolve(intake)
        grouping = fault_grouping if intake.request_type == RequestType.REPAIR else None
        line_locked = False
        if (
            grouping is not None
            and resolved.customer is not None
            and not confirm_new
            and not dispatch_to
        ):
            fault = grouping.fault_of(resolved.customer, when)
            line_locked = True
            if fault is not None:
                outcome = _link(resolved, actor, fault.master, when, "", [fault.count_call])
                grouping.grouped(fault, outcome, when)
                outcome.order.intake_outcome = "urged" if outcome.urged else "grouped"  # type: ignore[attr-defined]
                return outcome.order
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
        order, accepted = _born(resolved, actor, when, State.ACCEPTED, suggestion)
        started = [clocks.new_clock(order, kind, when) for kind in INTAKE_CLOCKS]
        order = _write(order, [accepted], [c for c in started if c is not None])
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
        if grouping is not None:
            grouping.opened(order, when, line_locked)
    order.intake_outcome = "created"  # type: ignore[attr-defined]
    return order


def answer_at_intake(
    *, actor: User, intake: Intake, answer: str, accepted_at: dt.datetime | None = None
) -> WorkOrder:
    """A consultation or query the agent answers on the call and closes."""
    authorize(actor, "answer")
    answer = required_text(answer, "answer", _("the answer given to the customer"))
    when = checked_time(accepted_at, not_before=None, field="accepted_at")
    if intake.request_type not in ANSWERABLE_AT_INTAKE:
        raise InvalidInput(
            _("only consultations and queries are answered at intake"), field="answer"
        )
    with transaction.atomic():
        resolved = _resolve(intake)
        order, accepted = _born(resolved, actor, when, State.ANSWERED, None)
        order.closed_at = when
        answered = new_event(
            order,
            "answered",
            actor,
            when,
            note=answer,
            old={"state": State.ACCEPTED.value},
            new={"state": State.ANSWERED.value},
        )
        order = _write(order, [accepted, answered], [])
    return order


def _repair_answered(
    *,
    actor: User,
    action: str,
    intake: Intake,
    kind: str,
    explanation: str,
    new: dict[str, Any],
    accepted_at: dt.datetime | None,
) -> WorkOrder:
    """A repair call closed at intake with an explanation (event `kind`): no crew is sent."""
    authorize(actor, action)
    when = checked_time(accepted_at, not_before=None, field="accepted_at")
    if intake.request_type != RequestType.REPAIR:
        raise InvalidInput(
            _("only repair calls are closed at intake this way"), field="request_type"
        )
    with transaction.atomic():
        resolved = _resolve(intake)
        order, accepted = _born(resolved, actor, when, State.ANSWERED, None)
        order.closed_at = when
        explained = new_event(
            order,
            kind,
            actor,
            when,
            note=explanation,
            old={"state": State.ACCEPTED.value},
            new={"state": State.ANSWERED.value, **new},
        )
        order = _write(order, [accepted, explained], [])
    return order


def explain_known_outage(
    *,
    actor: User,
    intake: Intake,
    explanation: str,
    known: dict[str, Any],
    accepted_at: dt.datetime | None = None,
) -> WorkOrder:
    """A repair call about an outage already known (a notice, a fault being repaired): the
    caller is told the cause and the expected restoration, the call is recorded and closed,
    and no crew is sent. `known` names what it was answered from (kept on the event)."""
    return _repair_answered(
        actor=actor,
        action="outage_call",
        intake=intake,
        kind="outage_explained",
        explanation=explanation,
        new=known,
        accepted_at=accepted_at,
    )


class PaidService(models.TextChoices):
    """The customer's answer to the offer of paid repair work on their own installation."""

    ACCEPTED = "accepted", _("Paid repair accepted")
    DECLINED = "declined", _("Paid repair declined")


def explain_customer_fault(
    *,
    actor: User,
    intake: Intake,
    explanation: str,
    paid_service: str,
    accepted_at: dt.datetime | None = None,
) -> WorkOrder:
    """A fault inside the customer's own installation (behind the property boundary) is not
    the supply company's to repair: the agent explains it, offers paid repair work, records
    the answer, and closes the call; no crew is sent."""
    explanation = required_text(explanation, "customer_fault", _("what the customer was told"))
    if paid_service not in PaidService.values:
        raise InvalidInput(
            _("record the customer's answer to the paid repair offer: %(choices)s"),
            field="paid_service",
            choices=choices_text(PaidService),
        )
    return _repair_answered(
        actor=actor,
        action="answer",
        intake=intake,
        kind="customer_fault_explained",
        explanation=explanation,
        new={"paid_service": paid_service},
        accepted_at=accepted_at,
    )


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
    call_at = checked_time(accepted_at, not_before=None, field="accepted_at")
    with transaction.atomic():
        resolved = _resolve(intake)
        parent = _lock_parent(actor, parent_number)
        if parent.state not in OPEN_STATES:
            raise IllegalTransition(
                _("order %(number)s is %(state)s; open a new order"),
                field="link_to",
                number=parent_number,
                state=State(parent.state).label,
            )
        return _link(resolved, actor, parent, call_at, note)


#: An order's row, locked: the parent of a linked call (the row only: a linked call changes
#: its call count and adds an event, nothing its clocks or history decide; a fault's master
#: collects thousands of calls in a storm, and reading its whole history for each one would
#: slow every call down).
order_row_locked = KeyLookup(lambda: WorkOrder.objects.select_for_update().filter(pk=0))


def _lock_parent(actor: User, number: str) -> WorkOrder:
    parent = orders_visible_to(actor).select_for_update(of=("self",)).filter(number=number).first()
    if parent is None:
        raise NotFound(_("no work order %(number)s"), field="number", number=number)
    while parent.state == State.LINKED and parent.parent_id is not None:
        # A call about an order that has itself become a call of another (merged into a
        # fault incident meanwhile) is a call of that one.
        above = order_row_locked(parent.parent_id)
        assert above is not None  # orders are never deleted
        parent = above
    return parent


def _record_on_urge(
    resolved: _Resolved, parent: WorkOrder
) -> tuple[dict[str, str], dict[str, str]]:
    """A complaint record the caller gave again, on the complaint they urge: what they said
    now replaces what differs (the urge's event says from what); nothing they said is lost."""
    given = {n: resolved.fields[n] for n in RECORD_FIELDS if resolved.fields[n]}
    if parent.request_type != RequestType.COMPLAINT:
        return {}, given  # kept in the urge's event: the order it urges has no such record
    changed = {n: v for n, v in given.items() if getattr(parent, n) != v}
    old = {n: getattr(parent, n) for n in changed}
    for name, value in changed.items():
        setattr(parent, name, value)
    return old, changed


def _link(
    resolved: _Resolved,
    actor: User,
    parent: WorkOrder,
    call_at: dt.datetime,
    note: str,
    along: Sequence[Write] = (),
) -> LinkOutcome:
    """A call linked to `parent` (open, row-locked), inside the caller's transaction; the
    writes `along` go with a linked call (not with an urge)."""
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
        old, new = _record_on_urge(resolved, parent)
        record_event(
            parent,
            "customer_urged",
            actor,
            when,
            note=note or resolved.intake.description,
            old={"urge_count": parent.urge_count - 1, **old},
            new={
                "urge_count": parent.urge_count,
                "holder": parent.holder.code if parent.holder else None,
                **new,
            },
        )
        save_order(parent, when)
        return LinkOutcome(parent, urged=True)
    order, accepted = _born(resolved, actor, call_at, State.LINKED, None, parent=parent)
    order.closed_at = call_at
    linked = new_event(
        order,
        "linked",
        actor,
        call_at,
        note=note,
        old={"state": State.ACCEPTED.value},
        new={"state": State.LINKED.value, "parent": parent.number},
    )
    parent.call_count += 1
    parent.last_event_at = max(parent.last_event_at, when)
    parent.version += 1

    def on_the_parent() -> list[Write]:
        # The parent's side, once the call has its number: its event, its count.
        call_linked = new_event(
            parent,
            "call_linked",
            actor,
            when,
            note=order.description,
            new={"linked_order": order.number, "call_count": parent.call_count},
        )
        counted = update_write(parent, ["call_count", "last_event_at", "version"])
        return [insert_write([call_linked]), counted, *along]

    order = _write(order, [accepted, linked], [], on_the_parent)
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


def merge_into(
    *, actor: User | None, numbers: list[str], into: str, when: dt.datetime, note: str = ""
) -> list[WorkOrder]:
    """Repairs found to be part of another's fault (fault incidents grouped up the grid):
    each becomes one of that order's calls — closed as linked, its clocks void (time
    already overrun still counts), its own linked calls moved along — and a crew holding
    one is told. `actor` is None when the grouping rule did it. Set-based: a few
    statements for any number of orders (a branch predicted out gathers a dozen faults)."""
    with transaction.atomic():
        master = lock_order(into, actor, events=False)  # never its history: thousands of calls
        orders = list(
            WorkOrder.objects.select_for_update(of=("self",))
            .filter(number__in=numbers)
            .order_by("id")
        )
        shut = [o for o in [master, *orders] if o.state not in OPEN_STATES]
        if shut or len(orders) != len(set(numbers)):
            bad = shut[0] if shut else master
            raise IllegalTransition(
                _("only open orders are merged: %(number)s is %(state)s"),
                field="number",
                number=bad.number,
                state=State(bad.state).label,
            )
        when = max(when, master.last_event_at, *(o.last_event_at for o in orders))
        ids = [o.pk for o in orders]
        # Their clocks no longer apply; a stage already overrun stays late.
        Clock.objects.filter(order_id__in=ids, status__in=clocks.RUNNING).update(
            status=ClockStatus.VOID,
            stopped_at=when,
            next_alert_at=None,
            late=Case(
                When(kind="return", then=F("late")),  # a permission window is never late
                When(deadline__lt=when, then=Value(True)),
                default=F("late"),
            ),
        )
        late = Clock.objects.filter(order_id=OuterRef("pk"), late=True)
        WorkOrder.objects.filter(pk__in=ids).update(
            state=State.LINKED,
            closed_at=when,
            parent=master,
            next_deadline=None,
            is_late=Exists(late),
            last_event_at=when,
            version=F("version") + 1,
        )
        calls = list(
            WorkOrder.objects.filter(parent_id__in=ids).only("pk", "parent_id").order_by("id")
        )
        WorkOrder.objects.filter(pk__in=[c.pk for c in calls]).update(
            parent=master, version=F("version") + 1
        )
        number_of = {o.pk: o.number for o in orders}
        events = [
            new_event(
                order,
                "merged",
                actor,
                when,
                note=note,
                old={"state": order.state},
                new={"state": State.LINKED.value, "parent": master.number},
            )
            for order in orders
        ]
        events += [
            new_event(
                call,
                "regrouped",
                actor,
                when,
                old={"parent": number_of[call.parent_id]},
                new={"parent": master.number},
            )
            for call in calls
        ]
        for order in orders:
            moved = sum(1 for c in calls if c.parent_id == order.pk)
            master.call_count += 1 + moved
            events.append(
                new_event(
                    master,
                    "call_linked",
                    actor,
                    when,
                    note=order.description,
                    new={"linked_order": order.number, "call_count": master.call_count},
                )
            )
        insert_objects(events)
        save_order(master, when)
        for order in orders:
            if order.holder_id is not None and order.holder_id != master.holder_id:
                queue_message(
                    channel=MessageChannel.IN_APP,
                    kind="merged",
                    body=str(
                        _(
                            "Order %(number)s is part of the fault of order %(master)s: "
                            "no crew is needed for it."
                        )
                    )
                    % {"number": order.number, "master": master.number},
                    to_department=order.holder,
                    order=order,
                    at=when,
                )
        for order in orders:
            order.state, order.parent, order.closed_at = State.LINKED, master, when
    return orders


def split_calls(
    *, actor: User, master: str, calls: list[str], when: dt.datetime, note: str = ""
) -> WorkOrder:
    """Calls of `master` found to be another fault (a dispatcher splits a fault incident):
    the earliest becomes an order of its own again — accepted, no longer linked, its intake
    clocks started now, the department the policy suggests for it — and the others are
    linked to it. The new master comes back; the old one keeps the rest."""
    with transaction.atomic():
        old = lock_order(master, actor, events=False)
        leaving = list(
            WorkOrder.objects.select_for_update(of=("self",))
            .filter(parent=old, number__in=calls)
            .order_by("accepted_at", "id")
        )
        if not leaving or len(leaving) != len(set(calls)):
            raise InvalidInput(
                _("only calls linked to order %(number)s can be split off it"),
                field="calls",
                number=old.number,
            )
        when = max(when, old.last_event_at, *(c.last_event_at for c in leaving))
        first, others = leaving[0], leaving[1:]
        new = lock_order(first.number, actor, events=False)
        new.state = State.ACCEPTED
        new.parent = None
        new.closed_at = None
        new.call_count = len(others)
        suggestion = suggest_department(
            request_type=new.request_type,
            voltage_kv=new.voltage_kv,
            district=new.district,
            topic=new.topic,
        )
        new.suggested_department = suggestion.department
        clocks.start_clocks(new, [(kind, None) for kind in INTAKE_CLOCKS], when)
        record_event(
            new,
            "split_off",
            actor,
            when,
            note=note,
            old={"state": State.LINKED.value, "parent": old.number},
            new={"state": State.ACCEPTED.value, "calls": len(others)},
        )
        save_order(new, when)
        insert_objects(
            [
                new_event(
                    call,
                    "regrouped",
                    actor,
                    when,
                    note=note,
                    old={"parent": old.number},
                    new={"parent": new.number},
                )
                for call in others
            ]
        )
        WorkOrder.objects.filter(pk__in=[c.pk for c in others]).update(
            parent=new, version=F("version") + 1
        )
        old.call_count -= len(leaving)
        record_event(
            old,
            "calls_split",
            actor,
            when,
            note=note,
            old={"call_count": old.call_count + len(leaving)},
            new={"call_count": old.call_count, "to": new.number},
        )
        save_order(old, when)
    return new
