"""The IVR's questions: what an integration may ask besides filing and urging orders.

"Where is my order?" is answered by the order's number together with the caller's phone,
and only with the order's status: an integration never reads who called. Confidential
orders are not answered here at all, so a guessed number and a phone tell nothing about
who filed a report (their informants ask an agent).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema

from kefu.accounts.auth import request_user
from kefu.accounts.roles import authorize_read
from kefu.core.api_errors import READ_ERRORS
from kefu.core.errors import NotFound
from kefu.core.schema_types import OrderNumber
from kefu.core.vocabulary import RequestType
from kefu.outages.check import check
from kefu.tickets.models import WorkOrder
from kefu.tickets.states import State

router = Router(tags=["ivr"])


class OrderStatusOut(Schema):
    number: str
    request_type: str
    request_type_label: str
    state: str
    state_label: str
    accepted_at: dt.datetime
    next_deadline: dt.datetime | None
    expected_restoration: dt.datetime | None = Field(
        description="For a repair: the crew's latest estimate from site"
    )
    closed: bool


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


@router.get(
    "/orders/{number}",
    response={200: OrderStatusOut, **READ_ERRORS},
    summary="An order's status, for the caller whose phone it was filed with",
)
def order_status(
    request: HttpRequest,
    number: OrderNumber,
    phone: str = Query(..., min_length=5, max_length=20, pattern=r"^[0-9+\-() ]+$"),
) -> dict[str, Any]:
    authorize_read(request_user(request), "ivr")
    order = (
        WorkOrder.objects.filter(number=number, confidential=False)
        .select_related("customer")
        .first()
    )
    phones = set()
    if order is not None:
        phones = {order.caller_phone}
        if order.customer is not None:
            phones |= {order.customer.phone, order.customer.alt_phone}
    if order is None or _digits(phone) not in {_digits(p) for p in phones if p}:
        raise NotFound(_("no work order %(number)s for this phone"), field="number", number=number)
    return {
        "number": order.number,
        "request_type": order.request_type,
        "request_type_label": str(RequestType(order.request_type).label),
        "state": order.state,
        "state_label": str(State(order.state).label),
        "accepted_at": order.accepted_at,
        "next_deadline": order.next_deadline,
        "expected_restoration": order.expected_restoration_at,
        "closed": order.closed_at is not None,
    }


class OutageAnswerOut(Schema):
    outage: bool = Field(description="The caller's supply is inside a known outage")
    current: bool = Field(description="The outage is under way now")
    say: str = Field(description="What the IVR reads to the caller (empty when none)")
    notice: str | None = Field(description="The notice's number, to record the call on it")
    fault_order: str | None = Field(
        description="A fault already reported here: the order to link the call to (link_to)"
    )
    expected_restoration: dt.datetime | None


@router.get(
    "/outage",
    response={200: OutageAnswerOut, **READ_ERRORS},
    summary="Is the caller's power off for a known reason? By the calling phone",
)
def outage_answer(
    request: HttpRequest,
    phone: str = Query(..., min_length=5, max_length=20, pattern=r"^[0-9+\-() ]+$"),
) -> dict[str, Any]:
    """The first question of the IVR's repair menu: the current outage first, else the
    next announced one; never who the customer is."""
    authorize_read(request_user(request), "ivr")
    found = check(phone=_digits(phone))
    known = found.outages[0] if found.outages else None
    if known is None and found.faults:
        fault = found.faults[0]
        return {
            "outage": True,
            "current": True,
            "say": fault.say,
            "notice": None,
            "fault_order": fault.incident.master.number,
            "expected_restoration": None,
        }
    return {
        "outage": known is not None,
        "current": bool(known and known.current),
        "say": known.say if known else "",
        "notice": known.notice.number if known else None,
        "fault_order": None,
        "expected_restoration": known.notice.expected_restoration_at if known else None,
    }
