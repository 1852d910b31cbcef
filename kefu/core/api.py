"""Reference endpoints: who am I, departments, the policy in force, the calendar, alerts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from kefu.accounts.auth import request_user
from kefu.accounts.models import Department
from kefu.accounts.roles import ADMINISTERS, Role
from kefu.core.errors import InvalidInput, PermissionDenied
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


@router.get("/me", response=MeOut, summary="The authenticated user")
def me(request: HttpRequest) -> dict[str, Any]:
    user = request_user(request)
    return {
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "department": user.department.code if user.department else None,
    }


@router.get("/departments", response=list[DepartmentOut], summary="Departments")
def departments(request: HttpRequest) -> list[Department]:
    return list(Department.objects.filter(active=True).order_by("code"))


@router.get("/policy", summary="The service policy in force, readable")
def policy(request: HttpRequest) -> dict[str, Any]:
    return active_policy().summary()


@router.get(
    "/calendar/{year}",
    response={200: CalendarOut, 401: dict, 422: dict},
    summary="A year of the working-day calendar",
)
def calendar_year(request: HttpRequest, year: int) -> dict[str, Any]:
    if not 2000 <= year <= 2100:
        raise InvalidInput("year must be between 2000 and 2100", field="year")
    covered = CalendarYear.objects.filter(year=year).first()
    return {
        "year": year,
        "covered": covered is not None,
        "source": covered.source if covered else None,
        "days": list(CalendarDay.objects.filter(date__year=year).order_by("date")),
    }


@router.get(
    "/alerts",
    response={200: list[AlertOut], 401: dict, 403: dict},
    summary="Open alerts for administrators",
)
def alerts(request: HttpRequest) -> list[Alert]:
    if Role(request_user(request).role) not in ADMINISTERS:
        raise PermissionDenied("alerts are for administrators")
    return list(Alert.objects.filter(resolved_at=None))
