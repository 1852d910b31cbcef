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
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import User
from kefu.core.bulk import Write, insert_with_children
from kefu.core.errors import IllegalTransition, InvalidInput, NotFound
from kefu.core.policy import active_policy
from kefu.customers.models import Customer
from kefu.outages.models import FaultIncident, GridElement, IncidentEvent, IncidentState, Level
from kefu.outages.topology import transformer_of
from kefu.tickets.models import WorkOrder
from kefu.tickets.services.checks import authorize, record_event
from kefu.tickets.services.intake import (
    FaultGrouping,
    LinkOutcome,
    OpenFault,
    merge_into,
    order_row_locked,
)
from kefu.tickets.states import OPEN_STATES

OPEN_STATE_VALUES = frozenset(str(state) for state in OPEN_STATES)


def open_incidents() -> QuerySet[FaultIncident]:
    return FaultIncident.objects.filter(state=IncidentState.OPEN)


def incidents_over(element: GridElement) -> QuerySet[FaultIncident]:
    """Open incidents on this element or anything above it."""
    return open_incidents().filter(element_id__in=element.ancestor_ids())


def _open_over_line(line: list[int], since: dt.datetime) -> list[tuple[int, int, int, bool, str]]:
    """Open incidents on the line (ids from the substation down) whose last call came
    since `since`: (id, master id, element id, predicted, the master's state), oldest
    first. On PostgreSQL the line's feeder row is locked in the same statement, until the
    intake commits: the feeder's calls are grouped one at a time, so two calls at once
    cannot open two incidents for one fault, and inferring (which merges incidents and
    locks their masters) never races a call linking to one of them. (SQLite's writers
    queue for the whole database anyway.)"""
    feeder = line[1] if len(line) > 1 else line[0]  # a feeder hangs under its substation
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
            feeder = line[1] if len(line) > 1 else line[0]
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
    """Predict the transformer, then move up while enough children are predicted out."""
    policy = active_policy().incidents
    here = open_incidents().filter(element=transformer, predicted=False).first()
    if here is not None:
        customers = max(_customers_of(transformer), 1)
        if (
            here.call_count >= policy.transformer_calls
            and here.call_count / customers >= policy.transformer_share
        ):
            here.predicted = True
            here.version += 1
            here.save()
            IncidentEvent.record(
                "predicted", None, when, new={"element": transformer.code}, incident=here
            )
    element = transformer
    while element.level != Level.FEEDER and element.parent_id is not None:
        parent = GridElement.objects.get(pk=element.parent_id)
        children = parent.children.count()
        out = _children_out(parent)
        if out >= policy.children_predicted and out / max(children, 1) >= policy.children_share:
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
    moved up; the others' master orders become its calls."""
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
    for other in others:
        merge_into(
            actor=None,
            number=other.master.number,
            into=survivor.master.number,
            when=when,
            note=str(_("Grouped up the grid: one fault on %(element)s") % {"element": parent.name}),
        )
        survivor.call_count += other.call_count
        survivor.last_call_at = max(survivor.last_call_at, other.last_call_at)
        other.state = IncidentState.MERGED
        other.merged_into = survivor
        other.version += 1
        other.save()
        IncidentEvent.record("merged", None, when, new={"into": survivor.number}, incident=other)
        IncidentEvent.record(
            "absorbed", None, when, new={"incident": other.number}, incident=survivor
        )
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
        IncidentEvent.record(
            "confirmed",
            actor,
            now,
            note=note,
            old=old,
            new={"element": incident.element.code, "confirmed": True},
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
