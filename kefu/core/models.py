"""Core tables: the working-day calendar, per-day order numbering and administrator alerts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    WORKDAY = "workday", _("Working day")
    WEEKEND = "weekend", _("Weekend")
    HOLIDAY = "holiday", _("Holiday")
    MAKEUP = "makeup", _("Make-up working day")


class CalendarYear(models.Model):
    """A year the calendar covers; deadlines reaching past the covered years are provisional."""

    year = models.PositiveSmallIntegerField(primary_key=True, verbose_name=_("year"))
    source = models.CharField(max_length=40, verbose_name=_("source"))
    loaded_at = models.DateTimeField(auto_now=True, verbose_name=_("loaded at"))
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """One day of the official calendar (工作日 / 节假日 / 调休)."""

    date = models.DateField(primary_key=True, verbose_name=_("date"))
    kind = models.CharField(max_length=10, choices=DayKind.choices, verbose_name=_("kind"))
    is_working_day = models.BooleanField(verbose_name=_("working day"))
    name = models.CharField(max_length=60, blank=True, verbose_name=_("name"))

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        indexes = [models.Index(fields=["is_working_day", "date"], name="calendar_working_idx")]

    def __str__(self) -> str:
        return f"{self.date} {self.kind}"

    def save(self, *args: object, **kwargs: object) -> None:
        # The working flag follows from the kind; an administrator edits only the kind.
        self.is_working_day = self.kind in (DayKind.WORKDAY, DayKind.MAKEUP)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class DailySequence(models.Model):
    """Last order number issued on a Beijing day (工单号 per-day sequence)."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class AlertKind(models.TextChoices):
    CALENDAR_MISSING = "calendar_missing", _("Calendar year missing")


class Alert(models.Model):
    """Something administrators must act on; kept, and marked resolved when it is."""

    kind = models.CharField(max_length=40, choices=AlertKind.choices, verbose_name=_("kind"))
    key = models.CharField(max_length=80, unique=True)
    message = models.TextField(verbose_name=_("message"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("resolved at"))

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.message
