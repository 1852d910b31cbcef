"""Pages to look things up: a customer, a department, the policy in force, the calendar."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from kefu.accounts.models import Department
from kefu.accounts.roles import HOLDERS, Role
from kefu.core.calendar import beijing_date
from kefu.core.models import CalendarDay, CalendarYear
from kefu.core.policy import active_policy
from kefu.customers.models import Customer
from kefu.tickets.filters import OrderFilter, filter_orders
from kefu.tickets.visibility import customer_orders
from kefu.web.shortcuts import page_of, require_read


@login_required
@require_safe
def customer(request: HttpRequest, account_number: str) -> HttpResponse:
    user = require_read(request, "customers")  # handlers see customers through orders
    found = Customer.objects.filter(account_number=account_number).first()
    if found is None:
        raise Http404(_("No such customer."))
    orders = customer_orders(user, found).select_related("holder")
    return render(
        request, "web/customer.html", {"customer": found, "page": page_of(request, orders, 20)}
    )


@login_required
@require_safe
def department(request: HttpRequest, code: str) -> HttpResponse:
    user = require_read(request, "orders")
    found = Department.objects.filter(code=code).prefetch_related("jurisdictions").first()
    if found is None:
        raise Http404(_("No such department."))
    if Role(user.role) in HOLDERS and user.department_id != found.pk:
        raise PermissionDenied  # a department sees its own work only
    orders = filter_orders(user, OrderFilter(open=True, holder=code)).select_related("holder")
    return render(
        request,
        "web/department.html",
        {
            "department": found,
            "members": found.members.filter(is_active=True).order_by("role"),
            "page": page_of(request, orders.order_by(F("next_deadline").asc(nulls_last=True)), 30),
        },
    )


@login_required
@require_safe
def policy(request: HttpRequest) -> HttpResponse:
    require_read(request, "reference")
    return render(request, "web/policy.html", {"policy": active_policy().summary()})


@login_required
@require_safe
def calendar(request: HttpRequest, year: int | None = None) -> HttpResponse:
    require_read(request, "reference")
    year = year or beijing_date(timezone.now()).year
    if not 2000 <= year <= 2100:
        raise Http404(_("No such year."))
    days = list(CalendarDay.objects.filter(date__year=year).order_by("date"))
    months: list[tuple[int, list[CalendarDay | None]]] = []
    for month in range(1, 13):
        in_month = [d for d in days if d.date.month == month]
        lead = dt.date(year, month, 1).weekday()
        months.append((month, [None] * lead + in_month))
    return render(
        request,
        "web/calendar.html",
        {
            "year": year,
            "months": months,
            "covered": CalendarYear.objects.filter(year=year).first(),
            "special": [d for d in days if d.kind in ("holiday", "makeup")],
        },
    )
