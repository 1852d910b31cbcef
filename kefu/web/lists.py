"""What the order lists share: the clocks each row shows, paging, the live fragment."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render

from kefu.tickets.clocks import PERMISSION_CLOCKS
from kefu.tickets.models import Clock, ClockStatus
from kefu.web.csv_export import wants_csv
from kefu.web.order_rows import order_csv
from kefu.web.shortcuts import page_of


def running_clocks() -> Prefetch[Any]:
    """The running clocks of each row, the one that matters next first (`key_clock`); a
    return window is a permission, not a deadline to show."""
    return Prefetch(
        "clocks",
        queryset=Clock.objects.filter(status=ClockStatus.OPEN)
        .exclude(kind__in=PERMISSION_CLOCKS)
        .order_by("deadline", "id"),
        to_attr="running",
    )


def with_row_details(orders: Any) -> Any:
    """What a row shows besides the order: holder, customer, parent, the running clocks."""
    return orders.select_related("holder", "customer", "parent").prefetch_related(running_clocks())


def order_list(
    request: HttpRequest,
    orders: Any,
    template: str,
    context: dict[str, Any],
    *,
    per_page: int = 50,
    rows: str = "web/partials/order_rows.html",
    cap: int | None = None,
) -> HttpResponseBase:
    """A page of orders; the live refresh asks for the rows alone (HX-Request); every row
    of the list as CSV with `?format=csv`."""
    if wants_csv(request):
        return order_csv(request, orders)
    orders = with_row_details(orders)
    page = page_of(request, orders, per_page, cap)
    params = request.GET.copy()
    params.pop("page", None)
    context = {**context, "page": page, "query": request.GET.urlencode(), "params": params}
    if request.headers.get("HX-Request"):
        return render(request, rows, context)
    return render(request, template, context)
