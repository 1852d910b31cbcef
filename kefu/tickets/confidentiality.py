"""Who may know who filed a confidential order, and the one place that hides it from others.

A report (举报), an anonymous request, and any call linked to one of them is confidential:
its informant — name, phones, customer account, address, landmark, district, area class,
voltage, the transformer they hang off — is known only to the order's handlers: the agent
who took the call and the department holding the order (for a linked call, the department
holding the order it is linked to). Everyone else reads `***` in every one of those fields,
whatever the informant gave, so that no answer differs by who the informant is.

Integrations (the IVR, the portal) read no personal data at all: they file orders and get a
receipt, they never read a customer back out of Kefu.

A department that held an order and returned it keeps what it saw until it returned the
order (the order as it stood then, its own clocks, the events up to its return) and nothing
that came after.

The rule is applied where rows leave the database for a reader: `for_reader(user)` on the
order, event and callback querysets hands each row to the functions below before anyone
reads it (kefu.core.reading). Services never use those querysets: they change raw rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q

from kefu.accounts.roles import HOLDERS, Role
from kefu.core.reading import mark_presented
from kefu.core.vocabulary import CONFIDENTIAL_TYPES
from kefu.tickets.states import State

if TYPE_CHECKING:
    from kefu.accounts.models import User
    from kefu.callbacks.models import CallbackTask
    from kefu.tickets.models import OrderEvent, WorkOrder

HIDDEN = "***"
#: Text columns of an order that name or locate its informant.
MASKED_TEXT = ("caller_name", "caller_phone", "address", "landmark", "district")
#: Keys of event values that carry an informant's details (old and new alike).
MASKED_EVENT_KEYS = frozenset(
    {
        "phone",
        "caller_name",
        "caller_phone",
        "customer",
        "customer_account",
        "address",
        "landmark",
        "district",
        "transformer",
    }
)


def is_confidential_intake(request_type: str, anonymous: bool, parent: WorkOrder | None) -> bool:
    """Fixed when the order is born: reports, anonymous requests, calls linked to either."""
    return (
        request_type in CONFIDENTIAL_TYPES
        or anonymous
        or (parent is not None and parent.confidential)
    )


def sees_personal_data(user: User) -> bool:
    return user.role != Role.INTEGRATION


def _handling_department_id(order: WorkOrder) -> int | None:
    if order.holder_id is not None or order.parent_id is None:
        return order.holder_id
    parent = order._state.fields_cache.get("parent")
    if parent is not None:
        return parent.holder_id
    from kefu.tickets.models import WorkOrder

    return WorkOrder.objects.filter(pk=order.parent_id).values_list("holder_id", flat=True).first()


def handles(user: User, order: WorkOrder) -> bool:
    """The order's handlers: the agent who took the call, the department holding it."""
    if order.accepted_by_id == user.pk:
        return True
    return user.department_id is not None and user.department_id == _handling_department_id(order)


def can_see_informant(user: User, order: WorkOrder) -> bool:
    """Decided on the raw row; a presented row answers with the decision made for it."""
    decided = getattr(order, "informant_hidden", None)
    if getattr(order, "_presented_to", None) is user and decided is not None:
        return not decided
    if not sees_personal_data(user):
        return False
    return not order.confidential or handles(user, order)


def informant_hidden_filter(user: User) -> Q:
    """Orders whose informant `user` may not know: never matched by who called or where."""
    if not sees_personal_data(user):
        return Q(pk__isnull=False)
    mine = Q(accepted_by_id=user.pk)
    if user.department_id is not None:
        from kefu.tickets.models import WorkOrder

        # A correlated test rather than a join to the parent: a join would be built over
        # every order of a list before the first row is checked; this runs only for the
        # few confidential linked calls a list meets.
        parent_held = WorkOrder.objects.filter(
            pk=OuterRef("parent_id"), holder_id=user.department_id
        )
        mine |= Q(holder_id=user.department_id) | Q(Q(holder__isnull=True), Exists(parent_held))
    return Q(confidential=True) & ~mine


