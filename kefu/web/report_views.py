"""月度服务报告 The monthly service report pages: the months reported (and a month to
prepare), one month's report with its charts, tables, hot-spot analysis and follow-up
(plan, do, check, act, last month's plan beside), the supervisor's follow-up and issue, and
the PDF."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kefu.accounts.roles import ACTION_ROLES
from kefu.assessment import report_pdf, reports
from kefu.assessment.models import ReportState, ServiceReport
from kefu.assessment.scoring import Grade
from kefu.core.calendar import BEIJING
from kefu.core.errors import DomainError
from kefu.web import list_columns
from kefu.web.assessment_views import PrepareForm, may_do
from kefu.web.csv_export import csv_response, wants_csv
from kefu.web.errors import refused
from kefu.web.shortcuts import require_read, require_role


class FollowUpForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    plan = forms.CharField(
        label=gettext_lazy("Plan"), required=False, max_length=4000, widget=forms.Textarea
    )
    do = forms.CharField(
        label=gettext_lazy("Do"), required=False, max_length=4000, widget=forms.Textarea
    )
    check = forms.CharField(
        label=gettext_lazy("Check (how last month's plan went)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea,
    )
    act = forms.CharField(
        label=gettext_lazy("Act (what is kept or changed)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_list(request: HttpRequest) -> HttpResponseBase:
    user = require_read(request, "assessment")
    last_month = timezone.now().astimezone(BEIJING).date().replace(day=1) - dt.timedelta(days=1)
    form = PrepareForm(request.POST or None, initial={"month": f"{last_month:%Y-%m}"})
    listed = ServiceReport.objects.select_related("prepared_by", "issued_by")
    if request.method != "POST" and wants_csv(request):
        return csv_response(request, list_columns.REPORTS, listed)
    status = 200
    if request.method == "POST":
        if not may_do(user, "prepare_report"):
            raise Http404(_("No such page."))
        if form.is_valid():
            try:
                made = reports.prepare_report(actor=user, month_text=form.cleaned_data["month"])
            except DomainError as exc:
                form.add_error("month", exc.localized())
                status = exc.status
            else:
                messages.success(
                    request, _("Report %(number)s prepared.") % {"number": made.number}
                )
                return redirect("web:report", number=made.number)
        else:
            status = 400
    return render(
        request,
        "web/reports.html",
        {
            "reports": listed[:36],
            "form": form if may_do(user, "prepare_report") else None,
        },
        status=status,
    )


def _found(number: str) -> ServiceReport:
    found = ServiceReport.objects.select_related("prepared_by", "issued_by").filter(number=number)
    report = found.first()
    if report is None:
        raise Http404(_("No such report."))
    return report


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_page(request: HttpRequest, number: str) -> HttpResponse:
    user = require_read(request, "assessment")
    report = _found(number)
    draft = report.state == ReportState.DRAFT
    may_write = draft and may_do(user, "write_follow_up")
    form = FollowUpForm(
        request.POST or None,
        initial={
            "version": report.version,
            "plan": report.follow_plan,
            "do": report.follow_do,
            "check": report.follow_check,
            "act": report.follow_act,
        },
    )
    status = 200
    if request.method == "POST":
        if not may_write:
            raise Http404(_("No such page."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                reports.write_follow_up(
                    actor=user,
                    number=number,
                    follow_up=reports.FollowUp(
                        data["plan"], data["do"], data["check"], data["act"]
                    ),
                    version=data["version"],
                )
            except DomainError as exc:
                form.add_error(None, exc.localized())
                status = exc.status
            else:
                messages.success(request, _("The follow-up is saved."))
                return redirect("web:report", number=number)
        else:
            status = 400
    before = reports.previous(report)
    figures = dict(report.figures)
    figures["locale"] = "EN" if (get_language() or "").startswith("en") else "ZH"
    return render(
        request,
        "web/report.html",
        {
            "report": report,
            "f": report.figures,
            "chart_data": figures,
            "units": [
                {**u, "grade_label": Grade(u["grade"]).label} for u in report.figures["units"]
            ],
            "hot_spots": [
                (_("By category"), report.figures["hot_spots"]["category"]),
                (_("By area"), report.figures["hot_spots"]["area"]),
                (_("By transformer"), report.figures["hot_spots"]["transformer"]),
                (_("By department"), report.figures["hot_spots"]["department"]),
            ],
            "previous": before,
            "form": form if may_write else None,
            "may_prepare": draft and may_do(user, "prepare_report"),
            "may_issue": draft and may_do(user, "issue_report"),
        },
        status=status,
    )


@login_required
@require_POST
def report_issue(request: HttpRequest, number: str) -> HttpResponse:
    user = require_role(request, tuple(ACTION_ROLES["issue_report"]))
    version = request.POST.get("version", "")
    try:
        reports.issue_report(
            actor=user, number=number, version=int(version) if version.isdigit() else None
        )
    except DomainError as exc:
        return refused(request, exc)
    messages.success(request, _("Issued: the report is kept as it is now."))
    return redirect("web:report", number=number)


@login_required
@require_safe
def report_pdf_file(request: HttpRequest, number: str) -> HttpResponse:
    require_read(request, "assessment")
    report = _found(number)
    before = reports.previous(report)
    response = HttpResponse(
        report_pdf.render(report, before.follow_plan if before else ""),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'inline; filename="{report.number}.pdf"'
    return response
