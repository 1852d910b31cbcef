"""Fault incidents (主单/子单): one crew for all the calls about one fault.

A repair call from a customer the grid knows is grouped into the open incident over their
transformer area or anything above it, if its last call came within the policy's window:
the call is linked to the incident's master order, and no second crew is sent. Otherwise
the call's order opens an incident on its transformer.

Where the fault probably is follows the calls up the grid, as outage management systems
do (policy `incidents`): a transformer is predicted out when enough of its customers call
(a count and a share), a branch or feeder when enough of its children are predicted out;
the incidents below are then merged into one on it (their master orders become calls of
the oldest one's). A dispatcher may confirm an incident where it is or move it; a
confirmed incident is never moved or merged by the rule. Predictions stop at the feeder.

Calls of one feeder are taken one at a time (its row is locked in the intake's
transaction), so that two calls at once cannot open two incidents for one fault.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from kefu.accounts.models import User
from kefu.core.bulk import Write, insert_objects, insert_with_children
from kefu.core.errors import IllegalTransition, InvalidInput, NotFound
from kefu.core.policy import active_policy
from kefu.customers.models import Customer
from kefu.outages import notifications
from kefu.outages.models import (
    CustomerNotification,
    FaultIncident,
    GridElement,
    IncidentEvent,
    IncidentState,
    Level,
    NotificationChannel,
    NotificationStatus,
)
from kefu.outages.topology import (
    children_of,
    customers_under,
    element_by_id,
    transformer_of,
    transformers_under,
)
from kefu.outbox.models import Message
from kefu.tickets.models import WorkOrder
from kefu.tickets.services.checks import authorize, beijing_text, record_event
from kefu.tickets.services.intake import (
    FaultGrouping,
    LinkOutcome,
    OpenFault,
    merge_into,
    order_row_locked,
    split_calls,
)
from kefu.tickets.states import OPEN_STATES

OPEN_STATE_VALUES = frozenset(str(state) for state in OPEN_STATES)


def open_incidents() -> QuerySet[FaultIncident]:
    return FaultIncident.objects.filter(state=IncidentState.OPEN)


def incidents_over(element: GridElement) -> QuerySet[FaultIncident]:
    """Open incidents on this element or anything above it."""
    return open_incidents().filter(element_id__in=element.ancestor_ids())


def _feeder_id(line: list[int]) -> int:
    """The feeder on a line of ids from the substation down: a feeder hangs under its
    substation (the line of a substation itself is just the substation)."""
    return line[1] if len(line) > 1 else line[0]


def _open_over_line(line: list[int], since: dt.datetime) -> list[tuple[int, int, int, bool, str]]:
    """Open incidents on the line (ids from the substation down) whose last call came
    since `since`: (id, master id, element id, predicted, the master's state), oldest
    first. On PostgreSQL the line's feeder row is locked in the same statement, until the
    intake commits: the feeder's calls are grouped one at a time, so two calls at once
    cannot open two incidents for one fault, and inferring (which merges incidents and
    locks their masters) never races a call linking to one of them. (SQLite's writers
    queue for the whole database anyway.)"""
    feeder = _feeder_id(line)
    marks = ", ".join(["%s"] * len(line))
    sql = (
        "SELECT i.id, i.master_id, i.element_id, i.predicted, m.state "
        "FROM outages_gridelement f "
        "LEFT JOIN outages_faultincident i ON i.state = %s AND i.last_call_at >= %s "
        f"AND i.element_id IN ({marks}) "
        "LEFT JOIN tickets_workorder m ON m.id = i.master_id "
        "WHERE f.id = %s ORDER BY i.opened_at, i.id"
    )
    if connection.vendor == "postgresql":
        sql += " FOR UPDATE OF f"
    params = [IncidentState.OPEN, connection.ops.adapt_datetimefield_value(since), *line, feeder]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row for row in cursor.fetchall() if row[0] is not None]


def fault_of(customer: Customer, when: dt.datetime) -> OpenFault | None:
    """The open incident over the customer's transformer (the nearest one) whose last call
    came within the window, its master locked; the customer's feeder stays locked either
    way."""
    policy = active_policy().incidents
    transformer = transformer_of(customer) if policy.enabled else None
    if transformer is None:
        return None
    line = transformer.ancestor_ids()
    since = when - dt.timedelta(minutes=policy.window_minutes)
    found = [row for row in _open_over_line(line, since) if row[4] in OPEN_STATE_VALUES]
    if not found:
        return None
    # The nearest: the deepest element on the line, the oldest incident on it.
    incident, master_id, element_id, predicted, _state = max(
        found, key=lambda row: (line.index(row[2]), -found.index(row))
    )
    master = order_row_locked(master_id)
    if master is None or master.state not in OPEN_STATES:
        return None  # closed since it was read (cancelled, say): the call opens its own
    return OpenFault(
        master=master,
        incident_id=incident,
        may_predict=element_id == transformer.pk and not predicted,
        count_call=_count_call(incident, when),
    )


def _count_call(incident: int, when: dt.datetime) -> Write:
    """Another caller's call on the incident: its count, its last call, its version."""
    latest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    sql = (
        "UPDATE outages_faultincident SET call_count = call_count + 1, "
        f"last_call_at = {latest}(last_call_at, %s), version = version + 1 WHERE id = %s"
    )
    return sql, [connection.ops.adapt_datetimefield_value(when), incident]


def _lock_line(transformer: GridElement) -> None:
    line = transformer.ancestor_ids()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            feeder = _feeder_id(line)
            cursor.execute("SELECT 1 FROM outages_gridelement WHERE id = %s FOR UPDATE", [feeder])


def opened(order: WorkOrder, when: dt.datetime, line_locked: bool) -> None:
    """A new repair order of a customer the grid knows opens an incident on their
    transformer area (its event written with it, in one statement)."""
    if order.customer is None or not active_policy().incidents.enabled:
        return
    transformer = transformer_of(order.customer)
    if transformer is None:
        return
    if not line_locked:
        _lock_line(transformer)
    incident = FaultIncident(
        number=f"GZ{order.number}",  # one incident per master: its number names it
        master=order,
        element=transformer,
        opened_at=order.accepted_at,
        last_call_at=order.accepted_at,
    )
    opened_with = {"order": order.number, "element": transformer.code}
    event = IncidentEvent.unsaved("opened", order.accepted_by, when, new=opened_with)
    insert_with_children(incident, [("incident_id", [event])])
    if active_policy().incidents.transformer_calls <= 1:
        infer(transformer, when)  # otherwise one call predicts nothing


def grouped(fault: OpenFault, outcome: LinkOutcome, when: dt.datetime) -> None:
    """A call linked to an incident's master (and counted on it with the call). Where the
    fault is can only change when this call makes its transformer predicted out;
    otherwise nothing more is read."""
    if outcome.urged:
        return  # the same customer again: an urge on the master, not another caller
    customer = outcome.order.customer
    transformer = transformer_of(customer) if customer else None
    if fault.may_predict and transformer is not None:
        infer(transformer, when)


GROUPING = FaultGrouping(fault_of=fault_of, opened=opened, grouped=grouped)


def _customers_of(transformer: GridElement) -> int:
    return Customer.objects.filter(transformer=transformer.code).count()


def infer(transformer: GridElement, when: dt.datetime) -> None:
    """Predict the transformer; once it is, move up while enough children are predicted
    out. (Nothing above can change while the transformer is not predicted.)"""
    policy = active_policy().incidents
    here = open_incidents().filter(element=transformer, predicted=False).first()
    if here is None:
        return
    customers = max(_customers_of(transformer), 1)
    if (
        here.call_count < policy.transformer_calls
        or here.call_count / customers < policy.transformer_share
    ):
        return
    here.predicted = True
    here.version += 1
    here.save(update_fields=["predicted", "version"])
    IncidentEvent.record("predicted", None, when, new={"element": transformer.code}, incident=here)
    element = transformer
    while element.level != Level.FEEDER and element.parent_id is not None:
        parent = element_by_id(str(element.parent_id))
        assert parent is not None  # grid elements are never deleted
        out = _children_out(parent)
        children = children_of(parent.code) or 1
        if out >= policy.children_predicted and out / children >= policy.children_share:
            _gather(parent, when)
            element = parent
        else:
            break


def _children_out(parent: GridElement) -> int:
    """How many of `parent`'s children have a predicted incident on or below them."""
    depth = len(parent.ancestor_ids())
    paths = (
        open_incidents()
        .filter(parent.subtree("element__"), predicted=True)
        .values_list("element__path", flat=True)
    )
    below = {
        path.strip("/").split("/")[depth]
        for path in paths
        if len(path.strip("/").split("/")) > depth
    }
    return len(below)


def _gather(parent: GridElement, when: dt.datetime) -> None:
    """One incident on `parent` for the unconfirmed incidents below it: the oldest stays,
    moved up; the others' master orders become its calls (all at once)."""
    below = list(
        open_incidents()
        .filter(parent.subtree("element__"), confirmed_at__isnull=True)
        .select_related("master", "element")
        .order_by("opened_at", "id")
    )
    if not below:
        return
    survivor, others = below[0], below[1:]
    if survivor.element_id != parent.pk or not survivor.predicted:
        old = {"element": survivor.element.code, "predicted": survivor.predicted}
        survivor.element = parent
        survivor.predicted = True
        IncidentEvent.record(
            "predicted", None, when, old=old, new={"element": parent.code}, incident=survivor
        )
    if others:
        merge_into(
            actor=None,
            numbers=[other.master.number for other in others],
            into=survivor.master.number,
            when=when,
            note=str(_("Grouped up the grid: one fault on %(element)s") % {"element": parent.name}),
        )
        FaultIncident.objects.filter(pk__in=[o.pk for o in others]).update(
            state=IncidentState.MERGED, merged_into=survivor, version=F("version") + 1
        )
        steps = []
        for other in others:
            survivor.call_count += other.call_count
            survivor.last_call_at = max(survivor.last_call_at, other.last_call_at)
            steps.append(
                IncidentEvent.unsaved(
                    "merged", None, when, new={"into": survivor.number}, incident=other
                )
            )
            steps.append(
                IncidentEvent.unsaved(
                    "absorbed", None, when, new={"incident": other.number}, incident=survivor
                )
            )
        insert_objects(steps)
    survivor.version += 1
    survivor.save()


def _lock(number: str) -> FaultIncident:
    incident = (
        FaultIncident.objects.select_for_update()
        .select_related("element")
        .filter(number=number)
        .first()
    )
    if incident is None:
        raise NotFound(_("no fault incident %(number)s"), field="number", number=number)
    if incident.state != IncidentState.OPEN:
        raise IllegalTransition(
            _("fault incident %(number)s is %(state)s"),
            field="state",
            number=number,
            state=IncidentState(incident.state).label,
        )
    return incident


def confirm_incident(
    *, actor: User, number: str, element: str | None = None, note: str = ""
) -> FaultIncident:
    """确认: the dispatcher says where the fault is (here, or on `element`); the rule
    never moves it after that."""
    authorize(actor, "dispatch")
    now = timezone.now()
    with transaction.atomic():
        incident = _lock(number)
        old = {"element": incident.element.code, "confirmed": incident.confirmed}
        if element:
            target = GridElement.objects.filter(code=element).first()
            if target is None:
                raise InvalidInput(
                    _("no grid element with code %(codes)s"), field="element", codes=element
                )
            incident.element = target
        incident.predicted = True
        incident.confirmed_by = actor
        incident.confirmed_at = now
        incident.version += 1
        incident.save()
        told = notifications.tell_customers(
            customers_under([incident.element]),
            fault_text(incident),
            "confirmed",
            now,
            incident=incident,
        )
        IncidentEvent.record(
            "confirmed",
            actor,
            now,
            note=note,
            old=old,
            new={"element": incident.element.code, "confirmed": True, "customers_told": told},
            incident=incident,
        )
    return incident


def restore_incident(order: WorkOrder, actor: User | None, when: dt.datetime) -> None:
    """The master's supply is back: the incident is restored, and every call of it gets
    the restoration time (their callbacks follow the master's approval, by the sample)."""
    incident = FaultIncident.objects.select_for_update().filter(master=order).first()
    if incident is None or incident.state != IncidentState.OPEN:
        return
    incident.state = IncidentState.RESTORED
    incident.restored_at = when
    incident.version += 1
    incident.save()
    IncidentEvent.record(
        "restored", actor, when, new={"restored_at": when.isoformat()}, incident=incident
    )
    for call in WorkOrder.objects.filter(parent=order).order_by("id"):
        record_event(
            call,
            "incident_restored",
            actor,
            when,
            new={"incident": incident.number, "restored_at": when.isoformat()},
        )


def split_incident(*, actor: User, number: str, element: str, note: str = "") -> FaultIncident:
    """拆分: the calls under `element` are another fault. They leave the incident for one
    of their own on `element` (its first call becoming its master, to be dispatched), and
    the dispatcher's word holds for both: neither is moved by the rule after. If the master's
    own call is among them, the incident itself moves to `element` and the others leave."""
    authorize(actor, "dispatch")
    target = GridElement.objects.filter(code=element).first()
    if target is None:
        raise InvalidInput(_("no grid element with code %(codes)s"), field="element", codes=element)
    now = timezone.now()
    found = FaultIncident.objects.select_related("element").filter(number=number).first()
    if found is None:
        raise NotFound(_("no fault incident %(number)s"), field="number", number=number)
    with transaction.atomic():
        _lock_line(found.element)  # the feeder first, as intake takes it: no deadlock
        incident = _lock(number)
        master = incident.master
        calls = list(
            WorkOrder.objects.filter(Q(pk=master.pk) | Q(parent=master))
            .select_related("customer")
            .order_by("accepted_at", "id")
        )
        under = set(transformers_under([target]).values_list("code", flat=True))
        part = [c for c in calls if c.customer is not None and c.customer.transformer in under]
        if not part:
            raise InvalidInput(
                _("none of the calls of %(number)s comes from under %(element)s"),
                field="element",
                number=number,
                element=target.name,
            )
        if len(part) == len(calls):
            raise InvalidInput(
                _("every call of %(number)s comes from under %(element)s: move it there instead"),
                field="element",
                number=number,
                element=target.name,
            )
        stays_on = incident.element
        if master in part:
            leaving = [c for c in calls if c not in part]
            incident.element, leaving_on = target, stays_on
        else:
            leaving, leaving_on = part, target
        new_master = split_calls(
            actor=actor,
            master=master.number,
            calls=[c.number for c in leaving],
            when=now,
            note=note,
        )
        split = _incident_for_split(
            new_master, leaving, leaving_on, actor, now, note, split_from=incident
        )
        old = {"element": stays_on.code, "calls": incident.call_count}
        incident.call_count -= len(leaving)
        incident.predicted = True
        incident.confirmed_by = actor
        incident.confirmed_at = now
        incident.version += 1
        incident.save()
        IncidentEvent.record(
            "split",
            actor,
            now,
            note=note,
            old=old,
            new={
                "element": incident.element.code,
                "calls": incident.call_count,
                "into": split.number,
            },
            incident=incident,
        )
    return split


def _incident_for_split(
    master: WorkOrder,
    calls: list[WorkOrder],
    element: GridElement,
    actor: User,
    now: dt.datetime,
    note: str,
    *,
    split_from: FaultIncident,
) -> FaultIncident:
    """The incident of calls split off another: the one their new master had before it was
    merged away, reopened, or a new one. Confirmed where the dispatcher put it."""
    incident = FaultIncident.objects.select_for_update().filter(master=master).first()
    before = {"split_from": split_from.number}
    if incident is None:
        incident = FaultIncident(number=f"GZ{master.number}", master=master)
    else:
        before.update(state=incident.state, element=incident.element.code)
        incident.version += 1
    incident.state = IncidentState.OPEN
    incident.merged_into = None
    incident.element = element
    incident.predicted = True
    incident.confirmed_by = actor
    incident.confirmed_at = now
    incident.call_count = len(calls)
    incident.opened_at = min(c.accepted_at for c in calls)
    incident.last_call_at = max(c.accepted_at for c in calls)
    incident.save()
    IncidentEvent.record(
        "opened",
        actor,
        now,
        note=note,
        old=before,
        new={"order": master.number, "element": element.code, "calls": len(calls)},
        incident=incident,
    )
    return incident


def apology_text(incident: FaultIncident) -> str:
    """The SMS to an incident's callers: the apology and the arrangement (what the crew is
    doing, when the power is expected back), in Chinese (the customers' language)."""
    master = incident.master
    with override("zh-hans"):
        if master.expected_restoration_at is not None:
            arrangement = _("the crew is on it; power is expected back by %(expected)s") % {
                "expected": beijing_text(master.expected_restoration_at)
            }
        else:
            arrangement = str(_("a repair crew is on its way"))
        return str(
            _(
                "[95598] About the power cut you reported (order %(number)s): %(arrangement)s. "
                "We apologise for the inconvenience."
            )
        ) % {"number": master.number, "arrangement": arrangement}


def fault_text(incident: FaultIncident) -> str:
    """The SMS to the customers under a confirmed fault."""
    with override("zh-hans"):
        expected = incident.master.expected_restoration_at
        return str(
            _(
                "[95598] A fault has cut the power at %(place)s; a repair crew is on it%(by)s. "
                "We apologise for the inconvenience."
            )
        ) % {
            "place": incident.element.name,
            "by": _(", power expected back by %(expected)s") % {"expected": beijing_text(expected)}
            if expected
            else "",
        }


def tell_callers(*, actor: User, number: str, text: str = "") -> int:
    """An SMS to every caller of the incident (the master's and each linked call's phone,
    once each): the apology and the arrangement, as the dispatcher wrote it or as
    `apology_text` says. Each is an outbox message on the caller's order and a notification
    on the customer's record. The number of phones sent to."""
    authorize(actor, "dispatch")
    now = timezone.now()
    with transaction.atomic():
        incident = _lock(number)
        body = text.strip() or apology_text(incident)
        if len(body) > 500:
            raise InvalidInput(_("the message is longer than 500 characters"), field="text")
        calls = (
            WorkOrder.objects.filter(Q(pk=incident.master_id) | Q(parent_id=incident.master_id))
            .filter(confidential=False)
            .exclude(caller_phone="")
            .select_related("customer")
            .order_by("accepted_at", "id")
        )
        phones: set[str] = set()
        messages, rows = [], []
        for call in calls:
            if call.caller_phone in phones:
                continue
            phones.add(call.caller_phone)
            message = notifications.sms_message(
                call.caller_phone,
                body,
                now,
                customer=call.customer,
                order_id=call.pk,
                kind="incident_callers",
            )
            messages.append(message)
            if call.customer is not None:
                rows.append(
                    CustomerNotification(
                        incident=incident,
                        customer=call.customer,
                        reason="apology",
                        channel=NotificationChannel.SMS,
                        key_customer=call.customer.important_class != "",
                        phone=call.caller_phone,
                        message=message,
                        status=NotificationStatus.DONE,
                        created_at=now,
                        done_at=now,
                    )
                )
        if not messages:
            raise IllegalTransition(
                _("no caller of %(number)s left a phone to send to"), field="text", number=number
            )
        Message.objects.bulk_create(messages, batch_size=2000)
        for row in rows:
            row.message_id = row.message.pk if row.message else None
        CustomerNotification.objects.bulk_create(rows, batch_size=2000)
        IncidentEvent.record(
            "callers_told", actor, now, note=body, new={"phones": len(messages)}, incident=incident
        )
    return len(messages)
