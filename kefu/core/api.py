"""Reference endpoints: who am I, departments, the policy in force, the calendar, alerts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema

from kefu.accounts.auth import request_user
from kefu.accounts.models import Department
from kefu.accounts.roles import authorize_read
from kefu.core.api_errors import READ_ERRORS
from kefu.core.errors import InvalidInput
from kefu.core.models import Alert, CalendarDay, CalendarYear
from kefu.core.policy import active_policy

router = Router(tags=["reference"])


class MeOut(Schema):
    username: str
    full_name: str
    role: str
    department: str | None


class DepartmentOut(Schema):
    code: str
    name: str
    kind: str


class DayOut(Schema):
    date: dt.date
    kind: str
    is_working_day: bool
    name: str


class CalendarOut(Schema):
    year: int
    covered: bool
    source: str | None
    days: list[DayOut]


class AlertOut(Schema):
    kind: str
    message: str
    created_at: dt.datetime
    resolved_at: dt.datetime | None


@router.get("/me", response={200: MeOut, **READ_ERRORS}, summary="The authenticated user")
def me(request: HttpRequest) -> dict[str, Any]:
    user = request_user(request)
    return {
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "department": user.department.code if user.department else None,
    }


@router.get(
    "/departments", response={200: list[DepartmentOut], **READ_ERRORS}, summary="Departments"
)
def departments(request: HttpRequest) -> list[Department]:
    authorize_read(request_user(request), "reference")
    return list(Department.objects.filter(active=True).order_by("code"))


@router.get(
    "/policy",
    response={200: dict[str, Any], **READ_ERRORS},
    summary="The service policy in force, readable",
)
def policy(request: HttpRequest) -> dict[str, Any]:
    authorize_read(request_user(request), "reference")
    return active_policy().summary()


@router.get(
    "/calendar/{year}",
    response={200: CalendarOut, **READ_ERRORS},
    summary="A year of the working-day calendar",
)
def calendar_year(request: HttpRequest, year: int) -> dict[str, Any]:
    authorize_read(request_user(request), "reference")
    if not 2000 <= year <= 2100:
        raise InvalidInput(_("year must be between 2000 and 2100"), field="year")
    covered = CalendarYear.objects.filter(year=year).first()
    return {
        "year": year,
        "covered": covered is not None,
        "source": covered.source if covered else None,
        "days": list(CalendarDay.objects.filter(date__year=year).order_by("date")),
    }


@router.get(
    "/alerts",
    response={200: list[AlertOut], **READ_ERRORS},
    summary="Open alerts for administrators",
)
def alerts(request: HttpRequest) -> list[Alert]:
    authorize_read(request_user(request), "alerts")
    return list(Alert.objects.filter(resolved_at=None))
