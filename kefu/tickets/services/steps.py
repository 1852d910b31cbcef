"""What a crew (or an application's department) reports as the work goes on."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import User
from kefu.core.errors import (
    IllegalTransition,
    InvalidInput,
)
from kefu.tickets import clocks
from kefu.tickets.models import WorkOrder
from kefu.tickets.receipts import held_rows
from kefu.tickets.services.checks import (
    Common,
    required_text,
    transition,
)
from kefu.tickets.signals import supply_restored


def depart(
    *,
    actor: User,
    number: str,
    occurred_at: dt.datetime | None = None,
    version: int | None = None,
    note: str = "",
) -> WorkOrder:
    """The repair crew sets off."""
    return transition(
        "depart",
        number=number,
        actor=actor,
        occurred_at=occurred_at,
        version=version,
        note=note,
        apply=lambda order, when: None,
    )


def arrive(
    *,
    actor: User,
    number: str,
    occurred_at: dt.datetime | None = None,
    version: int | None = None,
    note: str = "",
) -> WorkOrder:
    """到达现场: stops the arrival clock, starts the on-site report clock."""

    def apply(order: WorkOrder, when: dt.datetime) -> None:
        clocks.stop_clock(order, "arrival", when)
        clocks.start_clock(order, "onsite_report", when, order.holder)

    return transition(
        "arrive",
        number=number,
        actor=actor,
        occurred_at=occurred_at,
        version=version,
        note=note,
        apply=apply,
    )


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
        expected = expected_restoration.isoformat() if expected_restoration else None
        return {}, {"expected_restoration": expected}

    return transition(
        "onsite_report",
        number=number,
        actor=actor,
        occurred_at=occurred_at,
        version=version,
        note=findings,
        apply=apply,
    )


def restore_supply(
    *,
    actor: User,
    number: str,
    occurred_at: dt.datetime | None = None,
    version: int | None = None,
    note: str = "",
) -> WorkOrder:
    """送电: supply is back (and the fault incident the order carries, with every call)."""
    with transaction.atomic():
        order = transition(
            "restore",
            number=number,
            actor=actor,
            occurred_at=occurred_at,
            version=version,
            note=note,
            apply=lambda order, when: None,
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
