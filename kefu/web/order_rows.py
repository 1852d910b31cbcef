"""The rows of an order list, rendered in Python: a board of 30 rows is redrawn for every
leader every 15 seconds, and the template language spent two thirds of the page's time on
them (a loop of `with`, `url`, filters and plural blocks per row). The HTML is the template's
own, word for word; the words come from the same catalogue. Most of a row's time was
Django's choice labels: get_FOO_display() hashes every lazy label of the field to look one
up (forty translations a row), so the labels come from the enums (`type_label` …).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kefu.core.vocabulary import RequestType
from kefu.outages.models import FaultIncident, IncidentState
from kefu.tickets.clocks import PERMISSION_CLOCKS
from kefu.tickets.models import Clock, ClockStatus, WorkOrder
from kefu.web.csv_export import Column, chunks, csv_response
from kefu.web.templatetags.kefu import (
    clock_label,
    importance,
    isoformat,
    key_clock,
    state_class,
    state_label,
    type_label,
)


def _when(value: Any) -> str:
    # The template's |date:"m-d H:i", without the format-string interpreter.
    return timezone.localtime(value).strftime("%m-%d %H:%M")


#: A number no order has: the page's order URL is reversed once and the number put in.
_PLACEHOLDER = "0000000000000"


def _deadline(order: WorkOrder) -> SafeString:
    clock: Any = key_clock(order)
    if clock is None or clock.deadline is None:
        return mark_safe('<span class="muted">—</span>')
    return format_html(
        '{} <span class="countdown" data-deadline="{}" data-started="{}"></span>'
        '<span class="at">{}</span>',
        clock_label(clock.kind),
        isoformat(clock.deadline),
        isoformat(clock.effective_start),
        _when(clock.deadline),
    )


def _flags(order: WorkOrder, fault: tuple[str, str] | None) -> SafeString:
    parts: list[SafeString] = []
    if fault is not None:
        # The master of a fault incident: its row is the fault's, with every caller counted.
        number, place = fault
        parts.append(
            format_html(
                '<a class="tag fault" href="{}" title="{}">{} · {}</a> ',
                reverse("web:incident", args=[number]),
                _("Fault incident: one crew for all its calls"),
                _("Fault"),
                place,
            )
        )
    if order.is_late:
        parts.append(
            format_html(
                '<span class="tag was-late" title="{}">{}</span>',
                _("A stage of this order finished, or ran, past its deadline"),
                _("Was late"),
            )
        )
    if order.urge_count:
        n = order.urge_count
        text = ngettext("urged %(n)s time", "urged %(n)s times", n) % {"n": n}
        parts.append(format_html(' <span class="tag urged">{}</span>', text))
    if order.call_count:
        n = order.call_count
        text = ngettext("%(n)s linked call", "%(n)s linked calls", n) % {"n": n}
        parts.append(format_html(' <span class="tag">{}</span>', text))
    return mark_safe("".join(parts))


def _row(order: WorkOrder, order_url: str, fault: tuple[str, str] | None) -> SafeString:
    vip = importance(order.customer)
    vip_tag = (
        format_html(' <span class="tag vip" title="{}">{}</span>', _("Important customer"), vip)
        if vip
        else ""
    )
    suspended = (
        format_html(' <span class="tag">{}</span>', _("Suspended")) if order.suspended else ""
    )
    return format_html(
        '\n<tr data-key="{number}">\n'
        '  <td class="nowrap"><a href="{url}">{number}</a></td>\n'
        '  <td class="nowrap">{type}{vip}</td>\n'
        '  <td class="nowrap"><span class="tag {state_class}">{state}</span>{suspended}</td>\n'
        '  <td class="what">{district} · {description}</td>\n'
        '  <td class="nowrap">{holder}</td>\n'
        '  <td class="deadline">{deadline}</td>\n'
        '  <td class="nowrap">{flags}</td>\n'
        '  <td class="nowrap">{accepted}</td>\n'
        "</tr>",
        number=order.number,
        url=order_url.replace(_PLACEHOLDER, order.number),
        type=type_label(order.request_type),
        vip=vip_tag,
        state_class=state_class(order.state),
        state=state_label(order.state),
        suspended=suspended,
        district=order.district or "—",
        description=Truncator(order.description).chars(22),  # the ellipsis is translated
        holder=order.holder if order.holder else _("the center"),
        deadline=_deadline(order),
        flags=_flags(order, fault),
        accepted=_when(order.accepted_at),
    )


def _faults(rows: list[WorkOrder]) -> dict[int, tuple[str, str]]:
    """The open fault incidents the page's repairs are masters of: one query a page."""
    repairs = [o.pk for o in rows if o.request_type == RequestType.REPAIR]
    if not repairs:
        return {}
    found = FaultIncident.objects.filter(master_id__in=repairs, state=IncidentState.OPEN)
    return {
        master: (number, place)
        for master, number, place in found.values_list("master_id", "number", "element__name")
    }


