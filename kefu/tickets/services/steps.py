"""What a crew (or an application's department) reports as the work goes on."""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import User
from kefu.accounts.roles import HOLDERS, Role
from kefu.core.errors import (
    IllegalTransition,
    InvalidInput,
    PermissionDenied,
)
from kefu.core.vocabulary import ClockKind
from kefu.tickets import clocks
from kefu.tickets.models import WorkOrder
from kefu.tickets.receipts import held_rows, hold
from kefu.tickets.services.checks import (
    Common,
    authorize,
    beijing_text,
    lock_order,
    record_event,
    required_text,
    save_order,
    transition,
)
from kefu.tickets.signals import supply_restored

PHONE = re.compile(r"^[0-9+\-() ]{5,20}$")


def depart(
    *,
    actor: User,
    number: str,
    crew_leader: str,
    crew_phone: str,
    occurred_at: dt.datetime | None = None,
    version: int | None = None,
    note: str = "",
) -> WorkOrder:
    """The repair crew sets off, under a named leader the center can phone."""
    crew_leader = required_text(crew_leader, "crew_leader", _("the crew leader's name"))
    crew_phone = required_text(crew_phone, "crew_phone", _("the crew leader's phone"))
    if len(crew_leader) > 40:
        raise InvalidInput(
            _("the crew leader's name is at most 40 characters"), field="crew_leader"
        )
    if not PHONE.match(crew_phone):
        raise InvalidInput(
            _("%(value)s is not a phone number"), field="crew_phone", value=crew_phone
        )

    def apply(order: WorkOrder, when: dt.datetime) -> tuple[Common, Common]:
        return {}, {"crew_leader": crew_leader, "crew_phone": crew_phone}

    return transition(
        "depart",
        number=number,
        actor=actor,
        occurred_at=occurred_at,
        version=version,
        note=note,
        apply=apply,
    )


def arrive(
    *,
    actor: User,
    number: str,
    occurred_at: dt.datetime | None = None,
    version: int | None = None,
    note: str = "",
) -> WorkOrder:
    """到达现场: stops the arrival clock, starts the on-site report clocks (the crew's to the
    county center, and the county center's on to the city center)."""

    def apply(order: WorkOrder, when: dt.datetime) -> None:
        clocks.stop_clock(order, "arrival", when)
        clocks.start_clocks(order, [("onsite_report", order.holder), ("city_report", None)], when)

    return transition(
        "arrive",
        number=number,
        actor=actor,
        occurred_at=occurred_at,
        version=version,
        note=note,
        apply=apply,
    )


def _expected(order: WorkOrder, expected: dt.datetime | None, when: dt.datetime) -> str | None:
    """A new expected restoration: aware, not before the report that gives it."""
    if expected is None:
        return None
    if timezone.is_naive(expected):
        raise InvalidInput(
            _("%(name)s needs a time zone offset, e.g. +08:00"),
            field="expected_restoration",
            name="expected_restoration",
        )
    if expected < when:
        raise InvalidInput(
            _("the expected restoration %(expected)s is before %(when)s"),
            field="expected_restoration",
            expected=beijing_text(expected),
            when=beijing_text(when),
        )
    order.expected_restoration_at = expected.astimezone(dt.UTC)
    return order.expected_restoration_at.isoformat()


def report_on_site(
    *,
    actor: User,
    number: str,
    findings: str,
    expected_restoration: dt.datetime | None = None,
    occurred_at: dt.datetime | None = None,
    version: int | None = None,
) -> WorkOrder:
    """The crew's first report from site: cause, place, expected restoration."""
    findings = required_text(findings, "findings", _("the on-site findings"))

    def apply(order: WorkOrder, when: dt.datetime) -> tuple[Common, Common]:
        clocks.stop_clock(order, "onsite_report", when)
        return {}, {"expected_restoration": _expected(order, expected_restoration, when)}

    return transition(
        "onsite_report",
        number=number,
        actor=actor,
        occurred_at=occurred_at,
        version=version,
        note=findings,
        apply=apply,
    )


def update_estimate(
    *,
    actor: User,
    number: str,
    expected_restoration: dt.datetime,
    reason: str,
    occurred_at: dt.datetime | None = None,
    version: int | None = None,
) -> WorkOrder:
    """预计复电时间变更: the crew gives a new expected restoration, and why; every change is
    kept (the callers and the IVR are told the latest)."""
    reason = required_text(reason, "reason", _("why the expected restoration changes"))

    def apply(order: WorkOrder, when: dt.datetime) -> tuple[Common, Common]:
        before = order.expected_restoration_at
        after = _expected(order, expected_restoration, when)
        return {"expected_restoration": before.isoformat() if before else None}, {
            "expected_restoration": after
        }

    return transition(
        "update_estimate",
        number=number,
        actor=actor,
        occurred_at=occurred_at,
        version=version,
        note=reason,
        apply=apply,
    )


