"""Loading the grid from CSV files as production departments keep them.

One file with a level column (every level in it, in any order), or one file per level
(`level=` given, the column then optional). Columns, in English or in Chinese:

  code 编码 · name 名称 · level 层级 · parent 上级编码 · department 运维单位

Every row is checked before anything is saved: a file with one bad row is refused whole,
with the line, the column and the reason of every bad row. A re-import updates the
elements it names in place (by code) and leaves the others as they are; nothing is ever
deleted. Files from Excel come as UTF-8 (with or without a byte-order mark) or GB18030.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.accounts.models import Department
from kefu.core.caches import configuration_changed
from kefu.outages.models import PARENT_LEVELS, GridElement, Level

#: Header names a file may use for each column.
HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("code", "编码", "设备编码"),
    "name": ("name", "名称", "设备名称"),
    "level": ("level", "层级", "类型"),
    "parent": ("parent", "上级编码", "上级"),
    "department": ("department", "运维单位", "单位编码"),
}
#: Level names a file may use.
LEVEL_NAMES: dict[str, str] = {
    **{level.value: level.value for level in Level},
    "变电站": Level.SUBSTATION,
    "线路": Level.FEEDER,
    "馈线": Level.FEEDER,
    "10kV线路": Level.FEEDER,
    "分支": Level.BRANCH,
    "分支线": Level.BRANCH,
    "开关": Level.BRANCH,
    "熔断器": Level.BRANCH,
    "台区": Level.TRANSFORMER,
    "变压器": Level.TRANSFORMER,
}
MAX_ROWS = 500_000


@dataclass(frozen=True)
class RowError:
    line: int  # the file's line number, the header being line 1
    column: str
    reason: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class _Row:
    line: int
    code: str
    name: str
    level: str
    parent: str
    department: str


def decode(data: bytes) -> str:
    """UTF-8 (a BOM allowed) or, failing that, GB18030 (what Chinese Excel writes)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _columns(header: list[str], level: str | None) -> tuple[dict[str, int], list[RowError]]:
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        for column, names in HEADERS.items():
            if name.strip().lower() in names:
                found[column] = index
    required = ["code", "name"] + ([] if level else ["level"])
    errors = [
        RowError(1, column, _("the header has no %(column)s column") % {"column": column})
        for column in required
        if column not in found
    ]
    return found, errors


def _rows(text: str, level: str | None) -> tuple[list[_Row], list[RowError]]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        return [], [RowError(1, "", _("the file is empty"))]
    columns, errors = _columns(header, level)
    if errors:
        return [], errors
    rows: list[_Row] = []

    def cell(values: list[str], column: str) -> str:
        index = columns.get(column)
        return values[index].strip() if index is not None and index < len(values) else ""

    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            errors.append(RowError(line, "", _("more than %(max)s rows") % {"max": MAX_ROWS}))
            break
        raw_level = cell(values, "level") or (level or "")
        rows.append(
            _Row(
                line=line,
                code=cell(values, "code"),
                name=cell(values, "name"),
                level=LEVEL_NAMES.get(raw_level.replace(" ", ""), f"?{raw_level}"),
                parent=cell(values, "parent"),
                department=cell(values, "department"),
            )
        )
    return rows, errors


def _check(rows: list[_Row], errors: list[RowError]) -> None:
    """Every row's own fields, and each parent: in the file or already in the grid, of a
    level that may hold it; no element its own ancestor."""
    existing = {
        code: (level, parent)
        for code, level, parent in GridElement.objects.values_list("code", "level", "parent__code")
    }
    departments = set(Department.objects.values_list("code", flat=True))
    seen: dict[str, int] = {}
    levels = {code: level for code, (level, _p) in existing.items()}
    parents: dict[str, str | None] = {code: parent for code, (_l, parent) in existing.items()}
    for row in rows:
        if row.level.startswith("?"):
            errors.append(
                RowError(row.line, "level", _("unknown level %(value)s") % {"value": row.level[1:]})
            )
        levels[row.code] = row.level
        parents[row.code] = row.parent or None
    for row in rows:

        def bad(column: str, reason: str, row: _Row = row) -> None:
            errors.append(RowError(row.line, column, reason))

        if not row.code:
            bad("code", _("the code is empty"))
        elif len(row.code) > 60:
            bad("code", _("the code is longer than 60 characters"))
        elif row.code in seen:
            bad(
                "code",
                _("the code %(code)s is on line %(line)s too")
                % {"code": row.code, "line": seen[row.code]},
            )
        else:
            seen[row.code] = row.line
        if not row.name:
            bad("name", _("the name is empty"))
        elif len(row.name) > 100:
            bad("name", _("the name is longer than 100 characters"))
        if row.department and row.department not in departments:
            bad("department", _("no department with code %(code)s") % {"code": row.department})
        if row.level.startswith("?"):
            continue
        allowed = PARENT_LEVELS[row.level]
        if not row.parent:
            if allowed:
                bad("parent", _("a %(level)s needs a parent") % {"level": Level(row.level).label})
            continue
        if not allowed:
            bad("parent", _("a substation has no parent"))
            continue
        parent_level = levels.get(row.parent)
        if parent_level is None:
            bad(
                "parent",
                _("no element with code %(code)s, in the file or the grid") % {"code": row.parent},
            )
        elif parent_level not in allowed:
            bad(
                "parent",
                _("a %(level)s cannot hang under a %(parent)s")
                % {
                    "level": Level(row.level).label,
                    "parent": Level(parent_level).label
                    if parent_level in Level.values
                    else parent_level,
                },
            )
    # Existing children keep their parent: a level changed under them must still fit.
    changed = {
        row.code: row for row in rows if row.code in existing and not row.level.startswith("?")
    }
    if changed:
        for code, level, above in GridElement.objects.filter(
            parent__code__in=list(changed)
        ).values_list("code", "level", "parent__code"):
            row = changed[above]
            if code not in seen and row.level not in PARENT_LEVELS[level]:
                errors.append(
                    RowError(
                        row.line,
                        "level",
                        _("%(code)s has a %(child)s under it, which cannot hang under a %(level)s")
                        % {
                            "code": row.code,
                            "child": Level(level).label,
                            "level": Level(row.level).label,
                        },
                    )
                )
    for row in rows:
        walked = {row.code}
        up = parents.get(row.code)
        while up is not None:
            if up in walked:
                errors.append(
                    RowError(
                        row.line, "parent", _("%(code)s would be below itself") % {"code": row.code}
                    )
                )
                break
            walked.add(up)
            up = parents.get(up)