def order_rows(orders: Iterable[WorkOrder]) -> SafeString:
    rows = list(orders)
    order_url = reverse("web:order", args=[_PLACEHOLDER])  # once a page, not once a row
    if not rows:
        return format_html('\n<tr><td colspan="8" class="muted">{}</td></tr>\n', _("Nothing here."))
    faults = _faults(rows)
    return format_html_join(
        "", "{}", ((_row(order, order_url, faults.get(order.pk)),) for order in rows)
    )


def _next_stage() -> Subquery:
    """The stage the order's next deadline is of: the running clock (not a permission
    window) due at `next_deadline`, which clocks.summarize keeps as the earliest of them —
    the page's key clock. One index probe a row, where prefetching the clocks of a long
    list cost more than everything else the file does."""
    return Subquery(
        Clock.objects.filter(
            order_id=OuterRef("pk"), status=ClockStatus.OPEN, deadline=OuterRef("next_deadline")
        )
        .exclude(kind__in=PERMISSION_CLOCKS)
        .order_by("id")
        .values("kind")[:1]
    )


#: The CSV of an order list: the page's columns, each flag a column of its own, the whole
#: description. Rows are (order annotated with `next_stage`, fault incident number or "").
ORDER_COLUMNS: list[Column] = [
    (gettext_lazy("Number"), lambda r: r[0].number),
    (gettext_lazy("Type"), lambda r: type_label(r[0].request_type)),
    (gettext_lazy("Important customer"), lambda r: importance(r[0].customer)),
    (gettext_lazy("State"), lambda r: state_label(r[0].state)),
    (gettext_lazy("Suspended"), lambda r: r[0].suspended),
    (gettext_lazy("District"), lambda r: r[0].district),
    (gettext_lazy("Description"), lambda r: r[0].description),
    (gettext_lazy("Held by"), lambda r: r[0].holder if r[0].holder else _("the center")),
    (gettext_lazy("Next deadline"), lambda r: clock_label(r[0].next_stage or "")),
    (gettext_lazy("Next deadline due at"), lambda r: r[0].next_deadline),
    (gettext_lazy("Was late"), lambda r: r[0].is_late),
    (gettext_lazy("Times urged"), lambda r: r[0].urge_count),
    (gettext_lazy("Linked calls"), lambda r: r[0].call_count),
    (gettext_lazy("Fault incident"), lambda r: r[1]),
    (gettext_lazy("Accepted at"), lambda r: r[0].accepted_at),
]


def _with_faults(orders: Iterable[WorkOrder]) -> Iterator[tuple[WorkOrder, str]]:
    for batch in chunks(orders):
        faults = _faults(batch)
        for order in batch:
            yield order, faults[order.pk][0] if order.pk in faults else ""


def order_csv(
    request: HttpRequest, orders: QuerySet[WorkOrder], name: str = ""
) -> HttpResponse | StreamingHttpResponse:
    """Every order of the list, as a file. The parent is not joined (the page joins it for
    confidentiality.handles, which reads it for a confidential linked call: for a whole
    list the join hashes the order table, where such a rare call costs a query)."""
    rows = orders.select_related("holder", "customer").annotate(next_stage=_next_stage())
    return csv_response(request, ORDER_COLUMNS, _with_faults(rows), name, source=orders)
