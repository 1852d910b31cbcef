"""Starting, stopping, pausing and recomputing an order's clocks.

Called only from the services, inside their transaction. A clock is late when its event
comes after its deadline; a clock voided by another event (an order acknowledged instead of
returned, a holder replaced after a return) keeps whatever lateness it had run up. Every
running clock also knows when it reaches the policy's next warning level (`next_alert_at`),
which is what the supervision sweep looks for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol

from django.db.models import F
from django.utils import timezone

from kefu.accounts.models import Department
from kefu.core.bulk import insert_objects
from kefu.core.calendar import (
    beijing_date,
    end_of_day,
    nth_working_day_after,
    working_days_between,
)
from kefu.core.calendar_loading import alert_missing_years
from kefu.core.limits import Deadline, Limit, Unit, deadline_after
from kefu.core.policy import AlertLevel, active_policy
from kefu.core.vocabulary import ClockKind
from kefu.tickets.models import Clock, ClockStatus, OrderEvent, WorkOrder
from kefu.tickets.receipts import hold

RUNNING = (ClockStatus.OPEN, ClockStatus.PAUSED)
#: Clocks of the department holding the order: they start afresh with each new holder.
HOLDER_CLOCKS = frozenset({"return", "arrival", "onsite_report", "department_answer"})
#: Windows that grant a permission rather than set a task ("if it is not yours, return it
#: within 5 minutes"): never urged, never overdue, never the order's next deadline; only a
#: return made after the window is late.
PERMISSION_CLOCKS = frozenset({"return"})


def _deadline(start: dt.datetime, limit: Limit) -> Deadline:
    deadline = deadline_after(start, limit)
    if deadline.provisional:
        alert_missing_years(deadline.missing_years)
    return deadline


def _share_of_working_days(start: dt.datetime, days: int, share: float) -> dt.datetime:
    """When `share` of a limit of `days` working days has run: the working days counted from
    the day after `start`, each a whole day, weekends and holidays skipped."""
    whole, part = divmod(share * days, 1)
    if part == 0:
        return end_of_day(nth_working_day_after(beijing_date(start), int(whole)).day)
    day = nth_working_day_after(beijing_date(start), int(whole) + 1).day
    return end_of_day(day - dt.timedelta(days=1)) + dt.timedelta(days=part)


class Timed(Protocol):
    """What the warning levels of a running clock are computed from: a Clock, or the
    sweep's lighter row."""

    @property
    def deadline(self) -> dt.datetime | None: ...
    @property
    def effective_start(self) -> dt.datetime: ...
    @property
    def effective_amount(self) -> int: ...
    @property
    def effective_unit(self) -> str: ...


def level_time(clock: Timed, level: AlertLevel) -> dt.datetime:
    """When a running clock reaches `level`: a share of its limit's own time (working time for
    a working-day limit), or a time past its deadline."""
    assert clock.deadline is not None
    if level.share is not None:
        if Unit(clock.effective_unit) is Unit.WORKING_DAYS and clock.effective_amount > 0:
            at = _share_of_working_days(clock.effective_start, clock.effective_amount, level.share)
            return min(at, clock.deadline).astimezone(dt.UTC)
        return clock.effective_start + (clock.deadline - clock.effective_start) * level.share
    assert level.after_deadline is not None
    return clock.deadline + dt.timedelta(minutes=level.after_deadline.amount)


def schedule_next_alert(clock: Clock) -> None:
    """Set when the clock reaches its next warning level (None: paused, stopped, or all done)."""
    levels = active_policy().supervision.levels
    if (
        clock.status != ClockStatus.OPEN
        or clock.kind in PERMISSION_CLOCKS
        or clock.deadline is None
        or clock.urge_level >= len(levels)
    ):
        clock.next_alert_at = None
    else:
        clock.next_alert_at = level_time(clock, levels[clock.urge_level])


def new_clock(
    order: WorkOrder,
    kind: str,
    at: dt.datetime,
    department: Department | None = None,
    *,
    round: int = 1,
) -> Clock | None:
    """An unsaved clock of `kind` if the policy sets a limit for it on this order."""
    limit = active_policy().limit_for(order.request_type, kind, order.selectors())
    if limit is None:
        return None
    deadline = _deadline(at, limit)
    clock = Clock(
        order=order,
        kind=kind,
        department=department,
        round=round,
        started_at=at,
        limit_amount=limit.amount,
        limit_unit=limit.unit.value,
        effective_start=at,
        effective_amount=limit.amount,
        effective_unit=limit.unit.value,
        deadline=deadline.at.astimezone(dt.UTC),
        provisional=deadline.provisional,
    )
    schedule_next_alert(clock)
    return clock


