"""The supervision sweep (监督催办): every running clock past its next warning level is
warned, urged or escalated, once per level, with its events and messages.

Clocks are handled in batches, each one transaction: the batch's orders are locked first
(as every service locks an order before touching its clocks), skipping orders someone is
changing right now; the clocks are re-read under those locks, their new levels written, and
the events, overtime flags and messages written set-based (one statement each: an UPDATE
joined to the new levels, a COPY of the events and of the messages). So two sweeps at once (two
workers, or a worker and `kefu sweep --as-of`) never urge one stage twice at the same level,
and a sweep killed half-way leaves each batch either fully done or untouched.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language

from kefu.accounts.models import Department, DepartmentKind, User
from kefu.accounts.roles import Role
from kefu.core.bulk import insert_rows
from kefu.core.calendar import BEIJING
from kefu.core.policy import AlertLevel, active_policy
from kefu.core.vocabulary import ClockKind, RequestType
from kefu.outbox.models import Message, MessageChannel
from kefu.tickets.clocks import level_time
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
    departments: dict[int, Department]
    by_role: dict[str, list[User]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> _Recipients:
        departments = {d.pk: d for d in Department.objects.all()}
        center = next(
            (d for d in departments.values() if d.kind == DepartmentKind.CENTER and d.active),
            None,
        )
        users = list(
            User.objects.filter(role__in=[Role.SHIFT_LEADER, Role.SUPERVISOR], is_active=True)
        )
        return cls(
            center,
            departments,
            {
                "shift_leader": [u for u in users if u.role == Role.SHIFT_LEADER],
                "supervisor": [u for u in users if u.role == Role.SUPERVISOR],
            },
        )

    def department(self, department_id: int | None) -> Department | None:
        """The clock's holder, or the center for the center's own clocks."""
        if department_id is None:
            return self.center
        return self.departments.get(department_id) or self.center


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


@dataclass(slots=True)
class _DueClock:
    """A running clock as the sweep reads it: the columns it needs, no model instance (a
    batch reads thousands)."""

    id: int
    order_id: int
    kind: str
    round: int
    department_id: int | None
    effective_start: dt.datetime
    effective_amount: int
    effective_unit: str
    deadline: dt.datetime
    urge_level: int
    late: bool
    order_number: str
    request_type: str
    next_alert_at: dt.datetime | None = None


_DUE_COLUMNS = (
    "id",
    "order_id",
    "kind",
    "round",
    "department_id",
    "effective_start",
    "effective_amount",
    "effective_unit",
    "deadline",
    "urge_level",
    "late",
    "order__number",
    "order__request_type",
)


def _handle_batch(
    due: list[tuple[int, int]], as_of: dt.datetime, result: SweepResult, recipients: _Recipients
) -> None:
    """One batch in one transaction: lock, read the clocks as plain rows, work out the levels
    in memory, then write everything set-based (one UPDATE of the clocks, one COPY of the
    events, one of the messages, one UPDATE of the orders that ran out)."""
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
        clocks = [
            _DueClock(*row)
            for row in Clock.objects.filter(
                pk__in=[c for c, o in due if o in locked],
                status=ClockStatus.OPEN,
                next_alert_at__lt=as_of,
            )
            .order_by("id")
            .values_list(*_DUE_COLUMNS)
        ]
        now = timezone.now()
        events: list[dict[str, object]] = []
        messages: list[dict[str, object]] = []
        changed: list[_DueClock] = []
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
            clock.next_alert_at = (
                level_time(clock, levels[clock.urge_level])
                if clock.urge_level < len(levels)
                else None
            )
            changed.append(clock)
            events.extend(_event(clock, levels[i], i, now) for i in reached)
            messages.extend(_messages(clock, levels[reached[-1]], now, recipients))
            result.levels += len(reached)
        _write_levels(changed)
        insert_rows(OrderEvent, events)
        insert_rows(Message, messages)
        if ran_out:
            WorkOrder.objects.filter(pk__in=ran_out).update(is_late=True, version=F("version") + 1)
        result.clocks += len(changed)
        result.overtime += sum(1 for c in changed if c.order_id in ran_out)


def _write_levels(clocks: list[_DueClock]) -> None:
    """The new levels of a batch's clocks: one set-based UPDATE on PostgreSQL (arrays
    unnested into a join), one prepared statement run per row on SQLite (no round trips)."""
    if not clocks:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                """UPDATE tickets_clock AS c
                   SET urge_level = v.urge_level, next_alert_at = v.next_alert_at, late = v.late
                   FROM unnest(%s::bigint[], %s::integer[], %s::timestamptz[], %s::boolean[])
                        AS v(id, urge_level, next_alert_at, late)
                   WHERE c.id = v.id""",
                [
                    [c.id for c in clocks],
                    [c.urge_level for c in clocks],
                    [c.next_alert_at for c in clocks],
                    [c.late for c in clocks],
                ],
            )
            return
        adapt = connection.ops.adapt_datetimefield_value
        cursor.executemany(
            "UPDATE tickets_clock SET urge_level = %s, next_alert_at = %s, late = %s WHERE id = %s",
            [(c.urge_level, adapt(c.next_alert_at), c.late, c.id) for c in clocks],
        )


@functools.cache
def _words(kind: str, request_type: str, language: str | None) -> tuple[str, str]:
    """A clock kind's and a request type's names in `language`: looked up once, not once per
    event and message of a batch of thousands."""
    return str(ClockKind(kind).label), str(RequestType(request_type).label)


def _event(clock: _DueClock, level: AlertLevel, index: int, now: dt.datetime) -> dict[str, object]:
    before_deadline = level.share is not None and level.share < 1
    return {
        "order_id": clock.order_id,
        "kind": "warned" if before_deadline else "urged",
        "department_id": clock.department_id,
        "occurred_at": level_time(clock, level),
        "recorded_at": now,
        "note": f"{level.label}:{_words(clock.kind, clock.request_type, get_language())[0]}",
        "new": {
            "clock": clock.kind,
            "round": clock.round,
            "level": level.name,
            "level_index": index + 1,
            "overtime": level.overtime,
            "deadline": clock.deadline.isoformat(),
        },
    }


def _messages(
    clock: _DueClock, level: AlertLevel, now: dt.datetime, recipients: _Recipients
) -> list[dict[str, object]]:
    """In-app messages to the holder and the people the level names; SMS to the holder.

    Only the highest level reached is announced: after an outage nobody gets a flood.
    """
    deadline = clock.deadline.astimezone(BEIJING).strftime("%m-%d %H:%M")
    kind, request_type = _words(clock.kind, clock.request_type, get_language())
    text = (
        f"【{level.label}】工单 {clock.order_number}({request_type}){kind}时限 {deadline},"
        "请尽快处理。"
    )

    def message(**to: object) -> dict[str, object]:
        return {
            "kind": level.name,
            "body": text,
            "order_id": clock.order_id,
            "next_attempt_at": now,
            "created_at": now,
            **to,
        }

    out: list[dict[str, object]] = []
    for who in level.notify:
        if who == "holder":
            holder = recipients.department(clock.department_id)
            if holder is None:
                continue
            out.append(message(channel=MessageChannel.IN_APP, to_department_id=holder.pk))
            if holder.phone:
                out.append(
                    message(
                        channel=MessageChannel.SMS,
                        to_department_id=holder.pk,
                        address=holder.phone,
                    )
                )
        else:
            out.extend(
                message(channel=MessageChannel.IN_APP, to_user_id=user.pk)
                for user in recipients.by_role[who]
            )
    return out
