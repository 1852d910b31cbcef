"""Every change of an assessment: prepared (or prepared again) by the service team, signed
by the assessor. Each is one transaction with its event. A signed assessment is frozen;
`compare` computes it again and shows what changed since, beside it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Department, User
from kefu.assessment import center, figures, scoring
from kefu.assessment.models import Assessment, AssessmentEvent, AssessmentState
from kefu.core.calendar import BEIJING
from kefu.core.errors import Conflict, IllegalTransition, InvalidInput, NotFound
from kefu.core.policy import active_policy
from kefu.tickets.services.checks import authorize

#: What a comparison looks at, besides each stage.
COMPARED = (*figures.COUNTS, "delay_minutes", "score", "grade")


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, the day after end 00:00) in Beijing."""
    first = dt.datetime.combine(start, dt.time(), tzinfo=BEIJING)
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=BEIJING)
    return first, after


def month(text: str) -> tuple[dt.date, dt.date]:
    """ "2026-03" → its first and last day."""
    try:
        first = dt.date.fromisoformat(f"{text}-01")
    except ValueError:
        raise InvalidInput(
            _("%(value)s is not a month like 2026-03"), field="month", value=text
        ) from None
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def compute(
    start: dt.date, end: dt.date, now: dt.datetime | None = None, *, measures: bool = True
) -> dict[str, Any]:
    """Every unit's figures, deductions, score and grade for the period, as of `now`; and
    (unless `measures` is False) the center's and the agents' measures."""
    now = now or timezone.now()
    first, after = period_bounds(start, end)
    policy = active_policy().assessment
    found = figures.unit_figures(first, after, now)
    names = dict(Department.objects.values_list("code", "name"))
    units = []
    for code, unit in found.items():
        units.append(
            {"code": code, "name": names.get(code, code), **unit, **scoring.score(unit, policy)}
        )
    units.sort(key=lambda u: (float(u["score"]), u["code"]))
    result: dict[str, Any] = {"units": units, "as_of": now.isoformat()}
    if measures:
        result["center"] = center.center_measures(first, after)
        result["agents"] = center.agent_measures(first, after)
    return result


def _check_period(start: dt.date, end: dt.date, now: dt.datetime) -> None:
    if end < start:
        raise InvalidInput(_("the period ends before it starts"), field="period_end")
    if (end - start).days > 366:
        raise InvalidInput(_("a period is at most a year"), field="period_end")
    if start > now.astimezone(BEIJING).date():
        raise InvalidInput(_("the period has not begun"), field="period_start")


def prepare_assessment(*, actor: User, start: dt.date, end: dt.date) -> Assessment:
    """编制: the service team computes the period's assessment (again, if it is not signed
    yet: each time an event with the scores it found)."""
    authorize(actor, "prepare_assessment")
    now = timezone.now()
    _check_period(start, end, now)
    result = compute(start, end, now)
    summary = {
        "units": len(result["units"]),
        "failing": [u["code"] for u in result["units"] if u["grade"] == scoring.Grade.FAIL],
    }
    with transaction.atomic():
        assessment = (
            Assessment.objects.select_for_update()
            .filter(period_start=start, period_end=end)
            .first()
        )
        if assessment is None:
            assessment = Assessment.objects.create(
                number=f"KH{start:%Y%m%d}-{end:%Y%m%d}",
                period_start=start,
                period_end=end,
                profile=active_policy().profile.name,
                result=result,
                computed_at=now,
                prepared_by=actor,
                prepared_at=now,
            )
            kind = "prepared"
        else:
            if assessment.state == AssessmentState.SIGNED:
                raise IllegalTransition(
                    _("assessment %(number)s is signed: it is kept as it was signed"),
                    field="period",
                    number=assessment.number,
                )
            assessment.result = result
            assessment.profile = active_policy().profile.name
            assessment.computed_at = now
            assessment.prepared_by = actor
            assessment.prepared_at = now
            assessment.version += 1
            assessment.save()
            kind = "prepared_again"
        AssessmentEvent.record(kind, actor, now, new=summary, assessment=assessment)
    return assessment


def lock_assessment(number: str) -> Assessment:
    assessment = Assessment.objects.select_for_update().filter(number=number).first()
    if assessment is None:
        raise NotFound(_("no assessment %(number)s"), field="number", number=number)
    return assessment


def sign_assessment(
    *, actor: User, number: str, version: int | None = None, note: str = ""
) -> Assessment:
    """审核签字: the assessor signs the assessment as prepared; from then on it is frozen."""
    authorize(actor, "sign_assessment")
    now = timezone.now()
    with transaction.atomic():
        assessment = lock_assessment(number)
        if version is not None and version != assessment.version:
            raise Conflict(
                _(
                    "assessment %(number)s was prepared again since you read it (version "
                    "%(version)s, now %(now)s); read it again before signing"
                ),
                field="version",
                number=number,
                version=version,
                now=assessment.version,
            )
        if assessment.state == AssessmentState.SIGNED:
            raise IllegalTransition(
                _("assessment %(number)s is signed already"), field="state", number=number
            )
        assessment.state = AssessmentState.SIGNED
        assessment.signed_by = actor
        assessment.signed_at = now
        assessment.version += 1
        assessment.save()
        AssessmentEvent.record(
            "signed",
            actor,
            now,
            note=note,
            new={"computed_at": assessment.computed_at.isoformat(), "version": assessment.version},
            assessment=assessment,
        )
    return assessment


def compare(assessment: Assessment, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """What computing the period again gives beside what was kept: per unit, each figure
    (and stage) that differs, as (kept, now)."""
    again = compute(assessment.period_start, assessment.period_end, now, measures=False)
    live = {u["code"]: u for u in again["units"]}
    kept = {u["code"]: u for u in assessment.units}
    differences = []
    for code in sorted(kept.keys() | live.keys()):
        before, after = kept.get(code), live.get(code)
        changes: dict[str, tuple[Any, Any]] = {}
        for name in COMPARED:
            old = before.get(name) if before else None
            new = after.get(name) if after else None
            if old != new:
                changes[name] = (old, new)
        stages = (before or {}).get("stages", {}).keys() | (after or {}).get("stages", {}).keys()
        for kind in sorted(stages):
            old = (before or {}).get("stages", {}).get(kind)
            new = (after or {}).get("stages", {}).get(kind)
            if old != new:
                changes[f"stage:{kind}"] = (old, new)
        if changes:
            name = (after or before or {}).get("name", code)
            differences.append({"code": code, "name": name, "changes": changes})
    return differences
