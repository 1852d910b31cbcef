"""Every list as CSV: the rows the page lists, under the page's own filters and the reader's
own rights, all of them rather than one page, with the page's column headings.

A list view answers `?format=csv` by handing its query and its columns to `csv_response`;
the rows are written as they are read (`iterator`), in constant memory. A list longer than
KEFU_CSV_MAX_ROWS is refused with the reason before anything is written (filter it first):
one web worker streams the file, and a spreadsheet holds about a million rows at most.
The file carries a byte-order mark so that Excel on a Chinese desktop reads it as UTF-8;
times are Beijing time; numbers stay numbers; a text cell that a spreadsheet would run as a
formula (`=`, `+`, `-`, `@`) is written with a leading quote. Querysets read for a reader
(`for_reader`) mask every row while it streams, as on the page.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import islice
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import get_language, gettext_lazy, override
from django.utils.translation import gettext as _

from kefu.core.calendar import BEIJING
from kefu.core.counting import capped_count
from kefu.core.middleware import refuse

#: A column: its heading as the page shows it, and how a row's cell is read.
Column = tuple[str | Promise, Callable[[Any], object]]

BOM = "\ufeff"
#: Rows read from the database at a time (and prefetched for at a time).
CHUNK = 2000
#: Lines sent to the client at a time.
BATCH = 200
#: What a spreadsheet would start evaluating (OWASP's list for CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def wants_csv(request: HttpRequest) -> bool:
    return request.GET.get("format") == "csv"


def cell(value: object) -> object:
    """One value as it goes into the file."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, dt.datetime):
        return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Line:
    """csv.writer writes into this and hands back what it wrote."""

    def write(self, value: str) -> str:
        return value


def rows_of(items: Iterable[Any]) -> Iterator[Any]:
    """A query's rows a chunk at a time (prefetches included); other iterables as they are."""
    if isinstance(items, QuerySet):
        return items.iterator(chunk_size=CHUNK)
    return iter(items)


def chunks(items: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    rows = rows_of(items)
    while batch := list(islice(rows, size)):
        yield batch


def lines(columns: Sequence[Column], rows: Iterable[Any]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield BOM + writer.writerow([str(heading) for heading, _read in columns])
    for row in rows:
        yield writer.writerow([cell(read(row)) for _heading, read in columns])


def csv_response(
    request: HttpRequest,
    columns: Sequence[Column],
    rows: Iterable[Any],
    name: str = "",
    *,
    source: QuerySet[Any] | None = None,
) -> HttpResponse | StreamingHttpResponse:
    """The file `<name>-<Beijing date and time>.csv`; `name` defaults to the page's URL name.
    The rows are read while the file is sent, in the language the request was answered in.
    `source`: the query behind `rows` when they are not a query themselves (counted first)."""
    counted = source if source is not None else rows if isinstance(rows, QuerySet) else None
    most = settings.KEFU_CSV_MAX_ROWS
    if counted is not None and capped_count(counted, most) > most:
        detail = _(
            "The list has more than %(most)s rows, more than one file exports: filter it "
            "first, then export."
        ) % {"most": f"{most:,}"}
        return refuse(request, 400, "too_long", detail)
    language = get_language()
    written = lines(columns, rows)

    def stream() -> Iterator[str]:
        # The language is switched on around each batch, never across a yield: a download
        # abandoned half way must not leave its language switched on for whatever the
        # process does next.
        while True:
            with override(language):
                batch = "".join(islice(written, BATCH))
            if not batch:
                return
            yield batch

    stamp = timezone.now().astimezone(BEIJING).strftime("%Y%m%d-%H%M")
    base = name or (request.resolver_match.url_name if request.resolver_match else "") or "list"
    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"{base}-{stamp}.csv")
    return response


#: The heading of the export link every list shows.
EXPORT = gettext_lazy("Export CSV")
