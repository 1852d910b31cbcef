"""From a department's figures to its score and grade: 100 points less the policy's
deductions, each kind capped (policy `[assessment]`)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.policy import AssessmentPolicy

FULL = Decimal(100)
TENTH = Decimal("0.1")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")


def cases(figures: dict[str, Any]) -> dict[str, int]:
    """How many cases of each deduction the figures hold."""
    return {
        "late_stage": sum(stage["late"] for stage in figures["stages"].values()),
        "late_return": figures["returned_late"],
        "urge": figures["urged"],
        "customer_urge": figures["customer_urges"],
        "rework": figures["rework"],
        "dissatisfied": figures["dissatisfied"],
        "late_notice": figures["late_notices"],
    }


def grade_of(score: Decimal, policy: AssessmentPolicy) -> Grade:
    if score >= policy.excellent:
        return Grade.EXCELLENT
    if score >= policy.passing:
        return Grade.PASS
    return Grade.FAIL


def score(figures: dict[str, Any], policy: AssessmentPolicy) -> dict[str, Any]:
    """The deductions (each kind: cases, points taken, capped or not), the score, the grade."""
    deductions: dict[str, dict[str, Any]] = {}
    for name, count in cases(figures).items():
        rule = policy.deductions()[name]
        taken = min(rule.points * count, rule.cap)
        deductions[name] = {
            "cases": count,
            "points": str(taken),
            "capped": rule.points * count > rule.cap,
        }
    total = sum((Decimal(d["points"]) for d in deductions.values()), Decimal(0))
    result = max(FULL - total, Decimal(0)).quantize(TENTH, rounding=ROUND_HALF_UP)
    return {
        "deductions": deductions,
        "score": str(result),
        "grade": grade_of(result, policy).value,
    }
