"""The supervision sweep (监督催办): every running clock past its next warning level is
warned, urged or escalated, once per level, with its events and messages.

Clocks are handled in batches, each one transaction: the batch's orders are locked first
(as every service locks an order before touching its clocks), skipping orders someone is
changing right now; the clocks are re-read under those locks, their new levels written, and
the events, overtime flags and messages written in bulk. So two sweeps at once (two
workers, or a worker and `kefu sweep --as-of`) never urge one stage twice at the same level,
and a sweep killed half-way leaves each batch either fully done or untouched.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from kefu.accounts.models import Department, DepartmentKind, User
from kefu.accounts.roles import Role
from kefu.core.calendar import BEIJING
from kefu.core.policy import AlertLevel, active_policy
from kefu.core.vocabulary import ClockKind, RequestType
from kefu.outbox.models import Message, MessageChannel
from kefu.tickets.clocks import level_time, schedule_next_alert
from kefu.tickets.models import Clock, ClockStatus, OrderEvent, WorkOrder

log = logging.getLogger(__name__)


@dataclass
class SweepResult:
    clocks: int = 0  # clocks that reached at least one level
    levels: int = 0  # levels reached in all
    overtime: int = 0  # clocks that ran out
    skipped: int = 0  # clocks of busy orders, left for the next run


@dataclass
class _Recipients:
    """Who hears of a level, looked up once per sweep rather than once per clock."""

    center: Department | None
    by_role: dict[str, list[User]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> _Recipients:
        center = Department.objects.filter(kind=DepartmentKind.CENTER, active=True).first()
        users = list(
            User.objects.filter(role__in=[Role.SHIFT_LEADER, Role.SUPERVISOR], is_active=True)
        )
        return cls(
            center,
            {
                "shift_leader": [u for u in users if u.role == Role.SHIFT_LEADER],
                "supervisor": [u for u in users if u.role == Role.SUPERVISOR],
            },
        )


def sweep(*, as_of: dt.datetime | None = None, batch_size: int = 500) -> SweepResult:
    """Handle every running clock whose next warning level lies before `as_of`."""
    now = timezone.now()
    as_of = as_of or now
    if as_of > now:
        raise ValueError("a sweep cannot run for an instant in the future")
    result = SweepResult()
    recipients = _Recipients.load()
    last_id = 0
    while True:
        due = list(
            Clock.objects.filter(status=ClockStatus.OPEN, next_alert_at__lt=as_of, id__gt=last_id)
            .order_by("id")
            .values_list("id", "order_id")[:batch_size]
        )
        if not due:
            break
        _handle_batch(due, as_of, result, recipients)
        last_id = due[-1][0]
    if result.levels or result.skipped:
        log.info(
            "sweep as of %s: %s levels on %s clocks, %s overtime, %s skipped",
            as_of.isoformat(),
            result.levels,
            result.clocks,
            result.overtime,
            result.skipped,
        )
    return result


def _handle_batch(
    due: list[tuple[int, int]], as_of: dt.datetime, result: SweepResult, recipients: _Recipients
) -> None:
    levels = active_policy().supervision.levels
    with transaction.atomic():
        # Lock the orders first, as the services do; an order being changed now waits a run.
        order_ids = {order_id for _, order_id in due}
        locked = set(
            WorkOrder.objects.select_for_update(skip_locked=True)
            .filter(pk__in=order_ids)
            .values_list("pk", flat=True)
        )
        result.skipped += sum(1 for _, order_id in due if order_id not in locked)
        clocks = list(
            Clock.objects.filter(
                pk__in=[c for c, o in due if o in locked],
                status=ClockStatus.OPEN,
                next_alert_at__lt=as_of,
            )
            .select_related("order", "department")
            .order_by("id")
        )
        now = timezone.now()
        events: list[OrderEvent] = []
        messages: list[Message] = []
        changed: list[Clock] = []
        ran_out: set[int] = set()
        for clock in clocks:
            reached = [
                i
                for i in range(clock.urge_level, len(levels))
                if level_time(clock, levels[i]) < as_of
            ]
            if not reached:
                continue
            clock.urge_level = reached[-1] + 1
            if any(levels[i].overtime for i in reached):
                clock.late = True
                ran_out.add(clock.order_id)
            schedule_next_alert(clock)
            changed.append(clock)
            events.extend(_event(clock, levels[i], i, now) for i in reached)
            messages.extend(_messages(clock, levels[reached[-1]], now, recipients))
            result.levels += len(reached)
        _write_levels(changed)
        OrderEvent.objects.bulk_create(events)
        Message.objects.bulk_create(messages)
        if ran_out:
            WorkOrder.objects.filter(pk__in=ran_out).update(is_late=True, version=F("version") + 1)
        result.clocks += len(changed)
        result.overtime += sum(1 for c in changed if c.order_id in ran_out)


def _write_levels(clocks: list[Clock]) -> None:
    """One statement, many rows: Django's bulk_update spends longer building its CASE
    expression than the database spends running it."""
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE tickets_clock SET urge_level = %s, next_alert_at = %s, late = %s WHERE id = %s",
            [(c.urge_level, adapt(c.next_alert_at), c.late, c.pk) for c in clocks],
        )


def _event(clock: Clock, level: AlertLevel, index: int, now: dt.datetime) -> OrderEvent:
    before_deadline = level.share is not None and level.share < 1
    return OrderEvent(
        order_id=clock.order_id,
        kind="warned" if before_deadline else "urged",
        actor=None,
        department=clock.department,
        occurred_at=level_time(clock, level),
        recorded_at=now,
        note=f"{level.label}:{ClockKind(clock.kind).label}",
        new={
            "clock": clock.kind,
            "round": clock.round,
            "level": level.name,
            "level_index": index + 1,
            "overtime": level.overtime,
            "deadline": clock.deadline.isoformat() if clock.deadline else None,
        },
    )


def _messages(
    clock: Clock, level: AlertLevel, now: dt.datetime, recipients: _Recipients
) -> list[Message]:
    """In-app messages to the holder and the people the level names; SMS to the holder.

    Only the highest level reached is announced: after an outage nobody gets a flood.
    """
    order = clock.order
    deadline = clock.deadline.astimezone(BEIJING).strftime("%m-%d %H:%M") if clock.deadline else ""
    text = (
        f"【{level.label}】工单 {order.number}({RequestType(order.request_type).label})"
        f"{ClockKind(clock.kind).label}时限 {deadline},请尽快处理。"
    )

    def message(**to: object) -> Message:
        return Message(
            kind=level.name, body=text, order=order, next_attempt_at=now, created_at=now, **to
        )

    out: list[Message] = []
    for who in level.notify:
        if who == "holder":
            holder = clock.department or recipients.center
            if holder is None:
                continue
            out.append(message(channel=MessageChannel.IN_APP, to_department=holder))
            if holder.phone:
                out.append(
                    message(channel=MessageChannel.SMS, to_department=holder, address=holder.phone)
                )
        else:
            out.extend(
                message(channel=MessageChannel.IN_APP, to_user=user)
                for user in recipients.by_role[who]
            )
    return out
