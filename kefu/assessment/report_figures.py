"""What the monthly service report (月度服务报告) says about its month, counted by the
database: the orders by type (complaints, reports, suggestions and praise among them),
the stages due and late, the callbacks and their satisfaction, the center's measures, every
unit's score and grade (from the month's signed assessment when there is one), the
complaint hot spots, and the sentences of the hot-spot analysis written from them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _

from kefu.assessment import center, dashboard, services
from kefu.assessment.dashboard import share
from kefu.assessment.models import Assessment, AssessmentState
from kefu.core.vocabulary import RequestType
from kefu.tickets.models import WorkOrder

#: The unit figures the report adds up for the whole county.
TOTALS = ("called_back", "satisfied", "dissatisfied", "urged", "customer_urges", "rework")


def volumes(first: dt.datetime, after: dt.datetime) -> list[dict[str, Any]]:
    counts = dict(
        WorkOrder.objects.filter(accepted_at__gte=first, accepted_at__lt=after)
        .values_list("request_type")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        {"type": value, "name": str(label), "count": counts.get(value, 0)}
        for value, label in RequestType.choices
    ]


def _units(start: dt.date, end: dt.date, now: dt.datetime) -> tuple[list[dict[str, Any]], str]:
    """The month's units: as signed, when the month's assessment is; else computed now."""
    signed = Assessment.objects.filter(
        period_start=start, period_end=end, state=AssessmentState.SIGNED
    ).first()
    if signed is not None:
        return signed.units, signed.number
    return services.compute(start, end, now, measures=False)["units"], ""


def analysis(hot: dict[str, Any], total_complaints: int) -> list[str]:
    """The hot-spot analysis in sentences: where the month's complaints gathered."""
    if not total_complaints:
        return [_("No complaint was accepted this month.")]
    said = []
    headings = {
        "category": _("By category"),
        "area": _("By area"),
        "transformer": _("By transformer"),
        "department": _("By department"),
    }
    for key, heading in headings.items():
        rows = hot[key][:3]
        if not rows:
            continue
        parts = [
            _("%(name)s %(count)s (%(share)s%%)")
            % {
                "name": r["name"],
                "count": r["count"],
                "share": share(r["count"], total_complaints),
            }
            for r in rows
        ]
        said.append(f"{heading}：" + "；".join(parts))
    return said


def month_figures(start: dt.date, end: dt.date, now: dt.datetime) -> dict[str, Any]:
    first, after = services.period_bounds(start, end)
    units, signed = _units(start, end, now)
    totals = {name: sum(u.get(name, 0) for u in units) for name in TOTALS}
    due = sum(s["due"] for u in units for s in u.get("stages", {}).values())
    late = sum(s["late"] for u in units for s in u.get("stages", {}).values())
    hot = dashboard.hot_spots(first, after)
    by_type = volumes(first, after)
    return {
        "period": [start.isoformat(), end.isoformat()],
        "as_of": now.isoformat(),
        "volumes": by_type,
        "total": sum(v["count"] for v in by_type),
        "stages": {"due": due, "late": late, "on_time_share": share(due - late, due)},
        "callbacks": {
            "made": totals["called_back"],
            "satisfied": totals["satisfied"],
            "dissatisfied": totals["dissatisfied"],
            "satisfied_share": share(totals["satisfied"], totals["called_back"]),
        },
        "urges": {"by_clock": totals["urged"], "by_customers": totals["customer_urges"]},
        "rework": totals["rework"],
        "center": center.center_measures(first, after),
        "units": [
            {
                "code": u["code"],
                "name": u["name"],
                "score": str(u["score"]),
                "grade": u["grade"],
                "deducted": str(
                    sum((Decimal(d["points"]) for d in u["deductions"].values()), Decimal(0))
                ),
            }
            for u in units
        ],
        "assessment": signed,
        "hot_spots": hot,
        "analysis": analysis(hot, hot["total"]),
    }
