"""统计看板 What the shift leader's screen shows, counted by the database (GROUP BY with
conditional counts, truncated to the hour or the week in Beijing time), never by looping over
orders: today's volumes by type and hour, open and overdue orders by department, the weekly
on-time and satisfaction trends, and the complaint hot spots. The monthly service report
reads the same functions over its month."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import ExtractHour, TruncDate
from django.utils.translation import gettext as _

from kefu.accounts.models import Department
from kefu.assessment.figures import RUNNING, SATISFIED
from kefu.core.calendar import BEIJING
from kefu.core.policy import active_policy
from kefu.core.vocabulary import RequestType
from kefu.tickets.models import Clock, ClockStatus, OrderEvent, WorkOrder
from kefu.tickets.states import OPEN_STATES

#: How many weeks the trends show, and how many places each hot-spot list names.
WEEKS = 8
HOT_SPOTS = 10


def _day_start(now: dt.datetime) -> dt.datetime:
    local = now.astimezone(BEIJING)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def week_starts(now: dt.datetime, weeks: int = WEEKS) -> list[dt.datetime]:
    """The Mondays (00:00 Beijing) of the last `weeks` weeks, this week last."""
    today = _day_start(now)
    monday = today - dt.timedelta(days=today.weekday())
    return [monday - dt.timedelta(weeks=k) for k in range(weeks - 1, -1, -1)]


def share(part: int, whole: int) -> float | None:
    """part / whole in per cent, one decimal; None when there is no whole."""
    return round(100 * part / whole, 1) if whole else None


def volumes_by_hour(now: dt.datetime) -> dict[str, Any]:
    """Orders accepted today (Beijing), by request type and hour."""
    start = _day_start(now)
    rows = (
        WorkOrder.objects.filter(accepted_at__gte=start, accepted_at__lt=start + dt.timedelta(1))
        .annotate(hour=ExtractHour("accepted_at", tzinfo=BEIJING))
        .values("request_type", "hour")
        .annotate(n=Count("id"))
        .order_by()
    )
    series = {t: [0] * 24 for t in RequestType.values}
    for row in rows:
        series[row["request_type"]][row["hour"]] += row["n"]
    labels = dict(RequestType.choices)
    return {
        "date": f"{start:%Y-%m-%d}",
        "hours": [f"{h:02d}" for h in range(24)],
        "series": [
            {"type": t, "name": str(labels[t]), "data": counts, "total": sum(counts)}
            for t, counts in series.items()
        ],
        "total": sum(sum(c) for c in series.values()),
    }


def open_by_department() -> list[dict[str, Any]]:
    """Open orders by the department holding them (the center's own: not yet dispatched),
    and how many of those are overdue."""
    rows = (
        WorkOrder.objects.filter(state__in=OPEN_STATES)
        .values("holder_id")
        .annotate(open=Count("id"), overdue=Count("id", filter=Q(is_late=True)))
        .order_by()
    )
    names = dict(Department.objects.values_list("pk", "name"))
    out = [
        {
            "department": names.get(row["holder_id"])
            if row["holder_id"]
            else _("Center (to dispatch)"),
            "open": row["open"],
            "overdue": row["overdue"],
        }
        for row in rows
    ]
    out.sort(key=lambda r: (-r["overdue"], -r["open"], str(r["department"])))
    return out


def _week_of(day: dt.date, weeks: list[dt.datetime]) -> int | None:
    for k in range(len(weeks) - 1, -1, -1):
        if day >= weeks[k].date():
            return k
    return None


def on_time_by_week(now: dt.datetime, weeks: int = WEEKS) -> list[dict[str, Any]]:
    """Of the stages due each week (as the assessment counts them: deadline passed, return
    windows and clocks voided in time left out), how many finished on time."""
    starts = week_starts(now, weeks)
    late = Q(late=True) | Q(status__in=RUNNING, deadline__lt=now)
    rows = (
        Clock.objects.filter(deadline__gte=starts[0], deadline__lt=now)
        .exclude(kind="return")
        .exclude(status=ClockStatus.VOID, late=False)
        .annotate(day=TruncDate("deadline", tzinfo=BEIJING))
        .values("day")
        .annotate(due=Count("id"), late=Count("id", filter=late))
        .order_by()
    )
    return _by_week(starts, rows, ("due", "late"), lambda w: share(w["due"] - w["late"], w["due"]))


def satisfaction_by_week(now: dt.datetime, weeks: int = WEEKS) -> list[dict[str, Any]]:
    """Callbacks made each week, and the share of them satisfied or basically satisfied."""
    starts = week_starts(now, weeks)
    rows = (
        OrderEvent.objects.filter(
            kind="called_back", occurred_at__gte=starts[0], occurred_at__lt=now
        )
        .annotate(day=TruncDate("occurred_at", tzinfo=BEIJING))
        .values("day")
        .annotate(
            called=Count("id"),
            satisfied=Count("id", filter=Q(new__satisfaction__in=SATISFIED)),
            dissatisfied=Count("id", filter=Q(new__satisfaction="dissatisfied")),
        )
        .order_by()
    )
    return _by_week(
        starts,
        rows,
        ("called", "satisfied", "dissatisfied"),
        lambda w: share(w["satisfied"], w["called"]),
    )


def _by_week(
    starts: list[dt.datetime], rows: Any, fields: tuple[str, ...], share: Any
) -> list[dict[str, Any]]:
    # Grouped by day in the database (a handful of rows: a day per row), folded into the
    # weeks here: truncating to a week is spelled differently by every database.
    weeks = [{"week": f"{s:%m-%d}", **dict.fromkeys(fields, 0)} for s in starts]
    for row in rows:
        k = _week_of(row["day"], starts)
        if k is not None:
            for field in fields:
                weeks[k][field] += row[field]
    for week in weeks:
        week["share"] = share(week)
    return weeks


def hot_spots(start: dt.datetime, end: dt.datetime, limit: int = HOT_SPOTS) -> dict[str, Any]:
    """The complaints accepted in [start, end): the most frequent categories (topics), areas,
    transformers and departments."""
    complaints = WorkOrder.objects.filter(
        accepted_at__gte=start, accepted_at__lt=end, request_type=RequestType.COMPLAINT
    )
    topics = active_policy().topics

    def top(field: str, name: Any, blank: Any = "") -> list[dict[str, Any]]:
        rows = (
            complaints.exclude(**{f"{field}__isnull": True})
            .exclude(**({field: blank} if blank is not None else {}))
            .values(field)
            .annotate(n=Count("id"))
            .order_by("-n", field)[:limit]
        )
        return [{"name": name(row[field]), "count": row["n"]} for row in rows]

    names = dict(Department.objects.values_list("pk", "name"))
    return {
        "total": complaints.count(),
        "category": top("topic", lambda code: topics[code].name if code in topics else code),
        "area": top("district", str),
        "transformer": top("customer__transformer", str),
        "department": top("holder_id", lambda pk: names.get(pk, str(pk)), blank=None),
    }


def dashboard(now: dt.datetime) -> dict[str, Any]:
    """Everything the dashboard shows, as of `now`."""
    start = _day_start(now)
    return {
        "now": now.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M"),
        "today": volumes_by_hour(now),
        "departments": open_by_department(),
        "on_time": on_time_by_week(now),
        "satisfaction": satisfaction_by_week(now),
        "hot_spots": hot_spots(start - dt.timedelta(days=29), start + dt.timedelta(days=1)),
    }
