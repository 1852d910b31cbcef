"""The supervision sweep (监督催办): every running clock past its next warning level is
warned, urged or escalated, once per level, with its event and messages in one transaction.

Safe to run anywhere at any time: a clock is claimed by a conditional update of its warning
level, so two sweeps (two workers, or a worker and `kefu sweep --as-of`) never urge one stage
twice at the same level; an order a person is changing right now is skipped and picked up by
the next run. Each clock is its own transaction, so a sweep killed half-way leaves every
clock either fully handled or untouched.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kefu.accounts.models import Department, DepartmentKind, User
from kefu.accounts.roles import Role
from kefu.core.calendar import BEIJING
from kefu.core.policy import AlertLevel, active_policy
from kefu.core.vocabulary import ClockKind, RequestType
from kefu.outbox.models import MessageChannel
from kefu.outbox.services import queue_message
from kefu.tickets.clocks import level_time, schedule_next_alert
from kefu.tickets.models import Clock, ClockStatus, OrderEvent, WorkOrder

log = logging.getLogger(__name__)


@dataclass
class SweepResult:
    clocks: int = 0  # clocks that reached at least one level
    levels: int = 0  # levels reached in all
    overtime: int = 0  # clocks that ran out
    skipped: int = 0  # busy orders, left for the next run


def sweep(*, as_of: dt.datetime | None = None, batch_size: int = 500) -> SweepResult:
    """Handle every running clock whose next warning level lies before `as_of`."""
    now = timezone.now()
    as_of = as_of or now
    if as_of > now:
        raise ValueError("a sweep cannot run for an instant in the future")
    result = SweepResult()
    last_id = 0
    while True:
        ids = list(
            Clock.objects.filter(status=ClockStatus.OPEN, next_alert_at__lt=as_of, id__gt=last_id)
            .order_by("id")
            .values_list("id", flat=True)[:batch_size]
        )
        if not ids:
            break
        for clock_id in ids:
            _handle(clock_id, as_of, result)
        last_id = ids[-1]
    if result.levels:
        log.info(
            "sweep as of %s: %s levels on %s clocks, %s overtime, %s skipped",
            as_of.isoformat(),
            result.levels,
            result.clocks,
            result.overtime,
            result.skipped,
        )
    return result


def _handle(clock_id: int, as_of: dt.datetime, result: SweepResult) -> None:
    levels = active_policy().supervision.levels
    with transaction.atomic():
        order_id = Clock.objects.filter(pk=clock_id).values_list("order_id", flat=True).first()
        if order_id is None:
            return
        # Lock the order first, as the services do; an order being changed now waits a run.
        order = WorkOrder.objects.select_for_update(skip_locked=True).filter(pk=order_id).first()
        if order is None:
            result.skipped += 1
            return
        clock = Clock.objects.select_related("department").get(pk=clock_id)
        if (
            clock.status != ClockStatus.OPEN
            or clock.next_alert_at is None
            or clock.next_alert_at >= as_of
        ):
            return  # stopped, paused, or handled since the list was read
        reached = [
            i for i in range(clock.urge_level, len(levels)) if level_time(clock, levels[i]) < as_of
        ]
        if not reached:
            return
        old_level = clock.urge_level
        clock.urge_level = reached[-1] + 1
        ran_out = any(levels[i].overtime for i in reached)
        clock.late = clock.late or ran_out
        schedule_next_alert(clock)
        claimed = Clock.objects.filter(
            pk=clock.pk, urge_level=old_level, status=ClockStatus.OPEN
        ).update(urge_level=clock.urge_level, next_alert_at=clock.next_alert_at, late=clock.late)
        if not claimed:
            return  # another sweep took this level
        now = timezone.now()
        for index in reached:
            level = levels[index]
            at = level_time(clock, level)
            OrderEvent.objects.create(
                order=order,
                kind="urged" if level.share is None or level.share >= 1 else "warned",
                actor=None,
                department=clock.department,
                occurred_at=at,
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
        if ran_out:
            WorkOrder.objects.filter(pk=order.pk).update(is_late=True, version=F("version") + 1)
            result.overtime += 1
        _notify(order, clock, levels[reached[-1]], now)
        result.clocks += 1
        result.levels += len(reached)


def _recipients(clock: Clock, level: AlertLevel) -> tuple[list[Department], list[User]]:
    departments: list[Department] = []
    users: list[User] = []
    for who in level.notify:
        if who == "holder":
            holder = (
                clock.department
                or Department.objects.filter(kind=DepartmentKind.CENTER, active=True).first()
            )
            if holder is not None:
                departments.append(holder)
        else:
            role = Role.SHIFT_LEADER if who == "shift_leader" else Role.SUPERVISOR
            users.extend(User.objects.filter(role=role, is_active=True))
    return departments, users


def _notify(order: WorkOrder, clock: Clock, level: AlertLevel, now: dt.datetime) -> None:
    """In-app messages to the holder and the people the level names; SMS to the holder."""
    deadline = clock.deadline.astimezone(BEIJING).strftime("%m-%d %H:%M") if clock.deadline else ""
    text = (
        f"【{level.label}】工单 {order.number}({RequestType(order.request_type).label})"
        f"{ClockKind(clock.kind).label}时限 {deadline},请尽快处理。"
    )
    departments, users = _recipients(clock, level)
    for department in departments:
        queue_message(
            channel=MessageChannel.IN_APP,
            kind=level.name,
            body=text,
            to_department=department,
            order=order,
            at=now,
        )
        if department.phone:
            queue_message(
                channel=MessageChannel.SMS,
                kind=level.name,
                body=text,
                to_department=department,
                address=department.phone,
                order=order,
                at=now,
            )
    for user in users:
        queue_message(
            channel=MessageChannel.IN_APP,
            kind=level.name,
            body=text,
            to_user=user,
            order=order,
            at=now,
        )
