"""What a complaint's record says (001 art. 28; 003 ch. 2): whom or what it is about, its
cause, the customer's demand and how they want to be called back, with the units that
handle it together with the holder; and the interim reply a customer is given when the
investigation cannot finish in time. Each an event on the order, in its transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import User
from kefu.core.errors import InvalidInput
from kefu.core.vocabulary import CallbackMethod
from kefu.tickets.models import WorkOrder
from kefu.tickets.services.checks import (
    Common,
    choices_text,
    dispatch_target,
    required_text,
    transition,
)

#: The record's own fields, as the order and its events name them.
RECORD_FIELDS = ("complaint_object", "complaint_cause", "customer_demand", "callback_method")


@dataclass(frozen=True)
class ComplaintRecord:
    complaint_object: str = ""
    complaint_cause: str = ""
    customer_demand: str = ""
    callback_method: str = ""
    co_handlers: tuple[str, ...] = ()


def record_complaint(
    *,
    actor: User,
    number: str,
    record: ComplaintRecord,
    occurred_at: dt.datetime | None = None,
    version: int | None = None,
) -> WorkOrder:
    """投诉记录: the record as it now stands (the center at intake or later, or the holder
    once it has looked into it). What changed, from what, is the event's."""
    if record.callback_method and record.callback_method not in CallbackMethod.values:
        raise InvalidInput(
            _("callback method must be one of: %(choices)s"),
            field="callback_method",
            choices=choices_text(CallbackMethod),
        )
    units = [dispatch_target(code) for code in dict.fromkeys(record.co_handlers)]

    def apply(order: WorkOrder, when: dt.datetime) -> tuple[Common, Common]:
        old: Common = {}
        new: Common = {}
        for name in RECORD_FIELDS:
            value = getattr(record, name).strip()
            if getattr(order, name) != value:
                old[name], new[name] = getattr(order, name), value
                setattr(order, name, value)
        before = order.co_handler_codes
        after = sorted(u.code for u in units)
        if before != after:
            old["co_handlers"], new["co_handlers"] = before, after
            order.co_handlers = ",".join(after)
        if not new:
            raise InvalidInput(_("the complaint record says that already"), field="record")
        return old, new

    return transition(
        "complaint_record",
        number=number,
        actor=actor,
        occurred_at=occurred_at,
        version=version,
        note="",
        apply=apply,
    )


def interim_reply(
    *,
    actor: User,
    number: str,
    reply: str,
    occurred_at: dt.datetime | None = None,
    version: int | None = None,
) -> WorkOrder:
    """阶段性答复: what the customer was told of the investigation so far, when its result
    cannot be reached in time (001 art. 28)."""
    said = required_text(reply, "reply", _("what the customer was told"))

    def apply(order: WorkOrder, when: dt.datetime) -> tuple[Common, Common]:
        return {}, {"holder": order.holder.code if order.holder else None}

    return transition(
        "interim_reply",
        number=number,
        actor=actor,
        occurred_at=occurred_at,
        version=version,
        note=said,
        apply=apply,
    )
