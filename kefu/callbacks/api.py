"""The callback queue: calls to make, and the outcome of each attempt."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from kefu.accounts.auth import request_user
from kefu.accounts.models import User
from kefu.callbacks import services
from kefu.callbacks.models import CallbackTask
from kefu.core.schema_types import Moment, Note
from kefu.tickets.services import authorize
from kefu.tickets.visibility import can_see_informant

router = Router(tags=["callbacks"])
ERRORS = {401: dict, 403: dict, 404: dict, 409: dict, 422: dict}


class CallbackOut(Schema):
    id: int
    number: str
    request_type: str
    call: str
    phone: str
    transformer: str
    business: bool
    call_from: dt.datetime
    call_until: dt.datetime
    due_by: dt.datetime | None
    status: str
    attempts: int
    satisfaction: str


class AttemptIn(Schema):
    reached: bool
    satisfaction: str = ""
    note: Note = ""
    occurred_at: Moment | None = None


def _out(task: CallbackTask, user: User) -> dict[str, Any]:
    visible = can_see_informant(user, task.incident)
    return {
        "id": task.pk,
        "number": task.incident.number,
        "request_type": task.incident.request_type,
        "call": task.call.number,
        "phone": task.phone if visible else "***",
        "transformer": task.transformer,
        "business": task.business,
        "call_from": task.call_from,
        "call_until": task.call_until,
        "due_by": task.due_by,
        "status": task.status,
        "attempts": task.attempts,
        "satisfaction": task.satisfaction,
    }


@router.get("", response={200: list[CallbackOut], **ERRORS}, summary="Callbacks to make")
def callback_queue(request: HttpRequest, limit: int = 100) -> list[dict[str, Any]]:
    user = request_user(request)
    authorize(user, "callback")
    tasks = services.queue().select_related("call")[: max(1, min(limit, 500))]
    return [_out(t, user) for t in tasks]


@router.post(
    "/{task_id}",
    response={200: CallbackOut, **ERRORS},
    summary="Record a callback attempt (reached with satisfaction, or not reached)",
)
def record(request: HttpRequest, task_id: int, payload: AttemptIn) -> dict[str, Any]:
    task = services.record_callback(
        actor=request_user(request),
        task_id=min(max(task_id, 0), 2**62),
        reached=payload.reached,
        satisfaction=payload.satisfaction,
        note=payload.note,
        occurred_at=payload.occurred_at,
    )
    return _out(
        CallbackTask.objects.select_related("incident", "call").get(pk=task.pk),
        request_user(request),
    )
