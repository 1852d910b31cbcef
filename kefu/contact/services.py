"""Signing and acknowledging a shift handover; the snapshot is taken when the outgoing
leader signs, so what was handed over can always be read back as it was."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import User
from kefu.accounts.roles import Role, authorize_read
from kefu.contact.models import AgentStatus, AgentStatusChange, Handover
from kefu.core.errors import IllegalTransition, InvalidInput, NotFound, PermissionDenied
from kefu.outages.models import NoticeState, OutageNotice
from kefu.tickets.models import OrderEvent, WorkOrder

DEFAULT_SHIFT = dt.timedelta(hours=8)


def _brief(order: WorkOrder) -> dict[str, Any]:
    return {
        "number": order.number,
        "request_type": order.request_type,
        "state": order.state,
        "holder": order.holder.code if order.holder else None,
        "holder_name": order.holder.name if order.holder else None,
        "next_deadline": order.next_deadline.isoformat() if order.next_deadline else None,
        "late": order.is_late,
        "urges": order.urge_count,
    }


def snapshot(
    *, shift_start: dt.datetime, now: dt.datetime, next_shift: dt.timedelta = DEFAULT_SHIFT
) -> dict[str, Any]:
    open_orders = (
        WorkOrder.objects.filter(closed_at__isnull=True)
        .select_related("holder")
        .order_by("next_deadline", "accepted_at")
    )
    urges = (
        OrderEvent.objects.filter(
            kind__in=["warned", "urged", "customer_urged"],
            recorded_at__gte=shift_start,
            recorded_at__lte=now,
        )
        .select_related("order")
        .order_by("recorded_at", "id")
    )
    return {
        "taken_at": now.isoformat(),
        "open_orders": [_brief(o) for o in open_orders],
        "overdue": [_brief(o) for o in open_orders.filter(next_deadline__lt=now)],
        "due_next_shift": [
            _brief(o)
            for o in open_orders.filter(next_deadline__gte=now, next_deadline__lt=now + next_shift)
        ],
        "urges_sent": [
            {
                "order": e.order.number,
                "kind": e.kind,
                "level": e.new.get("level"),
                "clock": e.new.get("clock"),
                "at": e.recorded_at.isoformat(),
            }
            for e in urges
        ],
        # Outages under way or announced, as the incoming shift will be asked about them.
        "outages": [
            {
                "number": n.number,
                "kind": n.kind,
                "start_at": n.start_at.isoformat(),
                "expected_restoration_at": n.expected_restoration_at.isoformat(),
                "cause": n.cause,
                "lines": n.lines,
                "current": n.start_at <= now,
            }
            for n in OutageNotice.objects.filter(state=NoticeState.PUBLISHED).order_by(
                "start_at", "id"
            )[:200]
        ],
    }


def sign_handover(
    *,
    actor: User,
    shift_start: dt.datetime,
    notes: str = "",
    next_shift: dt.timedelta = DEFAULT_SHIFT,
) -> Handover:
    """The outgoing shift leader signs what the shift hands over."""
    if actor.role != Role.SHIFT_LEADER:
        raise PermissionDenied(_("the outgoing shift leader signs the handover"))
    now = timezone.now()
    if shift_start >= now:
        raise InvalidInput(
            _("the shift must have started before it is handed over"), field="shift_start"
        )
    if now - shift_start > dt.timedelta(hours=24):
        raise InvalidInput(_("a shift lasts at most 24 hours"), field="shift_start")
    with transaction.atomic():
        return Handover.objects.create(
            shift_start=shift_start,
            shift_end=now,
            outgoing_leader=actor,
            notes=notes,
            snapshot=snapshot(shift_start=shift_start, now=now, next_shift=next_shift),
            signed_at=now,
        )


def acknowledge_handover(*, actor: User, handover_id: int, note: str = "") -> Handover:
    """The incoming shift leader takes the shift over."""
    if actor.role != Role.SHIFT_LEADER:
        raise PermissionDenied(_("the incoming shift leader takes the shift over"))
    with transaction.atomic():
        handover = Handover.objects.select_for_update().filter(pk=handover_id).first()
        if handover is None:
            raise NotFound(_("no handover %(id)s"), field="handover", id=handover_id)
        if handover.acknowledged_at is not None:
            raise IllegalTransition(_("handover %(id)s is taken over already"), id=handover_id)
        if handover.outgoing_leader_id == actor.pk:
            raise IllegalTransition(_("the outgoing leader cannot take over from themself"))
        handover.incoming_leader = actor
        handover.incoming_note = note
        handover.acknowledged_at = timezone.now()
        handover.save()
    return handover


def visible_handovers(user: User) -> QuerySet[Handover]:
    authorize_read(user, "handovers")
    return Handover.objects.select_related("outgoing_leader", "incoming_leader")


def set_agent_status(*, actor: User, status: str) -> AgentStatusChange:
    """An agent (or shift leader) says whether calls may come to them."""
    if status not in AgentStatus.values:
        raise InvalidInput(
            _("status must be one of %(choices)s"),
            field="status",
            choices="、".join(str(label) for label in AgentStatus.labels),
        )
    return AgentStatusChange.objects.create(user=actor, status=status, at=timezone.now())


def agent_status(user: User) -> str:
    latest = AgentStatusChange.objects.filter(user=user).first()
    return latest.status if latest else AgentStatus.SIGNED_OUT