def former_holding_cutoff(user: User, order: WorkOrder) -> int | None:
    """For a department that held `order` and returned it: the id of its last return event,
    up to which it keeps reading the order. None for everyone else."""
    if Role(user.role) not in HOLDERS or user.department_id is None:
        return None
    if order.holder_id == user.department_id:
        return None
    from kefu.tickets.models import OrderEvent

    return (
        OrderEvent.objects.filter(
            order_id=order.pk, kind="returned", department_id=user.department_id
        )
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )


# --- presenting rows ----------------------------------------------------------------------


def _mask_values(values: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (HIDDEN if k in MASKED_EVENT_KEYS and v not in (None, "") else v)
        for k, v in values.items()
    }


def _mask_event_values(event: OrderEvent) -> None:
    event.old = _mask_values(event.old or {})
    event.new = _mask_values(event.new or {})


def _mask_informant(order: WorkOrder) -> None:
    for name in MASKED_TEXT:
        setattr(order, name, HIDDEN)
    order.area_class = ""
    order.voltage_kv = None
    order.customer = None


def _restricted(order: WorkOrder, relation: str, condition: Q, reader: User | None) -> None:
    """Replace what `order.<relation>` yields by the rows matching `condition`, presented to
    `reader` (None: shown as they are).

    A prefetched list is filtered in memory; otherwise a restricted query takes its place,
    so that reading the relation later cannot reach the rows left out.
    """
    cache: dict[str, Any] = order.__dict__.setdefault("_prefetched_objects_cache", {})
    loaded = cache.pop(relation, None)
    restricted = getattr(order, relation).filter(condition)
    if reader is not None:
        restricted = restricted.for_reader(reader)
    if loaded is not None and loaded._result_cache is not None:
        allowed = set(restricted.values_list("pk", flat=True)) if condition else None
        rows = [r for r in loaded._result_cache if allowed is None or r.pk in allowed]
        if reader is not None:
            for row in rows:
                restricted.present(row, reader)
        restricted._result_cache = rows
        restricted._prefetch_done = True
    cache[relation] = restricted


def _freeze_as_returned(order: WorkOrder, cutoff: int, department_id: int) -> None:
    """The order as the former holder left it: returned to the center, nothing after."""
    from kefu.tickets.models import Clock, OrderEvent

    before = OrderEvent.objects.filter(order_id=order.pk, id__lte=cutoff)
    order.state = State.RETURNED
    order.holder = None
    order.satisfaction = ""
    order.suspended_reason = ""
    order.closed_at = None
    order.next_deadline = None
    order.urge_count = before.filter(kind="customer_urged").count()
    order.call_count = before.filter(kind="call_linked").count()
    order.rework_count = before.filter(kind="sent_back").count()
    order.is_late = Clock.objects.filter(
        order_id=order.pk, department_id=department_id, late=True
    ).exists()


def present_order(order: WorkOrder, reader: User) -> WorkOrder:
    """Mask `order` in place for `reader` (once); it can no longer be saved."""
    if not mark_presented(order, reader):
        return order
    hidden = not (sees_personal_data(reader) and (not order.confidential or handles(reader, order)))
    cutoff = former_holding_cutoff(reader, order)
    order.informant_hidden = hidden
    order.holding_cutoff = cutoff
    parent = order._state.fields_cache.get("parent")
    if parent is not None:
        present_order(parent, reader)
    if hidden:
        _mask_informant(order)
    if cutoff is not None:
        assert reader.department_id is not None  # only a department holds orders
        _freeze_as_returned(order, cutoff, reader.department_id)
    if hidden or cutoff is not None:
        events = Q(id__lte=cutoff) if cutoff is not None else Q()
        _restricted(order, "events", events, reader)
    if cutoff is not None:
        _restricted(order, "clocks", Q(department_id=reader.department_id), None)
    return order


def present_event(event: OrderEvent, reader: User) -> OrderEvent:
    if not mark_presented(event, reader):
        return event
    order = event.order
    present_order(order, reader)
    if order.informant_hidden:
        _mask_event_values(event)
    return event


def present_callback(task: CallbackTask, reader: User) -> CallbackTask:
    if not mark_presented(task, reader):
        return task
    present_order(task.incident, reader)
    present_order(task.call, reader)
    if task.incident.informant_hidden:
        task.phone = HIDDEN
        task.transformer = HIDDEN
        task.customer = None
    return task