def held(order: WorkOrder) -> list[Clock]:
    """The order's clocks, read once per transaction and kept on the order: every function
    here works on this list (changing a clock saves it), new clocks join it, and the order's
    summary and the API's answer are computed from it without reading them back."""
    rows: list[Clock] = hold(order, "clocks")
    return rows


def _latest(clocks: Iterable[Clock]) -> Clock | None:
    return max(clocks, key=lambda c: c.round, default=None)


def start_clock(
    order: WorkOrder, kind: str, at: dt.datetime, department: Department | None = None
) -> Clock | None:
    """Start `kind` (its next round) if the policy sets a limit for it on this order."""
    started = start_clocks(order, [(kind, department)], at)
    return started[0] if started else None


def start_clocks(
    order: WorkOrder, kinds: Iterable[tuple[str, Department | None]], at: dt.datetime
) -> list[Clock]:
    """Start each (kind, department) the policy sets a limit for: one INSERT for all."""
    started = []
    for kind, department in kinds:
        previous = _latest(c for c in held(order) if c.kind == kind)
        round_ = previous.round + 1 if previous else 1
        clock = new_clock(order, kind, at, department, round=round_)
        if clock is not None:
            started.append(clock)
    insert_objects(started)
    held(order).extend(started)
    return started


def summarize(order: WorkOrder, clocks: Iterable[Clock]) -> None:
    """The order's summary columns from clocks in hand (a new order's, say): no query."""
    clocks = list(clocks)
    running = [
        c.deadline
        for c in clocks
        if c.status == ClockStatus.OPEN and c.kind not in PERMISSION_CLOCKS and c.deadline
    ]
    order.next_deadline = min(running, default=None)
    order.is_late = any(c.late for c in clocks)


def running(order: WorkOrder, kinds: Iterable[str]) -> list[Clock]:
    wanted = set(kinds)
    return [c for c in held(order) if c.kind in wanted and c.status in RUNNING]


def stop_clock(order: WorkOrder, kind: str, at: dt.datetime) -> Clock | None:
    """The clock's event happened at `at`: done, and late if after the deadline."""
    clock = _latest(running(order, [kind]))
    if clock is None:
        return None
    clock.status = ClockStatus.DONE
    clock.stopped_at = at
    # Judged by when the event happened: one reported after the fact may still be on time,
    # unless the sweep already urged it as overtime (nothing was received by the deadline;
    # the county measures count that, and the reported time stays on the clock beside it).
    clock.late = (clock.deadline is not None and at > clock.deadline) or urged_overtime(clock)
    clock.next_alert_at = None
    clock.save(update_fields=["status", "stopped_at", "late", "next_alert_at"])
    return clock


def void_clocks(order: WorkOrder, kinds: Iterable[str], at: dt.datetime) -> None:
    """Clocks that no longer apply; time already overrun still counts against them."""
    for clock in running(order, kinds):
        clock.status = ClockStatus.VOID
        clock.stopped_at = at
        if clock.kind != "return":  # acknowledging instead of returning is never late
            clock.late = clock.late or (clock.deadline is not None and at > clock.deadline)
        clock.next_alert_at = None
        clock.save(update_fields=["status", "stopped_at", "late", "next_alert_at"])


def void_all(order: WorkOrder, at: dt.datetime) -> None:
    void_clocks(order, ClockKind.values, at)


def reopen_clock(order: WorkOrder, kind: str) -> Clock | None:
    """A reply sent back for rework: the customer-facing clock runs on to its old deadline."""
    clock = _latest(c for c in held(order) if c.kind == kind and c.status == ClockStatus.DONE)
    if clock is None:
        return None
    clock.status = ClockStatus.OPEN
    clock.stopped_at = None
    schedule_next_alert(clock)
    clock.save(update_fields=["status", "stopped_at", "next_alert_at"])
    return clock


def _remaining(clock: Clock, at: dt.datetime) -> tuple[int, Unit]:
    """What is left of a calendar-day clock paused on `at`'s day, in whole days."""
    assert clock.deadline is not None
    last_day = beijing_date(clock.deadline - dt.timedelta(microseconds=1))
    pause_day = beijing_date(at)
    if Unit(clock.effective_unit) is Unit.WORKING_DAYS:
        return working_days_between(pause_day, last_day), Unit.WORKING_DAYS
    # Calendar days and months both continue as calendar days.
    return max((last_day - pause_day).days, 0), Unit.DAYS


