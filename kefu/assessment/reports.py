"""Every change of a monthly service report: prepared (again, until issued) by the service
team, its follow-up written by the supervisor, issued by the supervisor. Each is one
transaction with its event; an issued report is kept as it was issued."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import User
from kefu.assessment.models import ReportState, ServiceReport, ServiceReportEvent
from kefu.assessment.report_figures import month_figures
from kefu.assessment.services import month
from kefu.core.calendar import BEIJING
from kefu.core.errors import Conflict, IllegalTransition, InvalidInput, NotFound
from kefu.tickets.services.checks import authorize

FOLLOW_UP = ("follow_plan", "follow_do", "follow_check", "follow_act")


@dataclass(frozen=True)
class FollowUp:
    """PDCA: the plan for what the month showed, what was done, how last month's plan went
    (checked), and what is kept or changed from it (act). None: as it is."""

    plan: str | None = None
    do: str | None = None
    check: str | None = None
    act: str | None = None


def previous(report: ServiceReport) -> ServiceReport | None:
    """Last month's report: its plan is what this month's check looks at."""
    first = (report.month_start - dt.timedelta(days=1)).replace(day=1)
    return ServiceReport.objects.filter(month_start=first).first()


def prepare_report(*, actor: User, month_text: str) -> ServiceReport:
    """The month's report with its figures as of now (again, if not issued yet)."""
    authorize(actor, "prepare_report")
    start, end = month(month_text)
    now = timezone.now()
    if start > now.astimezone(BEIJING).date():
        raise InvalidInput(_("the month has not begun"), field="month")
    figures = month_figures(start, end, now)
    with transaction.atomic():
        report = ServiceReport.objects.select_for_update().filter(month_start=start).first()
        if report is None:
            report = ServiceReport.objects.create(
                number=f"BG{start:%Y%m}",
                month_start=start,
                month_end=end,
                figures=figures,
                computed_at=now,
                prepared_by=actor,
                prepared_at=now,
            )
            kind = "prepared"
        else:
            if report.state == ReportState.ISSUED:
                raise IllegalTransition(
                    _("report %(number)s is issued: it is kept as it was issued"),
                    field="month",
                    number=report.number,
                )
            report.figures = figures
            report.computed_at = report.prepared_at = now
            report.prepared_by = actor
            report.version += 1
            report.save()
            kind = "prepared_again"
        ServiceReportEvent.record(kind, actor, now, new={"total": figures["total"]}, report=report)
    return report


def _locked(number: str, version: int | None) -> ServiceReport:
    report = ServiceReport.objects.select_for_update().filter(number=number).first()
    if report is None:
        raise NotFound(_("no report %(number)s"), field="number", number=number)
    if version is not None and version != report.version:
        raise Conflict(
            _(
                "report %(number)s was changed since you read it (version %(version)s, now "
                "%(now)s); read it again"
            ),
            field="version",
            number=number,
            version=version,
            now=report.version,
        )
    if report.state == ReportState.ISSUED:
        raise IllegalTransition(
            _("report %(number)s is issued: it is kept as it was issued"),
            field="state",
            number=number,
        )
    return report


def write_follow_up(
    *, actor: User, number: str, follow_up: FollowUp, version: int | None = None
) -> ServiceReport:
    """The supervisor writes (or rewrites) the follow-up; what changed is the event's."""
    authorize(actor, "write_follow_up")
    now = timezone.now()
    said = (follow_up.plan, follow_up.do, follow_up.check, follow_up.act)
    given = {k: v for k, v in zip(FOLLOW_UP, said, strict=True) if v is not None}
    with transaction.atomic():
        report = _locked(number, version)
        old = {k: getattr(report, k) for k in given if getattr(report, k) != given[k]}
        new = {k: given[k] for k in old}
        if not new:
            return report
        for name, value in new.items():
            setattr(report, name, value)
        report.version += 1
        report.save()
        ServiceReportEvent.record("follow_up", actor, now, old=old, new=new, report=report)
    return report


def issue_report(*, actor: User, number: str, version: int | None = None) -> ServiceReport:
    """签发: the report as it stands is issued; from then on it is kept."""
    authorize(actor, "issue_report")
    now = timezone.now()
    with transaction.atomic():
        report = _locked(number, version)
        if not report.follow_up_plan_written():
            raise InvalidInput(
                _("write the follow-up plan before issuing the report"), field="plan"
            )
        report.state = ReportState.ISSUED
        report.issued_by = actor
        report.issued_at = now
        report.version += 1
        report.save()
        ServiceReportEvent.record(
            "issued", actor, now, new={"version": report.version}, report=report
        )
    return report
