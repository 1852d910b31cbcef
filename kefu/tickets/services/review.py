"""The center's part after the reply: review, callback, archive."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import User
from kefu.accounts.roles import Role
from kefu.callbacks.queue import close_open_callbacks, enqueue_callbacks, open_callbacks
from kefu.core.errors import (
    IllegalTransition,
    InvalidInput,
)
from kefu.core.policy import active_policy
from kefu.outbox.models import MessageChannel
from kefu.outbox.services import queue_message
from kefu.tickets import clocks
from kefu.tickets.models import WorkOrder
from kefu.tickets.services.checks import (
    Common,
    choices_text,
    required_text,
    transition,
)
from kefu.tickets.states import Satisfaction, State


def approve_order(
    *,
    actor: User,
    number: str,
    occurred_at: dt.datetime | None = None,
    version: int | None = None,
    note: str = "",
) -> WorkOrder:
    """审核通过: the reply is accepted and the callbacks the policy asks for are queued."""

    def apply(order: WorkOrder, when: dt.datetime) -> tuple[Common, Common]:
        tasks = enqueue_callbacks(order, when)
        return {}, {"callbacks_queued": len(tasks)}

    return transition(
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
    reason = required_text(reason, "reason", _("the reason for sending the reply back"))

    def apply(order: WorkOrder, when: dt.datetime) -> tuple[Common, Common]:
        order.rework_count += 1
        clocks.void_clocks(order, ["callback"], when)
        clocks.reopen_clock(order, "result")
        clocks.reopen_clock(order, "department_answer")
        return {"rework_count": order.rework_count - 1}, {
            "rework_count": order.rework_count,
            "holder": order.holder.code if order.holder else None,  # whose reply it was
        }

    return transition(
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
            choices=choices_text(Satisfaction),
        )

    def apply(order: WorkOrder, when: dt.datetime) -> tuple[Common, Common]:
        clocks.stop_clock(order, "callback", when)
        close_open_callbacks(order, when, actor)
        order.satisfaction = satisfaction
        # The department whose work the customer judged (the assessment counts it there).
        outcome: Common = {
            "satisfaction": satisfaction,
            "holder": order.holder.code if order.holder else None,
        }
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

    return transition(
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

    return transition(
        "archive",
        number=number,
        actor=actor,
        occurred_at=occurred_at,
        version=version,
        note=note,
        apply=apply,
    )
