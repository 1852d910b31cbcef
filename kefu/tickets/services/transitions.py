"""The holder and the center move an order on: dispatch, return, acknowledge, reply,
answer, suspend and resume, cancel, urge."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import User
from kefu.core.errors import (
    IllegalTransition,
    InvalidInput,
)
from kefu.core.policy import active_policy
from kefu.core.vocabulary import (
    SuspendReason,
)
from kefu.tickets import clocks
from kefu.tickets.models import WorkOrder
from kefu.tickets.services.checks import (
    Common,
    choices_text,
    dispatch_target,
    required_text,
    transition,
)
from kefu.tickets.states import State


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
    department = dispatch_target(department_code)

    def apply(order: WorkOrder, when: dt.datetime) -> tuple[Common, Common]:
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
        clocks.hand_to(order, ["result", "supply_plan"], department)
        return {"holder": old_holder}, {
            "holder": department.code,
            "override_reason": override_reason.strip(),
        }

    return transition(
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
    reason = required_text(reason, "reason", _("the reason for returning the order"))

    def apply(order: WorkOrder, when: dt.datetime) -> tuple[Common, Common]:
        old_holder = order.holder.code if order.holder else None
        clocks.stop_clock(order, "return", when)
        clocks.void_clocks(order, clocks.HOLDER_CLOCKS, when)
        order.holder = None
        clocks.start_clock(order, "dispatch", when)
        return {"holder": old_holder}, {"holder": None}

    return transition(
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

    return transition(
        "acknowledge",
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
    result = required_text(result, "result", _("the result of handling the order"))

    def apply(order: WorkOrder, when: dt.datetime) -> None:
        clocks.stop_clock(order, "result", when)
        clocks.stop_clock(order, "department_answer", when)
        clocks.start_clock(order, "callback", when)

    return transition(
        "reply",
        number=number,
        actor=actor,
        occurred_at=occurred_at,
        version=version,
        note=result,
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
    answer = required_text(answer, "answer", _("the answer given to the customer"))

    def apply(order: WorkOrder, when: dt.datetime) -> None:
        order.closed_at = when
        clocks.void_all(order, when)

    return transition(
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
    reason = required_text(reason, "reason", _("the reason for cancelling"))

    def apply(order: WorkOrder, when: dt.datetime) -> None:
        order.closed_at = when
        order.suspended_reason = ""
        clocks.void_all(order, when)

    return transition(
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
            _("reason must be one of %(choices)s"),
            field="reason",
            choices=choices_text(SuspendReason),
        )
    if reason == SuspendReason.APPOINTMENT and appointment_at is None:
        raise InvalidInput(_("an appointment needs the agreed time"), field="appointment_at")

    def apply(order: WorkOrder, when: dt.datetime) -> tuple[Common, Common]:
        paused = clocks.pause_clocks(order, active_policy().pauses(reason), when)
        order.suspended_reason = reason
        return {}, {
            "suspended_reason": reason,
            "paused": [c.kind for c in paused],
            "appointment_at": appointment_at.isoformat() if appointment_at else None,
        }

    return transition(
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

    def apply(order: WorkOrder, when: dt.datetime) -> tuple[Common, Common]:
        if not order.suspended:
            raise IllegalTransition(_("order %(number)s is not suspended"), number=order.number)
        old_reason = order.suspended_reason
        resumed = clocks.resume_clocks(order, when)
        order.suspended_reason = ""
        return {"suspended_reason": old_reason}, {
            "resumed": {c.kind: c.deadline.isoformat() for c in resumed if c.deadline}
        }

    return transition(
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

    def apply(order: WorkOrder, when: dt.datetime) -> tuple[Common, Common]:
        order.urge_count += 1
        return {"urge_count": order.urge_count - 1}, {
            "urge_count": order.urge_count,
            "holder": order.holder.code if order.holder else None,  # whose the urge is
        }

    return transition(
        "urge",
        number=number,
        actor=actor,
        occurred_at=occurred_at,
        version=version,
        note=note,
        apply=apply,
    )
