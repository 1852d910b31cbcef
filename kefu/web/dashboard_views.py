"""统计看板 The dashboard on the shift leader's screen: the charts (Apache ECharts, served by the
app) over the figures `kefu.assessment.dashboard` counts, each chart with its numbers in a
table beside it; the page polls itself and redraws."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from kefu.assessment.dashboard import dashboard
from kefu.web.shortcuts import require_read

#: The complaint hot spots, each a chart of its own.
HOT_SPOTS = (
    ("category", _("Complaints by category")),
    ("area", _("Complaints by area")),
    ("transformer", _("Complaints by transformer")),
    ("department", _("Complaints by department")),
)

#: How often the page redraws itself, in seconds.
REFRESH = 60


@login_required
@require_safe
def dashboard_page(request: HttpRequest) -> HttpResponse:
    require_read(request, "assessment")
    figures = dashboard(timezone.now())
    # ECharts' own words (its toolbox, "no data") in the page's language.
    figures["locale"] = "EN" if (get_language() or "").startswith("en") else "ZH"
    template = (
        "web/partials/dashboard_body.html"
        if request.headers.get("HX-Request")
        else "web/dashboard.html"
    )
    hot = [(key, title, figures["hot_spots"][key]) for key, title in HOT_SPOTS]
    return render(request, template, {"figures": figures, "hot_spots": hot, "refresh": REFRESH})
