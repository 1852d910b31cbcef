"""考核 The assessment pages: the periods assessed (and a month to prepare), one period's
table of units with their scores and grades, the cases behind each unit's deductions, the
assessor's signature, and the exports (Excel, CSV)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kefu.accounts.roles import ACTION_ROLES, Role
from kefu.assessment import exports, figures, services
from kefu.assessment.models import Assessment, AssessmentState
from kefu.assessment.scoring import Grade
from kefu.core.calendar import BEIJING
from kefu.core.errors import DomainError
from kefu.core.vocabulary import ClockKind, RequestType
from kefu.web import list_columns
from kefu.web.csv_export import csv_response, wants_csv
from kefu.web.errors import refused
from kefu.web.shortcuts import require_read, require_role

#: What each deduction is called where people read it.
DEDUCTIONS = {
    "late_stage": gettext_lazy("Late stages"),
    "late_return": gettext_lazy("Late returns"),
    "urge": gettext_lazy("Urged by the clock"),
    "customer_urge": gettext_lazy("Urged by customers"),
    "rework": gettext_lazy("Reworks"),
    "dissatisfied": gettext_lazy("Dissatisfied callbacks"),
    "late_notice": gettext_lazy("Late outage notices"),
}


class PrepareForm(forms.Form):
    month = forms.RegexField(
        label=gettext_lazy("Month"),
        regex=r"^\d{4}-\d{2}$",
        widget=forms.DateInput(attrs={"type": "month"}),
    )


def may_do(user: Any, action: str) -> bool:
    return Role(user.role) in ACTION_ROLES[action]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def assessments(request: HttpRequest) -> HttpResponseBase:
    user = require_read(request, "assessment")
    last_month = timezone.now().astimezone(BEIJING).date().replace(day=1) - dt.timedelta(days=1)
    form = PrepareForm(request.POST or None, initial={"month": f"{last_month:%Y-%m}"})
    listed = Assessment.objects.select_related("prepared_by", "signed_by")
    if request.method != "POST" and wants_csv(request):
        return csv_response(request, list_columns.ASSESSMENTS, listed)
    status = 200
    if request.method == "POST":
        if not may_do(user, "prepare_assessment"):
            raise Http404(_("No such page."))
        if form.is_valid():
            try:
                start, end = services.month(form.cleaned_data["month"])
                made = services.prepare_assessment(actor=user, start=start, end=end)
            except DomainError as exc:
                form.add_error("month", exc.localized())
                status = exc.status
            else:
                messages.success(
                    request, _("Assessment %(number)s prepared.") % {"number": made.number}
                )
                return redirect("web:assessment", number=made.number)
        else:
            status = 400
    return render(
        request,
        "web/assessments.html",
        {
            "assessments": listed[:60],
            "form": form if may_do(user, "prepare_assessment") else None,
        },
        status=status,
    )


def _found(number: str) -> Assessment:
    found = (
        Assessment.objects.select_related("prepared_by", "signed_by").filter(number=number).first()
    )
    if found is None:
        raise Http404(_("No such assessment."))
    return found


def _rows(assessment: Assessment) -> list[dict[str, Any]]:
    cols = exports.columns()
    return [
        {"unit": unit, "cells": [read(unit) for _header, read in cols]} for unit in assessment.units
    ]


def _to_assess(found: Assessment) -> list[dict[str, Any]]:
    """The units that lost points, the lowest first, with what they lost them for."""
    entries = []
    for unit in found.units:
        items = [
            (label, unit["deductions"][name]["cases"], unit["deductions"][name]["points"])
            for name, label in DEDUCTIONS.items()
            if unit["deductions"][name]["cases"]
        ]
        if items:
            entries.append({"unit": unit, "grade": Grade(unit["grade"]).label, "items": items})
    return entries


#: What a figure is called in the comparison with a signed assessment.
FIGURES = {
    "dispatched": gettext_lazy("Dispatched to it"),
    "acknowledged": gettext_lazy("Acknowledged"),
    "returned": gettext_lazy("Returned"),
    "returned_late": gettext_lazy("Returned late"),
    "urged": gettext_lazy("Urged by the clock"),
    "customer_urges": gettext_lazy("Urged by customers"),
    "rework": gettext_lazy("Reworks"),
    "called_back": gettext_lazy("Called back"),
    "satisfied": gettext_lazy("Satisfied"),
    "dissatisfied": gettext_lazy("Dissatisfied"),
    "late_notices": gettext_lazy("Late outage notices"),
    "delay_minutes": gettext_lazy("Delay caused (minutes)"),
    "score": gettext_lazy("Score"),
    "grade": gettext_lazy("Grade"),
}


def _differences(found: Assessment) -> list[dict[str, Any]]:
    """The comparison with the period computed now, in words."""
    shown = []
    for difference in services.compare(found):
        changes = []
        for name, (old, new) in difference["changes"].items():
            if name.startswith("stage:"):
                kind = name.split(":", 1)[1]
                label = _("%(stage)s due/late") % {"stage": ClockKind(kind).label}
                old = f"{old['due']}/{old['late']}" if old else None
                new = f"{new['due']}/{new['late']}" if new else None
            else:
                label = str(FIGURES.get(name, name))
                if name == "grade":
                    old = Grade(old).label if old else None
                    new = Grade(new).label if new else None
            changes.append((label, old, new))
        shown.append({"name": difference["name"], "changes": changes})
    return shown


@login_required
@require_safe
def assessment(request: HttpRequest, number: str) -> HttpResponse:
    user = require_read(request, "assessment")
    found = _found(number)
    signed = found.state == AssessmentState.SIGNED
    return render(
        request,
        "web/assessment.html",
        {
            "assessment": found,
            "title": exports.title(found),
            "status_line": exports.status_line(found),
            "headers": [header for header, _read in exports.columns()],
            "rows": _rows(found),
            "to_assess": _to_assess(found),
            "agents": [
                {
                    **agent,
                    "types": [(RequestType(t).label, n) for t, n in agent["by_type"].items()],
                }
                for agent in found.result.get("agents", [])
            ],
            "deductions": DEDUCTIONS,
            "differences": _differences(found) if signed else None,
            "may_sign": not signed and may_do(user, "sign_assessment"),
            "may_prepare": not signed and may_do(user, "prepare_assessment"),
        },
    )


@login_required
@require_safe
def assessment_unit(request: HttpRequest, number: str, code: str) -> HttpResponseBase:
    """The cases behind one unit's deductions, each order one click away."""
    require_read(request, "assessment")
    found = _found(number)
    unit = next((u for u in found.units if u["code"] == code), None)
    if unit is None:
        raise Http404(_("No such unit in this assessment."))
    start, end = services.period_bounds(found.period_start, found.period_end)
    # The page shows the first 200 cases of each deduction; the file has every one.
    limit = None if wants_csv(request) else 200
    cases = figures.behind(code, start, end, timezone.now(), limit=limit)
    if wants_csv(request):
        rows = [(DEDUCTIONS[name], case) for name in DEDUCTIONS for case in cases[name]]
        return csv_response(request, list_columns.DEDUCTION_CASES, rows, f"{number}-{code}")
    return render(
        request,
        "web/assessment_unit.html",
        {
            "assessment": found,
            "unit": unit,
            "title": exports.title(found),
            "items": [
                (name, DEDUCTIONS[name], unit["deductions"][name], cases[name])
                for name in DEDUCTIONS
            ],
        },
    )


@login_required
@require_POST
def assessment_sign(request: HttpRequest, number: str) -> HttpResponse:
    user = require_role(request, tuple(ACTION_ROLES["sign_assessment"]))
    version = request.POST.get("version", "")
    try:
        services.sign_assessment(
            actor=user,
            number=number,
            version=int(version) if version.isdigit() else None,
            note=request.POST.get("note", "")[:2000],
        )
    except DomainError as exc:
        return refused(request, exc)
    messages.success(request, _("Signed: the assessment is kept as it is now."))
    return redirect("web:assessment", number=number)


@login_required
@require_safe
def assessment_export(request: HttpRequest, number: str, kind: str) -> HttpResponseBase:
    require_read(request, "assessment")
    found = _found(number)
    if kind == "xlsx":
        response = HttpResponse(
            exports.workbook(found),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif kind == "csv":
        return csv_response(request, exports.columns(), found.units, found.number)
    else:
        raise Http404(_("No such export."))
    response["Content-Disposition"] = f'attachment; filename="{found.number}.{kind}"'
    return response
