"""An assessment as the offices print it: an Excel workbook (a merged title, Chinese
headers, numbers as numbers, A4 landscape fitted to the width, the header repeated on
every page). Its CSV is any list's CSV (kefu.web.csv_export) over the same columns."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from kefu.assessment.models import Assessment, AssessmentState
from kefu.assessment.scoring import Grade
from kefu.core.calendar import BEIJING
from kefu.core.vocabulary import ClockKind


def columns() -> list[tuple[str, Any]]:
    """(header, how a unit's value is read) for every column of the table."""
    return [
        (_("Department"), lambda u: u["name"]),
        (_("Code"), lambda u: u["code"]),
        (_("Dispatched to it"), lambda u: u["dispatched"]),
        (_("Acknowledged"), lambda u: u["acknowledged"]),
        (_("Returned"), lambda u: u["returned"]),
        (_("Returned late"), lambda u: u["returned_late"]),
        (_("Stages due"), lambda u: sum(s["due"] for s in u["stages"].values())),
        (_("Stages late"), lambda u: sum(s["late"] for s in u["stages"].values())),
        (_("Delay caused (hours)"), lambda u: round(u["delay_minutes"] / 60, 1)),
        (_("Urged by the clock"), lambda u: u["urged"]),
        (_("Urged by customers"), lambda u: u["customer_urges"]),
        (_("Reworks"), lambda u: u["rework"]),
        (_("Called back"), lambda u: u["called_back"]),
        (_("Dissatisfied"), lambda u: u["dissatisfied"]),
        (_("Late outage notices"), lambda u: u["late_notices"]),
        (_("Deductions"), lambda u: float(100 - Decimal(u["score"]))),
        (_("Score"), lambda u: float(Decimal(u["score"]))),
        (_("Grade"), lambda u: str(Grade(u["grade"]).label)),
    ]


def title(assessment: Assessment) -> str:
    return _("Department assessment %(start)s to %(end)s") % {
        "start": assessment.period_start.isoformat(),
        "end": assessment.period_end.isoformat(),
    }


def status_line(assessment: Assessment) -> str:
    computed = assessment.computed_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    if assessment.state == AssessmentState.SIGNED and assessment.signed_at:
        signed = assessment.signed_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
        return _("Computed %(computed)s; signed by %(who)s at %(when)s") % {
            "computed": computed,
            "who": assessment.signed_by,
            "when": signed,
        }
    return _("Computed %(computed)s; not signed yet") % {"computed": computed}


def workbook(assessment: Assessment) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Assessment")
    cols = columns()
    width = len(cols)
    thin = Side(style="thin", color="808080")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(1, 1, title(assessment)).font = Font(size=14, bold=True)
    sheet.cell(1, 1).alignment = Alignment(horizontal="center")
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    sheet.cell(2, 1, status_line(assessment)).alignment = Alignment(horizontal="center")
    for index, (header, _read) in enumerate(cols, start=1):
        cell = sheet.cell(3, index, header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = box
        sheet.column_dimensions[get_column_letter(index)].width = 16 if index == 1 else 9
    for row, unit in enumerate(assessment.units, start=4):
        for index, (_header, read) in enumerate(cols, start=1):
            cell = sheet.cell(row, index, read(unit))
            cell.border = box
            if isinstance(cell.value, float):
                cell.number_format = "0.0"
    sheet.row_dimensions[3].height = 42
    sheet.freeze_panes = "C4"
    sheet.print_title_rows = "3:3"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)

    stages = book.create_sheet(_("Stages"))
    kinds = sorted({k for u in assessment.units for k in u["stages"]})
    stages.merge_cells(start_row=1, start_column=1, end_row=1, end_column=1 + 2 * len(kinds))
    stages.cell(1, 1, title(assessment)).font = Font(size=14, bold=True)
    stages.cell(2, 1, _("Department")).font = Font(bold=True)
    for i, kind in enumerate(kinds):
        column = 2 + 2 * i
        stages.merge_cells(start_row=2, start_column=column, end_row=2, end_column=column + 1)
        stages.cell(2, column, str(ClockKind(kind).label)).font = Font(bold=True)
        stages.cell(3, column, _("due"))
        stages.cell(3, column + 1, _("late"))
    for row, unit in enumerate(assessment.units, start=4):
        stages.cell(row, 1, unit["name"])
        for i, kind in enumerate(kinds):
            stage = unit["stages"].get(kind, {"due": 0, "late": 0})
            stages.cell(row, 2 + 2 * i, stage["due"])
            stages.cell(row, 3 + 2 * i, stage["late"])
    stages.page_setup.paperSize = stages.PAPERSIZE_A4
    stages.page_setup.orientation = stages.ORIENTATION_LANDSCAPE
    agents = book.create_sheet(_("Agents"))
    headers = [
        (_("Agent"), "name"),
        (_("Orders accepted"), "orders"),
        (_("Answered at intake"), "answered_at_intake"),
        (_("Minutes to dispatch (average)"), "dispatch_minutes"),
        (_("Dispatched in time"), "dispatched_in_time"),
        (_("Dispatched late"), "dispatched_late"),
        (_("Returned as not ours"), "returned_as_not_ours"),
        (_("Callbacks made"), "callbacks"),
        (_("Callbacks late"), "callbacks_late"),
    ]
    for index, (header, _key) in enumerate(headers, start=1):
        agents.cell(1, index, header).font = Font(bold=True)
    for row, agent in enumerate(assessment.result.get("agents", []), start=2):
        for index, (_header, key) in enumerate(headers, start=1):
            agents.cell(row, index, agent[key])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
