"""The monthly service report as a PDF (reportlab), A4 portrait: the figures, a chart of the
month's orders by type, the center's measures, the assessment table, the hot-spot analysis
and the follow-up (plan, do, check, act) with last month's plan beside this month's check.

Chinese text needs a CJK font. The first of the system's CJK TrueType fonts found is
embedded (Debian's fonts-wqy-zenhei, Noto CJK, …; `KEFU_PDF_FONT` names another); without
one, the Adobe-GB1 font every PDF reader carries (STSong-Light) is named, not embedded."""

from __future__ import annotations

import io
import os
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from kefu.assessment.models import ServiceReport
from kefu.assessment.scoring import Grade

FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)


@cache
def font() -> str:
    """The name of the CJK font the PDF is written in (registered once per process)."""
    wanted = os.environ.get("KEFU_PDF_FONT")
    for path in ([wanted] if wanted else []) + list(FONT_FILES):
        if Path(path).is_file():
            try:
                pdfmetrics.registerFont(TTFont("KefuCJK", path, subfontIndex=0))
            except Exception:  # an unreadable font file: try the next one
                continue
            return "KefuCJK"
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def _styles() -> dict[str, ParagraphStyle]:
    name = font()
    base = ParagraphStyle("base", fontName=name, fontSize=9.5, leading=14, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=22, alignment=1),
        "meta": ParagraphStyle(
            "meta", parent=base, fontSize=8.5, textColor=colors.grey, alignment=1
        ),
        "h2": ParagraphStyle(
            "h2", parent=base, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4
        ),
        "body": base,
    }


def _table(rows: list[list[Any]], widths: list[float] | None = None) -> Table:
    table = Table([[str(c) for c in row] for row in rows], colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font()),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa3af")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edf4")),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _chart(volumes: list[dict[str, Any]]) -> Drawing:
    drawing = Drawing(170 * mm, 60 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y = int(12 * mm), int(10 * mm)
    chart.width, chart.height = int(150 * mm), int(45 * mm)
    chart.data = [[v["count"] for v in volumes]]
    chart.categoryAxis.categoryNames = [v["name"] for v in volumes]
    chart.categoryAxis.labels.fontName = font()
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.labels.fontName = font()
    chart.valueAxis.valueMin = 0
    # Whole orders: a step of at least one (reportlab would pick 0.5 for small months).
    chart.valueAxis.valueStep = max(1, -(-max(chart.data[0], default=0) // 5))
    chart.bars[0].fillColor = colors.HexColor("#3b6fd8")
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = font()
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    drawing.add(chart)
    return drawing


def _share(value: Any) -> str:
    return "—" if value is None else f"{value}%"


def render(report: ServiceReport, last_plan: str) -> bytes:
    """The report as PDF bytes."""
    f = report.figures
    s = _styles()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=_("Monthly service report %(month)s") % {"month": f"{report.month_start:%Y-%m}"},
        author="Kefu 95598",
    )
    story: list[Any] = [
        Paragraph(
            _("95598 monthly service report, %(month)s") % {"month": f"{report.month_start:%Y-%m}"},
            s["title"],
        ),
        Paragraph(
            _("%(number)s · %(state)s · figures as of %(at)s")
            % {
                "number": report.number,
                "state": report.get_state_display(),
                "at": f"{report.computed_at.astimezone():%Y-%m-%d %H:%M}",
            },
            s["meta"],
        ),
        Paragraph(_("1. The month in figures"), s["h2"]),
        _table(
            [[_("Type"), _("Orders")]]
            + [[v["name"], v["count"]] for v in f["volumes"]]
            + [[_("Total"), f["total"]]],
            [60 * mm, 30 * mm],
        ),
        Spacer(0, 3 * mm),
        _chart(f["volumes"]),
        _table(
            [
                [
                    _("Stages due"),
                    _("Late"),
                    _("On-time rate"),
                    _("Callbacks"),
                    _("Satisfaction rate"),
                    _("Urges"),
                    _("Reworks"),
                ],
                [
                    f["stages"]["due"],
                    f["stages"]["late"],
                    _share(f["stages"]["on_time_share"]),
                    f["callbacks"]["made"],
                    _share(f["callbacks"]["satisfied_share"]),
                    f["urges"]["by_clock"] + f["urges"]["by_customers"],
                    f["rework"],
                ],
            ]
        ),
        Paragraph(_("2. The center's measures (complaints and reports)"), s["h2"]),
        _table(
            [
                [_("Accepted"), _("Acknowledged"), _("Replied"), _("Called back")],
                [
                    f["center"]["accepted"],
                    f"{f['center']['acknowledged']} ({_share(f['center']['acknowledged_share'])})",
                    f"{f['center']['replied']} ({_share(f['center']['replied_share'])})",
                    f"{f['center']['called_back']} ({_share(f['center']['called_back_share'])})",
                ],
            ]
        ),
        Paragraph(_("3. Department assessment"), s["h2"]),
    ]
    if f["assessment"]:
        story.append(
            Paragraph(_("As signed in %(number)s.") % {"number": f["assessment"]}, s["body"])
        )
    story.append(
        _table(
            [[_("Unit"), _("Points deducted"), _("Score"), _("Grade")]]
            + [[u["name"], u["deducted"], u["score"], Grade(u["grade"]).label] for u in f["units"]],
            [70 * mm, 30 * mm, 25 * mm, 25 * mm],
        )
    )
    story.append(Paragraph(_("4. Complaint hot spots"), s["h2"]))
    story += [Paragraph(line, s["body"]) for line in f["analysis"]]
    story.append(Paragraph(_("5. Follow-up (plan, do, check, act)"), s["h2"]))
    follow = [
        (_("Last month's plan"), last_plan),
        (_("Plan"), report.follow_plan),
        (_("Do"), report.follow_do),
        (_("Check"), report.follow_check),
        (_("Act"), report.follow_act),
    ]
    for label, text in follow:
        story.append(Paragraph(f"【{label}】{_escape(text) or '—'}", s["body"]))
    doc.build(story)
    return out.getvalue()


def _escape(text: str) -> str:
    return escape(text).replace("\n", "<br/>")