Progress = Callable[[int, int], None]


def import_grid(
    data: bytes | str, *, level: str | None = None, progress: Progress | None = None
) -> ImportReport:
    """Load one file; nothing is saved unless every row is right."""
    text = data if isinstance(data, str) else decode(data)
    if level is not None and level not in Level.values:
        return ImportReport(
            errors=[RowError(0, "level", _("unknown level %(value)s") % {"value": level})]
        )
    rows, errors = _rows(text, level)
    if not errors:
        _check(rows, errors)
    report = ImportReport(errors=sorted(errors, key=lambda e: (e.line, e.column)))
    if errors:
        return report
    with transaction.atomic():
        _write(rows, report, progress or (lambda done, total: None))
    return report


def _by_depth(rows: list[_Row]) -> list[list[_Row]]:
    """The rows in layers, parents before children (a row's parent may come later in the
    file, or be in the grid already)."""
    in_file = {row.code: row for row in rows}
    depth: dict[str, int] = {}

    def depth_of(code: str) -> int:
        if code not in depth:
            row = in_file.get(code)
            depth[code] = 0 if row is None or not row.parent else depth_of(row.parent) + 1
        return depth[code]

    layers: dict[int, list[_Row]] = {}
    for row in rows:
        layers.setdefault(depth_of(row.code), []).append(row)
    return [layers[d] for d in sorted(layers)]


def _write(rows: list[_Row], report: ImportReport, progress: Progress) -> None:
    now = timezone.now()
    departments = dict(Department.objects.values_list("code", "pk"))
    elements = {e.code: e for e in GridElement.objects.all()}
    total, done = len(rows), 0
    changed: list[GridElement] = []
    for layer in _by_depth(rows):
        new: list[GridElement] = []
        for row in layer:
            parent = elements[row.parent] if row.parent else None
            wanted = {
                "name": row.name,
                "level": row.level,
                "parent_id": parent.pk if parent else None,
                "department_id": departments.get(row.department) if row.department else None,
            }
            element = elements.get(row.code)
            if element is None:
                element = GridElement(code=row.code, path="", updated_at=now, **wanted)
                new.append(element)
                elements[row.code] = element
            elif any(getattr(element, k) != v for k, v in wanted.items()):
                for key, value in wanted.items():
                    setattr(element, key, value)
                element.updated_at = now
                changed.append(element)
            else:
                report.unchanged += 1
        # One layer's new elements at once: their ids are the next layer's parent ids.
        for start in range(0, len(new), 2000):
            GridElement.objects.bulk_create(new[start : start + 2000])
            done += len(new[start : start + 2000])
            progress(min(done, total), total)
        report.created += len(new)
        done += len(layer) - len(new)
        progress(min(done, total), total)
    report.updated = len(changed)
    GridElement.objects.bulk_update(
        changed, ["name", "level", "parent", "department", "updated_at"], batch_size=2000
    )
    repath()
    configuration_changed()  # every process forgets the grid it cached


def repath() -> int:
    """Recompute every element's path from the parents; the ones that moved are saved."""
    parents = dict(GridElement.objects.values_list("pk", "parent_id"))
    paths: dict[int, str] = {}

    def path_of(pk: int) -> str:
        if pk not in paths:
            parent = parents[pk]
            paths[pk] = (path_of(parent) if parent else "/") + f"{pk}/"
        return paths[pk]

    stale = []
    for pk, path in GridElement.objects.values_list("pk", "path"):
        if path_of(pk) != path:
            stale.append(GridElement(pk=pk, path=paths[pk]))
    GridElement.objects.bulk_update(stale, ["path"], batch_size=2000)
    return len(stale)


def error_lines(errors: Iterable[RowError]) -> Iterable[str]:
    """A file's bad rows as lines for a terminal."""
    for error in errors:
        yield _("line %(line)s, %(column)s: %(reason)s") % {
            "line": error.line,
            "column": error.column or "-",
            "reason": error.reason,
        }


def report_lines(report: ImportReport) -> Iterable[str]:
    """The report as lines for a terminal: each error, or the counts."""
    if report.errors:
        yield from error_lines(report.errors)
        return
    yield _("%(created)s created, %(updated)s updated, %(unchanged)s unchanged") % {
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
    }
