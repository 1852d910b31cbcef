"""A department assessment: one period's figures, deductions, scores and grades, prepared
by the 95598 service team and signed by the assessor (the marketing department). What was
signed is kept as it was: later changes to orders do not change it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.core.models import StepEvent


class AssessmentState(models.TextChoices):
    PREPARED = "prepared", _("Prepared, awaiting signature")
    SIGNED = "signed", _("Signed")


class Assessment(models.Model):
    """One period's assessment (考核), most often a month; `period_end` is the last day."""

    number = models.CharField(max_length=30, unique=True, verbose_name=_("number"))
    period_start = models.DateField(verbose_name=_("from"))
    period_end = models.DateField(verbose_name=_("to"))
    profile = models.CharField(max_length=40, verbose_name=_("policy profile"))
    state = models.CharField(
        max_length=10,
        choices=AssessmentState.choices,
        default=AssessmentState.PREPARED,
        verbose_name=_("state"),
    )
    # Every unit's figures, deductions, score and grade as computed at `computed_at`: what
    # the page, the exports and the signature are about.
    result = models.JSONField(default=dict)
    computed_at = models.DateTimeField(verbose_name=_("computed at"))
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField(verbose_name=_("prepared at"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("signed at"))
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-period_start", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["period_start", "period_end"], name="one_assessment_per_period"
            )
        ]

    def __str__(self) -> str:
        return self.number

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("assessments are never deleted")

    @property
    def units(self) -> list[dict[str, Any]]:
        units: list[dict[str, Any]] = self.result.get("units", [])
        return units


class AssessmentEvent(StepEvent):
    """Every step of an assessment: prepared, prepared again, signed."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="events")

    class Meta(StepEvent.Meta):
        pass


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")


class ServiceReport(models.Model):
    """The monthly service report (月度服务报告): the month's figures and charts, the
    assessment table, the complaint hot spots with their analysis, and the follow-up the
    supervisor writes (plan, do, check, act) — which the next month's report checks."""

    number = models.CharField(max_length=20, unique=True, verbose_name=_("number"))
    month_start = models.DateField(unique=True, verbose_name=_("month"))
    month_end = models.DateField(verbose_name=_("to"))
    state = models.CharField(
        max_length=10,
        choices=ReportState.choices,
        default=ReportState.DRAFT,
        verbose_name=_("state"),
    )
    # The figures as computed at `computed_at` (prepared again until issued; then kept).
    figures = models.JSONField(default=dict)
    computed_at = models.DateTimeField(verbose_name=_("computed at"))
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField(verbose_name=_("prepared at"))
    follow_plan = models.TextField(blank=True, verbose_name=_("plan"))
    follow_do = models.TextField(blank=True, verbose_name=_("do"))
    follow_check = models.TextField(blank=True, verbose_name=_("check"))
    follow_act = models.TextField(blank=True, verbose_name=_("act"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True, verbose_name=_("issued at"))
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("monthly service report")
        verbose_name_plural = _("monthly service reports")
        ordering = ["-month_start"]

    def __str__(self) -> str:
        return self.number

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("service reports are never deleted")

    def follow_up_plan_written(self) -> bool:
        return bool(self.follow_plan.strip())


class ServiceReportEvent(StepEvent):
    """Every step of a monthly report: prepared, prepared again, follow-up written, issued."""

    report = models.ForeignKey(ServiceReport, on_delete=models.PROTECT, related_name="events")

    class Meta(StepEvent.Meta):
        pass