def pause_clocks(order: WorkOrder, kinds: Iterable[str], at: dt.datetime) -> list[Clock]:
    """Stop the named running clocks from counting; a clock already overrun stays running."""
    paused = []
    wanted = set(kinds)
    for clock in [c for c in held(order) if c.kind in wanted and c.status == ClockStatus.OPEN]:
        if clock.deadline is not None and at >= clock.deadline:
            continue
        if Unit(clock.effective_unit).on_calendar:
            clock.effective_amount, unit = _remaining(clock, at)
            clock.effective_unit = unit.value
        clock.status = ClockStatus.PAUSED
        clock.paused_at = at
        clock.deadline = None
        clock.next_alert_at = None
        clock.save()
        paused.append(clock)
    return paused


def resume_clocks(order: WorkOrder, at: dt.datetime) -> list[Clock]:
    """Paused clocks count again: minutes keep what was left, day limits restart from today."""
    resumed = []
    for clock in [c for c in held(order) if c.status == ClockStatus.PAUSED]:
        assert clock.paused_at is not None
        if Unit(clock.effective_unit).on_calendar:
            clock.effective_start = at
        else:
            clock.effective_start = clock.effective_start + (at - clock.paused_at)
        deadline = _deadline(clock.effective_start, clock.effective_limit)
        clock.deadline, clock.provisional = deadline.at.astimezone(dt.UTC), deadline.provisional
        clock.status = ClockStatus.OPEN
        clock.paused_at = None
        schedule_next_alert(clock)
        clock.save()
        resumed.append(clock)
    return resumed


def refresh_order_deadline(order: WorkOrder) -> None:
    """Keep the order's summary columns (next deadline, late) in step with its clocks."""
    summarize(order, held(order))


def hand_to(order: WorkOrder, kinds: Iterable[str], department: Department) -> None:
    """The running clocks of `kinds` are now `department`'s to answer."""
    for clock in running(order, kinds):
        clock.department = department
        clock.save(update_fields=["department"])


def recompute_provisional_clocks(years: set[int]) -> int:
    """After a calendar year is loaded: recompute every deadline that had to guess it.

    Finished stages too: one judged late against the guess is judged again against the
    real calendar (a stage urged as overtime stays overtime: the urge went out). Each
    recomputed clock gets an event on its order.
    """
    count = 0
    provisional = (
        Clock.objects.filter(provisional=True)
        .exclude(status=ClockStatus.PAUSED)  # a paused clock has no deadline until it resumes
        .select_related("order")
    )
    now = timezone.now()
    for clock in provisional:
        deadline = deadline_after(clock.effective_start, clock.effective_limit)
        old_deadline, old_late = clock.deadline, clock.late
        clock.deadline, clock.provisional = deadline.at.astimezone(dt.UTC), deadline.provisional
        if clock.status == ClockStatus.OPEN:
            schedule_next_alert(clock)
        elif clock.stopped_at is not None:
            voided_return = clock.status == ClockStatus.VOID and clock.kind == "return"
            clock.late = not voided_return and (
                urged_overtime(clock) or clock.stopped_at > deadline.at
            )
        clock.save(update_fields=["deadline", "provisional", "next_alert_at", "late"])
        order = clock.order
        refresh_order_deadline(order)
        WorkOrder.objects.filter(pk=order.pk).update(
            next_deadline=order.next_deadline, is_late=order.is_late, version=F("version") + 1
        )
        OrderEvent.objects.create(
            order=order,
            kind="deadline_recomputed",
            actor=None,
            occurred_at=now,
            recorded_at=now,
            note=f"calendar loaded for {sorted(years)}",
            old={
                "clock": clock.kind,
                "deadline": old_deadline.isoformat() if old_deadline else None,
                "late": old_late,
                "provisional": True,
            },
            new={
                "clock": clock.kind,
                "deadline": deadline.at.isoformat(),
                "late": clock.late,
                "provisional": deadline.provisional,
            },
        )
        count += 1
    return count


def urged_overtime(clock: Clock) -> bool:
    """Whether the sweep reached the policy's overtime level on this clock: the answer was
    not received in time, whatever time of occurrence is reported for it later."""
    reached = active_policy().supervision.levels[: clock.urge_level]
    return any(level.overtime for level in reached)
