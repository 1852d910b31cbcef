"""Shift handovers: the outgoing leader signs, the incoming leader acknowledges."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status

from kefu.accounts.auth import request_user
from kefu.contact import services
from kefu.contact.models import Handover
from kefu.core.api_errors import READ_ERRORS, WRITE_ERRORS
from kefu.core.errors import NotFound
from kefu.core.schema_types import Moment, Note

router = Router(tags=["handover"])


class HandoverIn(Schema):
    shift_start: Moment
    notes: Note = ""


class AcknowledgeIn(Schema):
    note: Note = ""


class HandoverOut(Schema):
    id: int
    shift_start: dt.datetime
    shift_end: dt.datetime
    outgoing_leader: str
    incoming_leader: str | None
    notes: str
    incoming_note: str
    signed_at: dt.datetime
    acknowledged_at: dt.datetime | None
    snapshot: dict[str, Any]


def _out(handover: Handover) -> dict[str, Any]:
    return {
        "id": handover.pk,
        "shift_start": handover.shift_start,
        "shift_end": handover.shift_end,
        "outgoing_leader": handover.outgoing_leader.username,
        "incoming_leader": handover.incoming_leader.username if handover.incoming_leader else None,
        "notes": handover.notes,
        "incoming_note": handover.incoming_note,
        "signed_at": handover.signed_at,
        "acknowledged_at": handover.acknowledged_at,
        "snapshot": handover.snapshot,
    }


@router.get("", response={200: list[HandoverOut], **READ_ERRORS}, summary="Recent handovers")
def handovers(request: HttpRequest, limit: int = 20) -> list[dict[str, Any]]:
    found = services.visible_handovers(request_user(request))[: max(1, min(limit, 200))]
    return [_out(h) for h in found]


@router.post("", response={201: HandoverOut, **WRITE_ERRORS}, summary="Sign the shift's handover")
def sign(request: HttpRequest, payload: HandoverIn) -> Status[dict[str, Any]]:
    handover = services.sign_handover(
        actor=request_user(request), shift_start=payload.shift_start, notes=payload.notes
    )
    return Status(201, _out(handover))


@router.get("/{handover_id}", response={200: HandoverOut, **READ_ERRORS}, summary="One handover")
def get_handover(request: HttpRequest, handover_id: int) -> dict[str, Any]:
    found = (
        services.visible_handovers(request_user(request))
        .filter(pk=min(max(handover_id, 0), 2**62))
        .first()
    )
    if found is None:
        raise NotFound(_("no handover %(id)s"), field="handover", id=handover_id)
    return _out(found)


@router.post(
    "/{handover_id}/acknowledge",
    response={200: HandoverOut, **WRITE_ERRORS},
    summary="The incoming leader takes the shift over",
)
def acknowledge(request: HttpRequest, handover_id: int, payload: AcknowledgeIn) -> dict[str, Any]:
    handover = services.acknowledge_handover(
        actor=request_user(request), handover_id=min(max(handover_id, 0), 2**62), note=payload.note
    )
    return _out(
        Handover.objects.select_related("outgoing_leader", "incoming_leader").get(pk=handover.pk)
    )
