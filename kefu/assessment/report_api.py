"""The monthly service report over the API: prepare a month, read it (figures, hot spots,
analysis, follow-up, last month's plan), write the follow-up, issue it. The PDF is the
page's (`pdf` in the answer)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema
from ninja.responses import Status

from kefu.accounts.auth import request_user
from kefu.accounts.roles import authorize_read
from kefu.assessment import reports
from kefu.assessment.models import ReportState, ServiceReport
from kefu.core.api_errors import READ_ERRORS, WRITE_ERRORS
from kefu.core.errors import NotFound
from kefu.core.schema_types import Prose, Version

router = Router(tags=["assessment"])
ReportNumber = Annotated[str, Field(pattern=r"^BG\d{6}$", examples=["BG202603"])]


class PrepareReportIn(Schema):
    month: str = Field(pattern=r"^\d{4}-\d{2}$", description="The month: 2026-03")


class FollowUpIn(Schema):
    """The parts given are written (an empty one clears it); those left out stay as they are."""

    version: Version | None = Field(None, description="The version you read")
    plan: Prose | None = None
    do: Prose | None = None
    check: Prose | None = Field(None, description="How last month's plan went")
    act: Prose | None = Field(None, description="What is kept or changed from it")


class IssueIn(Schema):
    version: Version | None = Field(None, description="The version you read")


class ReportBriefOut(Schema):
    number: str
    month: str = Field(description="2026-03")
    state: str
    state_label: str
    computed_at: dt.datetime
    prepared_by: str
    prepared_at: dt.datetime
    issued_by: str | None
    issued_at: dt.datetime | None
    version: int


class FollowUpOut(Schema):
    plan: str
    do: str
    check: str
    act: str


class ReportOut(ReportBriefOut):
    figures: dict[str, Any] = Field(
        description="Volumes by type, stages due and late, callbacks and satisfaction, "
        "urges, reworks, the center's measures, units with scores, hot spots, analysis"
    )
    follow_up: FollowUpOut
    previous_plan: str | None = Field(description="Last month's plan, which `check` answers")
    pdf: str = Field(description="Where the PDF is (the workstation's address)")


def _brief(r: ServiceReport) -> dict[str, Any]:
    return {
        "number": r.number,
        "month": f"{r.month_start:%Y-%m}",
        "state": r.state,
        "state_label": str(ReportState(r.state).label),
        "computed_at": r.computed_at,
        "prepared_by": r.prepared_by.username,
        "prepared_at": r.prepared_at,
        "issued_by": r.issued_by.username if r.issued_by else None,
        "issued_at": r.issued_at,
        "version": r.version,
    }


def _found(number: str) -> ServiceReport:
    found = ServiceReport.objects.select_related("prepared_by", "issued_by").filter(number=number)
    report = found.first()
    if report is None:
        raise NotFound(_("no report %(number)s"), field="number", number=number)
    return report


def _full(r: ServiceReport) -> dict[str, Any]:
    last = reports.previous(r)
    return {
        **_brief(r),
        "figures": r.figures,
        "follow_up": {
            "plan": r.follow_plan,
            "do": r.follow_do,
            "check": r.follow_check,
            "act": r.follow_act,
        },
        "previous_plan": last.follow_plan if last else None,
        "pdf": reverse("web:report-pdf", args=[r.number]),
    }


@router.get("", response={200: list[ReportBriefOut], **READ_ERRORS}, summary="Monthly reports")
def list_reports(request: HttpRequest) -> list[dict[str, Any]]:
    authorize_read(request_user(request), "assessment")
    found = ServiceReport.objects.select_related("prepared_by", "issued_by")[:120]
    return [_brief(r) for r in found]


@router.post(
    "",
    response={201: ReportOut, **WRITE_ERRORS},
    summary="编制 Prepare a month's service report (again, until it is issued)",
)
def prepare(request: HttpRequest, payload: PrepareReportIn) -> Status[dict[str, Any]]:
    made = reports.prepare_report(actor=request_user(request), month_text=payload.month)
    return Status(201, _full(_found(made.number)))


@router.get(
    "/{number}",
    response={200: ReportOut, **READ_ERRORS},
    summary="A monthly service report: its figures, analysis and follow-up",
)
def get_report(request: HttpRequest, number: ReportNumber) -> dict[str, Any]:
    authorize_read(request_user(request), "assessment")
    return _full(_found(number))


@router.post(
    "/{number}/follow-up",
    response={200: ReportOut, **WRITE_ERRORS},
    summary="The supervisor writes the follow-up: plan, do, check, act",
)
def follow_up(request: HttpRequest, payload: FollowUpIn, number: ReportNumber) -> dict[str, Any]:
    reports.write_follow_up(
        actor=request_user(request),
        number=number,
        follow_up=reports.FollowUp(
            plan=payload.plan, do=payload.do, check=payload.check, act=payload.act
        ),
        version=payload.version,
    )
    return _full(_found(number))


@router.post(
    "/{number}/issue",
    response={200: ReportOut, **WRITE_ERRORS},
    summary="签发 The supervisor issues the report: it is kept as issued",
)
def issue(request: HttpRequest, payload: IssueIn, number: ReportNumber) -> dict[str, Any]:
    reports.issue_report(actor=request_user(request), number=number, version=payload.version)
    return _full(_found(number))
