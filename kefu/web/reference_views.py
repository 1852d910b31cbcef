"""Pages to look things up: a customer, a department, the policy in force, the calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from kefu.accounts.models import Department
from kefu.accounts.roles import HOLDERS, Role
from kefu.core.calendar import beijing_date
from kefu.core.models import CalendarDay, CalendarYear
from kefu.core.policy import active_policy
from kefu.core.vocabulary import AreaClass, ClockKind, EnergizeClass, RequestType, SupplyScheme
from kefu.customers.search import customer_by_account
from kefu.outages.check import check
from kefu.outages.topology import line_of, transformer_of
from kefu.tickets.filters import OrderFilter, filter_orders
from kefu.tickets.visibility import customer_orders
from kefu.web.csv_export import wants_csv
from kefu.web.lists import order_list
from kefu.web.order_rows import order_csv
from kefu.web.shortcuts import page_of, require_read


@login_required
@require_safe
def customer(request: HttpRequest, account_number: str) -> HttpResponseBase:
    user = require_read(request, "customers")  # handlers see customers through orders
    found = customer_by_account(account_number)
    if found is None:
        raise Http404(_("No such customer."))
    if wants_csv(request):
        return order_csv(request, customer_orders(user, found), f"customer-{account_number}")
    orders = customer_orders(user, found).select_related("holder", "parent")
    transformer = transformer_of(found)
    return render(
        request,
        "web/customer.html",
        {
            "customer": found,
            "line": line_of(transformer) if transformer else [],
            "outages": check(customer=found).outages,
            "notifications": found.outage_notifications.select_related(
                "notice", "incident"
            ).order_by("-created_at", "-id")[:20],
            "page": page_of(request, orders, 20),
            "may_intake": user.role in (Role.AGENT, Role.SHIFT_LEADER),
        },
    )


@login_required
@require_safe
def department(request: HttpRequest, code: str) -> HttpResponseBase:
    user = require_read(request, "orders")
    found = Department.objects.filter(code=code).prefetch_related("jurisdictions").first()
    if found is None:
        raise Http404(_("No such department."))
    if Role(user.role) in HOLDERS and user.department_id != found.pk:
        raise PermissionDenied  # a department sees its own work only
    orders = filter_orders(user, OrderFilter(open=True, holder=code, sort="deadline"))
    jurisdictions = [
        {
            "types": "、".join(
                str(RequestType(t).label) for t in j.request_types if t in RequestType.values
            )
            or _("all types"),
            "voltage": f"{j.min_voltage_kv.normalize():f}–{j.max_voltage_kv.normalize():f} kV",
            "districts": "、".join(j.districts) or _("all districts"),
        }
        for j in found.jurisdictions.all()
    ]
    return order_list(
        request,
        orders,
        "web/department.html",
        {
            "department": found,
            "jurisdictions": jurisdictions,
            "members": found.members.filter(is_active=True).order_by("role"),
        },
    )


CALLBACK_RULES = {
    "all": gettext_lazy("every caller"),
    "sample": gettext_lazy("a sample of the callers"),
    "none": gettext_lazy("no callback"),
}
NOTIFIED = {
    "holder": gettext_lazy("the holding department"),
    "shift_leader": gettext_lazy("the shift leaders"),
    "supervisor": gettext_lazy("the supervisors"),
}
DISSATISFIED = {
    "reopen": gettext_lazy("the order is reopened for rework"),
    "supervisor": gettext_lazy("goes to the supervisor"),
}
SELECTOR_LABELS = {
    **dict(AreaClass.choices),
    **dict(SupplyScheme.choices),
    **dict(EnergizeClass.choices),
}


def _readable_policy() -> dict[str, Any]:
    """The policy in force in the reader's words: labels, never codes or file names."""
    policy = active_policy()
    types = []
    for request_type, type_policy in policy.types.items():
        limits = []
        for clock, limit in type_policy.limits.items():
            if isinstance(limit, dict):
                choices = [
                    {"label": SELECTOR_LABELS.get(k, k), "limit": v} for k, v in limit.items()
                ]
            else:
                choices = [{"label": "", "limit": limit}]
            limits.append({"label": ClockKind(clock).label, "choices": choices})
        types.append(
            {
                "label": request_type.label,
                "callback": CALLBACK_RULES[type_policy.callback],
                "limits": limits,
            }
        )
    levels = [
        {
            "title": level.title,
            "share": level.share,
            "percent": round((level.share or 0) * 100),
            "after": level.after_deadline.display() if level.after_deadline else "",
            "notify": [str(NOTIFIED[who]) for who in level.notify],
        }
        for level in policy.supervision.levels
    ]
    names = {d.code: d.name for d in Department.objects.all()}
    routing = [
        {
            "types": [str(t.label) for t in rule.types],
            "topics": [policy.topics[t].name for t in rule.topics or []],
            "department": names.get(rule.department or "", rule.department),
            "reason": rule.explanation,
        }
        for rule in policy.routing
    ]
    suspension = [
        {"label": reason.label, "pauses": [str(ClockKind(c).label) for c in s.pauses]}
        for reason, s in policy.suspension.items()
    ]
    callback = policy.callback
    window = "{0:%H:%M}–{1:%H:%M}"
    return {
        "title": policy.profile.heading,
        "types": types,
        "levels": levels,
        "routing": routing,
        "suspension": suspension,
        "callback": {
            "sample": f"{round(callback.sample_share * 100)} %",
            "residents": window.format(*callback.resident_window),
            "businesses": window.format(*callback.business_window),
            "unreachable": callback.unreachable_after_attempts,
            "dissatisfied": DISSATISFIED[callback.dissatisfied],
        },
    }


@login_required
@require_safe
def policy(request: HttpRequest) -> HttpResponse:
    require_read(request, "reference")
    return render(request, "web/policy.html", {"policy": _readable_policy()})


def _source_label(source: str) -> str:
    """Where a year's calendar came from, in the reader's words."""
    if source.startswith("csv:"):
        return _("the file %(name)s") % {"name": source[4:]}
    return _("the State Council's published holiday arrangement")


@login_required
@require_safe
def calendar(request: HttpRequest, year: int | None = None) -> HttpResponse:
    require_read(request, "reference")
    year = year or beijing_date(timezone.now()).year
    if not 2000 <= year <= 2100:
        raise Http404(_("No such year."))
    days = list(CalendarDay.objects.filter(date__year=year).order_by("date"))
    covered = CalendarYear.objects.filter(year=year).first()
    months: list[tuple[int, list[CalendarDay | None]]] = []
    for month in range(1, 13):
        in_month = [d for d in days if d.date.month == month]
        lead = dt.date(year, month, 1).weekday()
        months.append((month, [None] * lead + in_month))
    return render(
        request,
        "web/calendar.html",
        {
            "today": beijing_date(timezone.now()),
            "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
            "year": year,
            "months": months,
            "covered": covered,
            "source": _source_label(covered.source) if covered else "",
            "special": [d for d in days if d.kind in ("holiday", "makeup")],
        },
    )
