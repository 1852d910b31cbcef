"""Core tables: the working-day calendar, per-day order numbering and administrator alerts."""

from __future__ import annotations

from typing import Any

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


class StepEvent(models.Model):
    """One step of a notice or an incident, with its actor and time and what changed from
    what: written once, never changed, never deleted."""

    kind = models.CharField(max_length=30, verbose_name=_("event"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_name = models.CharField(max_length=150, blank=True, verbose_name=_("actor name"))
    occurred_at = models.DateTimeField(verbose_name=_("occurred at"))
    note = models.TextField(blank=True, verbose_name=_("note"))
    old = models.JSONField(default=dict, blank=True)
    new = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError(f"{type(self).__name__} rows are never changed once written")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError(f"{type(self).__name__} rows are never deleted")

    @classmethod
    def unsaved(
        cls,
        kind: str,
        actor: Any,
        when: Any,
        *,
        note: str = "",
        old: dict[str, Any] | None = None,
        new: dict[str, Any] | None = None,
        **subject: Any,
    ) -> Any:
        """The step of `subject` (notice= or incident=), not written yet."""
        return cls(
            kind=kind,
            actor=actor,
            actor_name=(actor.get_full_name() or actor.username) if actor else "",
            occurred_at=when,
            note=note,
            old=old or {},
            new=new or {},
            **subject,
        )

    @classmethod
    def record(
        cls,
        kind: str,
        actor: Any,
        when: Any,
        *,
        note: str = "",
        old: dict[str, Any] | None = None,
        new: dict[str, Any] | None = None,
        **subject: Any,
    ) -> Any:
        """Write the step of `subject` (notice= or incident=)."""
        step = cls.unsaved(kind, actor, when, note=note, old=old, new=new, **subject)
        step.save()
        return step
