"""Loading outage notices from CSV, as the production and dispatch departments send them.

Production technology sends its approved maintenance plans, dispatch and the customer
center their temporary and fault outages (001 art. 24, 26); the 95598 team enters them.
One notice a row; columns in English or in Chinese:

  kind 停电类型 · start 停电开始时间 · expected 预计送电时间 · cause 停电原因 ·
  area 停电范围 (grid codes, separated by ; or 、) · addresses 停电地址 (lines, ; or 、) ·
  lines 停电线路 · notes 备注 · requested_by 申请部门 (a department code)

Times are Beijing time ("2026-03-12 08:00") unless they carry an offset. Every row is
checked as a notice drafted by hand would be, before anything is saved: a file with one
bad row is refused whole, with the line, the column and the reason of every bad row.
The notices are drafted (and, when asked, published: the notice-time rule then judges
each one as it would by hand), each with its events, in one transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from kefu.accounts.models import User
from kefu.core.calendar import BEIJING
from kefu.core.errors import DomainError
from kefu.outages.models import OutageKind, OutageNotice
from kefu.outages.services import NoticeDraft, check_draft, draft_notice, publish_notice
from kefu.outages.topology_import import RowError, decode
from kefu.tickets.services.checks import authorize

HEADERS: dict[str, tuple[str, ...]] = {
    "kind": ("kind", "类型", "停电类型"),
    "start": ("start", "start_at", "开始时间", "停电开始时间"),
    "expected": (
        "expected",
        "expected_restoration_at",
        "预计送电时间",
        "预计恢复时间",
        "结束时间",
        "停电结束时间",
    ),
    "cause": ("cause", "原因", "停电原因", "工作内容"),
    "area": ("area", "elements", "停电范围", "设备编码", "停电设备"),
    "addresses": ("addresses", "停电地址", "停电区域", "地址"),
    "lines": ("lines", "线路", "停电线路"),
    "notes": ("notes", "备注"),
    "requested_by": ("requested_by", "申请部门", "申请单位"),
}
REQUIRED = ("kind", "start", "expected", "cause")
KIND_NAMES: dict[str, str] = {
    **{kind.value: kind.value for kind in OutageKind},
    "计划": OutageKind.PLANNED,
    "计划停电": OutageKind.PLANNED,
    "临时": OutageKind.TEMPORARY,
    "临时停电": OutageKind.TEMPORARY,
    "欠费": OutageKind.ARREARS,
    "欠费停电": OutageKind.ARREARS,
    "故障": OutageKind.FAULT,
    "故障停电": OutageKind.FAULT,
    "拉闸限电": OutageKind.LOAD_SHEDDING,
    "限电": OutageKind.LOAD_SHEDDING,
    "其他": OutageKind.OTHER,
}
#: Which CSV column a refusal of the drafting checks is about.
FIELD_COLUMNS = {
    "kind": "kind",
    "start_at": "start",
    "expected_restoration_at": "expected",
    "cause": "cause",
    "elements": "area",
    "requested_by": "requested_by",
}
MAX_ROWS = 5_000
SEPARATORS = re.compile(r"[;；、\n]+")


@dataclass
class NoticeImportReport:
    notices: list[OutageNotice] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _moment(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text.strip().replace("/", "-"))
    return value.replace(tzinfo=BEIJING) if value.tzinfo is None else value


def _draft(line: int, cell: dict[str, str], errors: list[RowError]) -> NoticeDraft | None:
    """The row as a draft, or None with its errors noted."""
    kind = KIND_NAMES.get(cell["kind"].replace(" ", ""))
    if kind is None:
        errors.append(
            RowError(line, "kind", _("unknown outage kind %(value)s") % {"value": cell["kind"]})
        )
        return None
    times: dict[str, dt.datetime] = {}
    for column in ("start", "expected"):
        try:
            times[column] = _moment(cell[column])
        except ValueError:
            errors.append(
                RowError(
                    line,
                    column,
                    _("%(value)s is not a time like 2026-03-12 08:00") % {"value": cell[column]},
                )
            )
    if len(times) < 2:
        return None
    return NoticeDraft(
        kind=kind,
        start_at=times["start"],
        expected_restoration_at=times["expected"],
        cause=cell["cause"],
        lines=cell["lines"],
        addresses="\n".join(p.strip() for p in SEPARATORS.split(cell["addresses"]) if p.strip()),
        notes=cell["notes"],
        requested_by=cell["requested_by"] or None,
        elements=tuple(p.strip() for p in SEPARATORS.split(cell["area"]) if p.strip()),
    )


def read_notices(data: bytes) -> tuple[list[tuple[int, NoticeDraft]], list[RowError]]:
    """The file's rows as drafts, each checked as by hand; the errors of every bad row."""
    reader = csv.reader(io.StringIO(decode(data)))
    header = next(reader, None)
    if header is None:
        return [], [RowError(1, "", _("the file is empty"))]
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        for column, names in HEADERS.items():
            if name.strip().lower() in names:
                columns[column] = index
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        return [], [
            RowError(1, c, _("the header has no %(column)s column") % {"column": c})
            for c in missing
        ]
    drafts: list[tuple[int, NoticeDraft]] = []
    errors: list[RowError] = []
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(drafts) + len(errors) >= MAX_ROWS:
            errors.append(RowError(line, "", _("more than %(max)s rows") % {"max": MAX_ROWS}))
            break
        cell = {
            column: values[columns[column]].strip()
            if column in columns and columns[column] < len(values)
            else ""
            for column in HEADERS
        }
        draft = _draft(line, cell, errors)
        if draft is None:
            continue
        try:
            check_draft(draft)
        except DomainError as exc:
            errors.append(RowError(line, FIELD_COLUMNS.get(exc.field or "", ""), exc.localized()))
            continue
        drafts.append((line, draft))
    return drafts, errors


def import_notices(*, actor: User, data: bytes, publish: bool = False) -> NoticeImportReport:
    """Draft (and, if asked, publish) a notice for every row, or nothing at all."""
    authorize(actor, "manage_outages")
    drafts, errors = read_notices(data)
    report = NoticeImportReport(errors=errors)
    if errors:
        return report
    if not drafts:
        report.errors.append(RowError(1, "", _("the file holds no notice")))
        return report
    with transaction.atomic():
        for _line, draft in drafts:
            notice = draft_notice(actor=actor, draft=draft)
            if publish:
                notice = publish_notice(actor=actor, number=notice.number)
            report.notices.append(notice)
    return report