def report_to_city(
    *,
    actor: User,
    number: str,
    report: str,
    occurred_at: dt.datetime | None = None,
    version: int | None = None,
) -> WorkOrder:
    """The county center passes the on-site situation on to the city center (its own
    clock, 30 minutes from the crew's arrival in the county profile)."""
    report = required_text(report, "report", _("what was reported to the city center"))

    def apply(order: WorkOrder, when: dt.datetime) -> None:
        if any(e.kind == "reported_to_city" for e in hold(order, "events")):
            raise IllegalTransition(
                _("order %(number)s was reported to the city center already"),
                field="report",
                number=order.number,
            )
        clocks.stop_clock(order, "city_report", when)

    return transition(
        "report_to_city",
        number=number,
        actor=actor,
        occurred_at=occurred_at,
        version=version,
        note=report,
        apply=apply,
    )


def restore_supply(
    *,
    actor: User,
    number: str,
    fault: str,
    result: str,
    occurred_at: dt.datetime | None = None,
    version: int | None = None,
    note: str = "",
) -> WorkOrder:
    """送电: supply is back (and the fault incident the order carries, with every call),
    with the restoration report: what the fault was and what was done."""
    fault = required_text(fault, "fault", _("what the fault was"))
    result = required_text(result, "result", _("what was done"))

    def apply(order: WorkOrder, when: dt.datetime) -> tuple[Common, Common]:
        return {}, {"fault": fault, "result": result}

    with transaction.atomic():
        order = transition(
            "restore",
            number=number,
            actor=actor,
            occurred_at=occurred_at,
            version=version,
            note=note,
            apply=apply,
        )
        events = held_rows(order, "events") or list(order.events.filter(kind="restored"))
        when = max(e.occurred_at for e in events if e.kind == "restored")
        supply_restored.send(sender=WorkOrder, order=order, actor=actor, when=when)
    return order


APPLICATION_STEPS = ("supply_plan_replied", "inspection_passed", "energized")
APPLICATION_STEP_LABELS = {
    "supply_plan_replied": _("Supply plan replied"),
    "inspection_passed": _("Inspection passed"),
    "energized": _("Energized"),
}


def record_application_step(
    *,
    actor: User,
    number: str,
    step: str,
    occurred_at: dt.datetime | None = None,
    version: int | None = None,
    note: str = "",
) -> WorkOrder:
    """A statutory step of an application: supply plan replied, inspection passed, energized."""
    if step not in APPLICATION_STEPS:
        raise InvalidInput(
            _("step must be one of %(choices)s"),
            field="step",
            choices="、".join(str(APPLICATION_STEP_LABELS[s]) for s in APPLICATION_STEPS),
        )

    def apply(order: WorkOrder, when: dt.datetime) -> tuple[Common, Common]:
        done = set(order.events.filter(kind="application_step").values_list("new__step", flat=True))
        if step in done:
            raise IllegalTransition(
                _("%(step)s is already recorded"), field="step", step=APPLICATION_STEP_LABELS[step]
            )
        if step == "energized" and "inspection_passed" not in done:
            raise IllegalTransition(
                _("record the passed inspection before energizing"), field="step"
            )
        if step == "supply_plan_replied":
            clocks.stop_clock(order, "supply_plan", when)
        elif step == "inspection_passed":
            clocks.start_clock(order, "energize", when, order.holder)
        else:
            clocks.stop_clock(order, "energize", when)
        return {}, {"step": step}

    return transition(
        "application_step",
        number=number,
        actor=actor,
        occurred_at=occurred_at,
        version=version,
        note=note,
        apply=apply,
    )


def record_late_cause(
    *, actor: User, number: str, clock: str, cause: str, round: int | None = None
) -> WorkOrder:
    """超时原因: why a late stage was late, said by the department answering for it (the
    center for its own stages) and kept on the stage and in the order's log (003 ch. 2,
    item 7: the cause of every overrun is found out). Said again, it replaces the cause,
    the old one staying in the log."""
    authorize(actor, "late_cause")
    cause = required_text(cause, "cause", _("why the stage was late"))
    now = timezone.now()
    with transaction.atomic():
        order = lock_order(number, actor)
        late = [
            c
            for c in clocks.held(order)
            if c.kind == clock
            and (round is None or c.round == round)
            and (c.late or (c.status in clocks.RUNNING and c.deadline and c.deadline < now))
        ]
        if not late:
            raise InvalidInput(
                _("order %(number)s has no late %(stage)s stage"),
                field="clock",
                number=number,
                stage=ClockKind(clock).label if clock in ClockKind.values else clock,
            )
        stage = max(late, key=lambda c: c.round)
        role = Role(actor.role)
        answers = (
            actor.department_id == stage.department_id
            if stage.department_id is not None
            else role not in HOLDERS
        )
        if not answers:
            raise PermissionDenied(
                _("only the department answering for the stage says why it was late")
            )
        before = stage.late_cause
        stage.late_cause = cause
        stage.save(update_fields=["late_cause"])
        record_event(
            order,
            "late_cause",
            actor,
            max(now, order.last_event_at),
            note=cause,
            old={"cause": before} if before else {},
            new={"clock": stage.kind, "round": stage.round},
        )
        save_order(order, now)
    return order
