"""停电信息 Outage pages: the list (current, coming, drafts, past), one notice with its area
and customers, the shift leader's form and actions, the key customers to phone, the grid."""

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

from kefu.accounts.models import Department
from kefu.accounts.roles import ACTION_ROLES, Role
from kefu.core.calendar import BEIJING
from kefu.core.errors import DomainError, InvalidInput
from kefu.outages import notifications, services
from kefu.outages.api import notices_in
from kefu.outages.check import notices_over
from kefu.outages.models import GridElement, Level, OutageKind, OutageNotice
from kefu.outages.notice_import import import_notices
from kefu.outages.notifications import affected_customers
from kefu.outages.topology import customers_under, line_of
from kefu.outages.topology_import import import_grid
from kefu.web import list_columns
from kefu.web.csv_export import csv_response, wants_csv
from kefu.web.errors import refused
from kefu.web.shortcuts import page_of, require_read, require_role

SPANS = [
    ("current", gettext_lazy("Under way")),
    ("coming", gettext_lazy("Announced")),
    ("drafts", gettext_lazy("Drafts")),
    ("past", gettext_lazy("Past")),
]


#: Who phones the key customers: the center's desk (integrations record calls over the API).
CALLERS = (Role.AGENT, Role.SHIFT_LEADER)


def _keeps(user: Any) -> bool:
    return Role(user.role) in ACTION_ROLES["manage_outages"]


@login_required
@require_safe
def outages(request: HttpRequest) -> HttpResponseBase:
    user = require_read(request, "outages")
    span = request.GET.get("span", "current")
    if span not in dict(SPANS):
        span = "current"
    notices = notices_in(span, timezone.now())  # type: ignore[arg-type]
    if wants_csv(request):
        return csv_response(request, list_columns.NOTICES, notices, f"outages-{span}")
    return render(
        request,
        "web/outages.html",
        {
            "page": page_of(request, notices, 30),
            "span": span,
            "spans": SPANS,
            "keeps": _keeps(user),
        },
    )


def _notice(number: str) -> OutageNotice:
    notice = OutageNotice.objects.select_related("requested_by").filter(number=number).first()
    if notice is None:
        raise Http404(_("No such outage notice."))
    return notice


@login_required
@require_safe
def outage(request: HttpRequest, number: str) -> HttpResponse:
    user = require_read(request, "outages")
    notice = _notice(number)
    affected = affected_customers(notice)
    return render(
        request,
        "web/outage.html",
        {
            "notice": notice,
            "elements": notice.elements.order_by("path"),
            "customers": affected.count(),
            "key_customers": list(affected.exclude(important_class="").order_by("pk")[:50]),
            "calls": notice.calls.count(),
            "events": notice.events.select_related("actor"),
            "keeps": _keeps(user),
            "change": NoticeForm(initial=_initial(notice)) if _keeps(user) else None,
        },
    )


class NoticeForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=OutageKind.choices)
    start_at = forms.DateTimeField(
        label=gettext_lazy("Start (Beijing time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    expected_restoration_at = forms.DateTimeField(
        label=gettext_lazy("Expected restoration (Beijing time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    cause = forms.CharField(label=gettext_lazy("Cause"), max_length=2000)
    lines = forms.CharField(label=gettext_lazy("Lines / feeders"), required=False, max_length=100)
    elements = forms.CharField(
        label=gettext_lazy("Affected grid elements (codes, one per line or comma-separated)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    addresses = forms.CharField(
        label=gettext_lazy("Affected addresses (one per line)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    requested_by = forms.ChoiceField(label=gettext_lazy("Requested by"), required=False)
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["requested_by"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *Department.objects.filter(active=True).order_by("code").values_list("code", "name"),
        ]

    def element_codes(self) -> list[str]:
        text = self.cleaned_data.get("elements") or ""
        return [
            code.strip()
            for code in text.replace(",", "\n").replace("，", "\n").split("\n")
            if code.strip()
        ]

    def draft(self) -> services.NoticeDraft:
        data = self.cleaned_data
        return services.NoticeDraft(
            kind=data["kind"],
            start_at=data["start_at"],
            expected_restoration_at=data["expected_restoration_at"],
            cause=data["cause"],
            lines=data["lines"],
            addresses=data["addresses"],
            notes=data["notes"],
            requested_by=data["requested_by"] or None,
            elements=tuple(self.element_codes()),
        )


def _initial(notice: OutageNotice) -> dict[str, Any]:
    local = BEIJING
    return {
        "kind": notice.kind,
        "start_at": notice.start_at.astimezone(local),
        "expected_restoration_at": notice.expected_restoration_at.astimezone(local),
        "cause": notice.cause,
        "lines": notice.lines,
        "elements": "\n".join(notice.elements.order_by("path").values_list("code", flat=True)),
        "addresses": notice.addresses,
        "requested_by": notice.requested_by.code if notice.requested_by else "",
        "notes": notice.notes,
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def outage_new(request: HttpRequest) -> HttpResponse:
    user = require_role(request, tuple(ACTION_ROLES["manage_outages"]))
    form = NoticeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                notice = services.draft_notice(actor=user, draft=form.draft())
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.localized())
                status = exc.status
            else:
                messages.success(
                    request, _("Notice %(number)s drafted.") % {"number": notice.number}
                )
                return redirect("web:outage", number=notice.number)
        else:
            status = 400
    return render(request, "web/outage_form.html", {"form": form}, status=status)


@login_required
@require_POST
def outage_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    user = require_role(request, tuple(ACTION_ROLES["manage_outages"]))
    version = request.POST.get("version")
    expected = int(version) if version and version.isdigit() else None
    try:
        if action == "publish":
            notice = services.publish_notice(actor=user, number=number, version=expected)
            if notice.late and notice.publish_by:
                by = notice.publish_by.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
                messages.warning(
                    request, _("Published late: it was due by %(by)s; it is counted.") % {"by": by}
                )
        elif action == "restore":
            services.restore_notice(
                actor=user, number=number, restored_at=_restored_at(request), version=expected
            )
        elif action == "close":
            services.close_notice(
                actor=user,
                number=number,
                note=request.POST.get("note", "")[:2000],
                version=expected,
            )
        elif action == "update":
            form = NoticeForm(request.POST)
            if not form.is_valid():
                notice = _notice(number)
                return render(
                    request,
                    "web/outage_form.html",
                    {"form": form, "notice": notice},
                    status=400,
                )
            draft = form.draft()
            services.update_notice(
                actor=user,
                number=number,
                changes={
                    "start_at": draft.start_at,
                    "expected_restoration_at": draft.expected_restoration_at,
                    "cause": draft.cause,
                    "lines": draft.lines,
                    "addresses": draft.addresses,
                    "notes": draft.notes,
                },
                elements=list(draft.elements),
                note=request.POST.get("note", "")[:2000],
                version=expected,
            )
        else:
            raise Http404(_("No such action."))
    except DomainError as exc:
        return refused(request, exc)
    return redirect("web:outage", number=number)


def _restored_at(request: HttpRequest) -> dt.datetime | None:
    text = request.POST.get("restored_at", "").strip()
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text).replace(tzinfo=BEIJING)
    except ValueError:
        raise InvalidInput(
            gettext_lazy("the restoration time is not a date and time"), field="restored_at"
        ) from None


@login_required
@require_safe
def calls_to_make(request: HttpRequest) -> HttpResponseBase:
    require_role(request, CALLERS)
    calls = notifications.calls_to_make()
    if wants_csv(request):
        return csv_response(request, list_columns.OUTAGE_CALLS, calls)
    return render(request, "web/outage_calls.html", {"page": page_of(request, calls, 50)})


@login_required
@require_POST
def call_attempt(request: HttpRequest, notification_id: int) -> HttpResponse:
    user = require_role(
        request, tuple(r for r in ACTION_ROLES["outage_call"] if r != Role.INTEGRATION)
    )
    try:
        notifications.record_call(
            actor=user,
            notification_id=notification_id,
            reached=request.POST.get("reached") == "yes",
            note=request.POST.get("note", "")[:2000],
        )
    except DomainError as exc:
        return refused(request, exc)
    return redirect("web:outage-calls")


@login_required
@require_safe
def grid_element(request: HttpRequest, code: str) -> HttpResponseBase:
    require_read(request, "outages")
    element = GridElement.objects.select_related("department").filter(code=code).first()
    if element is None:
        raise Http404(_("No such grid element."))
    children = element.children.order_by("code")
    if wants_csv(request):
        return csv_response(request, list_columns.GRID_CHILDREN, children, f"grid-{code}")
    line = line_of(element)
    return render(
        request,
        "web/grid_element.html",
        {
            "element": element,
            "line": line,
            "children": page_of(request, children, 100),
            "customers": customers_under([element]).count(),
            "notices": notices_over(element),
        },
    )


class GridImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"))
    level = forms.ChoiceField(
        label=gettext_lazy("Level of every row (for a file per level)"),
        required=False,
        choices=[("", gettext_lazy("Given in the file"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", _("Given in the file")), *Level.choices]  # type: ignore[attr-defined]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def grid_import(request: HttpRequest) -> HttpResponse:
    require_role(request, tuple(ACTION_ROLES["import_grid"]))
    form = GridImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            report = import_grid(upload.read(), level=form.cleaned_data["level"] or None)
            status = 200 if report.ok else 422
        else:
            status = 400
    return render(request, "web/grid_import.html", {"form": form, "report": report}, status=status)


class NoticeImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV file"))
    publish = forms.BooleanField(
        label=gettext_lazy("Publish them at once (and tell the customers)"), required=False
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def notice_import(request: HttpRequest) -> HttpResponse:
    user = require_role(request, tuple(ACTION_ROLES["manage_outages"]))
    form = NoticeImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            report = import_notices(
                actor=user,
                data=form.cleaned_data["file"].read(),
                publish=form.cleaned_data["publish"],
            )
            status = 200 if report.ok else 422
        else:
            status = 400
    return render(
        request, "web/notice_import.html", {"form": form, "report": report}, status=status
    )
