"""The department assessment over the API: prepare a period, read it (with what changed
since, once signed), sign it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema
from ninja.responses import Status

from kefu.accounts.auth import request_user
from kefu.accounts.roles import authorize_read
from kefu.assessment import services
from kefu.assessment.models import Assessment, AssessmentState
from kefu.core.api_errors import READ_ERRORS, WRITE_ERRORS
from kefu.core.errors import InvalidInput, NotFound
from kefu.core.schema_types import Note, Version

router = Router(tags=["assessment"])
AssessmentNumber = Annotated[
    str, Field(pattern=r"^KH\d{8}-\d{8}$", examples=["KH20260301-20260331"])
]


class PrepareIn(Schema):
    month: str | None = Field(None, pattern=r"^\d{4}-\d{2}$", description="A month: 2026-03")
    period_start: dt.date | None = Field(None, description="Or any period: its first day …")
    period_end: dt.date | None = Field(None, description="… and its last day")


class SignIn(Schema):
    version: Version | None = Field(None, description="The version you read")
    note: Note = ""


class AssessmentBriefOut(Schema):
    number: str
    period_start: dt.date
    period_end: dt.date
    state: str
    state_label: str
    profile: str
    computed_at: dt.datetime
    prepared_by: str
    signed_by: str | None
    signed_at: dt.datetime | None
    version: int


class UnitOut(Schema):
    code: str
    name: str
    score: str = Field(description="100 less the deductions, one decimal")
    grade: str = Field(description="excellent ≥ 90, pass 70–89.9, fail < 70 (the policy's)")
    deductions: dict[str, Any] = Field(description="Per kind: cases, points taken, capped")
    stages: dict[str, Any] = Field(description="Per clock: stages due in the period, late")
    dispatched: int
    acknowledged: int
    returned: int
    returned_late: int
    urged: int
    customer_urges: int
    rework: int
    called_back: int
    satisfied: int
    dissatisfied: int
    late_notices: int
    delay_minutes: int = Field(description="How long its late stages ran past their deadlines")


class DifferenceOut(Schema):
    code: str
    name: str
    changes: dict[str, Any] = Field(description="Figure → [as kept, as computed now]")


class AssessmentOut(AssessmentBriefOut):
    units: list[UnitOut]
    differences: list[DifferenceOut] | None = Field(
        description="Signed: what computing the period now gives differently (else null)"
    )


def _brief(a: Assessment) -> dict[str, Any]:
    return {
        "number": a.number,
        "period_start": a.period_start,
        "period_end": a.period_end,
        "state": a.state,
        "state_label": str(AssessmentState(a.state).label),
        "profile": a.profile,
        "computed_at": a.computed_at,
        "prepared_by": a.prepared_by.username,
        "signed_by": a.signed_by.username if a.signed_by else None,
        "signed_at": a.signed_at,
        "version": a.version,
    }


def _found(number: str) -> Assessment:
    found = (
        Assessment.objects.select_related("prepared_by", "signed_by").filter(number=number).first()
    )
    if found is None:
        raise NotFound(_("no assessment %(number)s"), field="number", number=number)
    return found


def _full(a: Assessment) -> dict[str, Any]:
    signed = a.state == AssessmentState.SIGNED
    return {**_brief(a), "units": a.units, "differences": services.compare(a) if signed else None}


@router.get("", response={200: list[AssessmentBriefOut], **READ_ERRORS}, summary="Assessments")
def list_assessments(request: HttpRequest) -> list[dict[str, Any]]:
    authorize_read(request_user(request), "assessment")
    found = Assessment.objects.select_related("prepared_by", "signed_by")[:100]
    return [_brief(a) for a in found]


@router.post(
    "",
    response={201: AssessmentOut, **WRITE_ERRORS},
    summary="编制 Prepare a period's assessment (again, until it is signed)",
)
def prepare(request: HttpRequest, payload: PrepareIn) -> Status[dict[str, Any]]:
    if payload.month:
        start, end = services.month(payload.month)
    elif payload.period_start and payload.period_end:
        start, end = payload.period_start, payload.period_end
    else:
        raise InvalidInput(_("give a month, or the period's first and last day"), field="month")
    made = services.prepare_assessment(actor=request_user(request), start=start, end=end)
    return Status(201, _full(_found(made.number)))


@router.get(
    "/{number}",
    response={200: AssessmentOut, **READ_ERRORS},
    summary="An assessment: every unit's figures, deductions, score and grade",
)
def get_assessment(request: HttpRequest, number: AssessmentNumber) -> dict[str, Any]:
    authorize_read(request_user(request), "assessment")
    return _full(_found(number))


@router.post(
    "/{number}/sign",
    response={200: AssessmentOut, **WRITE_ERRORS},
    summary="审核签字 The assessor signs: the assessment is kept as signed",
)
def sign(request: HttpRequest, payload: SignIn, number: AssessmentNumber) -> dict[str, Any]:
    services.sign_assessment(
        actor=request_user(request), number=number, version=payload.version, note=payload.note
    )
    return _full(_found(number))
