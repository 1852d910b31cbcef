"""In-app messages for the signed-in user, and the billing center's list of notices."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from kefu.accounts.auth import request_user
from kefu.accounts.roles import authorize_read
from kefu.core.api_errors import READ_ERRORS, WRITE_ERRORS
from kefu.outbox.services import acknowledge_message, billing_center_list, inbox

router = Router(tags=["messages"])
ERRORS = READ_ERRORS


class MessageOut(Schema):
    id: int
    kind: str
    body: str
    order: str | None
    created_at: dt.datetime
    read_at: dt.datetime | None


class AcknowledgeIn(Schema):
    pass


def _message(m: Any) -> dict[str, Any]:
    return {
        "id": m.pk,
        "kind": m.kind,
        "body": m.body,
        "order": m.order.number if m.order else None,
        "created_at": m.created_at,
        "read_at": m.read_at,
    }


class NoticeOut(Schema):
    id: int
    kind: str
    account_number: str
    name: str
    address: str
    phone: str
    body: str
    attempts: int
    last_error: str
    created_at: dt.datetime


@router.get(
    "/inbox",
    response={200: list[MessageOut], **ERRORS},
    summary="In-app messages to me or my department",
)
def my_inbox(request: HttpRequest, limit: int = 50) -> list[dict[str, Any]]:
    user = request_user(request)
    authorize_read(user, "inbox")
    messages = inbox(user).order_by("-created_at", "-id")[: max(1, min(limit, 200))]
    return [_message(m) for m in messages]


@router.post(
    "/{message_id}/acknowledge",
    response={200: MessageOut, **WRITE_ERRORS},
    summary="知道了: an urge or escalation in my inbox has been seen",
)
def acknowledge(request: HttpRequest, message_id: int, payload: AcknowledgeIn) -> dict[str, Any]:
    user = request_user(request)
    authorize_read(user, "inbox")
    return _message(acknowledge_message(actor=user, message_id=min(max(message_id, 0), 2**62)))


@router.get(
    "/billing-center",
    response={200: list[NoticeOut], **ERRORS},
    summary="Customer notices that failed three times: the billing center writes",
)
def billing_center(request: HttpRequest, limit: int = 200) -> list[dict[str, Any]]:
    authorize_read(request_user(request), "billing_center")
    notices = billing_center_list()[: max(1, min(limit, 1000))]
    return [
        {
            "id": m.pk,
            "kind": m.kind,
            "account_number": m.to_customer.account_number,
            "name": m.to_customer.name,
            "address": m.to_customer.address,
            "phone": m.address,
            "body": m.body,
            "attempts": m.attempts,
            "last_error": m.last_error,
            "created_at": m.created_at,
        }
        for m in notices
        if m.to_customer is not None
    ]
