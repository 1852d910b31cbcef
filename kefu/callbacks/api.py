"""The callback queue: calls to make, and the outcome of each attempt."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from kefu.accounts.auth import request_user
from kefu.accounts.roles import authorize_read
from kefu.callbacks import services
from kefu.callbacks.models import CallbackTask
from kefu.core.api_errors import READ_ERRORS, WRITE_ERRORS
from kefu.core.schema_types import Moment, Note

router = Router(tags=["callbacks"])


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


def _out(task: CallbackTask) -> dict[str, Any]:
    """A callback row as read with `for_reader`: the caller already masked if need be."""
    return {
        "id": task.pk,
        "number": task.incident.number,
        "request_type": task.incident.request_type,
        "call": task.call.number,
        "phone": task.phone,
        "transformer": task.transformer,
        "business": task.business,
        "call_from": task.call_from,
        "call_until": task.call_until,
        "due_by": task.due_by,
        "status": task.status,
        "attempts": task.attempts,
        "satisfaction": task.satisfaction,
    }


@router.get("", response={200: list[CallbackOut], **READ_ERRORS}, summary="Callbacks to make")
def callback_queue(request: HttpRequest, limit: int = 100) -> list[dict[str, Any]]:
    user = request_user(request)
    authorize_read(user, "callbacks")
    tasks = services.queue().select_related("call").for_reader(user)[: max(1, min(limit, 500))]
    return [_out(t) for t in tasks]


@router.post(
    "/{task_id}",
    response={200: CallbackOut, **WRITE_ERRORS},
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
    reread = CallbackTask.objects.select_related("incident", "call").for_reader(
        request_user(request)
    )
    return _out(reread.get(pk=task.pk))
