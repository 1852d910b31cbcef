"""The shift handover (交接班): what the outgoing leader hands over, signed by both."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Handover(models.Model):
    shift_start = models.DateTimeField(verbose_name=_("shift start"))
    shift_end = models.DateTimeField(verbose_name=_("shift end"))
    outgoing_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("outgoing leader"),
    )
    incoming_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("incoming leader"),
    )
    notes = models.TextField(blank=True, verbose_name=_("notes"))
    incoming_note = models.TextField(blank=True, verbose_name=_("incoming leader's note"))
    # What the shift hands over, as it stood when the outgoing leader signed.
    snapshot = models.JSONField(default=dict, verbose_name=_("handed over"))
    signed_at = models.DateTimeField(verbose_name=_("signed at"))
    acknowledged_at = models.DateTimeField(null=True, blank=True, verbose_name=_("acknowledged at"))

    class Meta:
        verbose_name = _("shift handover")
        verbose_name_plural = _("shift handovers")
        ordering = ["-signed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.shift_start:%Y-%m-%d %H:%M}–{self.shift_end:%H:%M}"

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("handovers are kept")


class AgentStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    AWAY = "away", _("Away")
    SIGNED_OUT = "signed_out", _("Signed out")


class AgentStatusChange(models.Model):
    """An agent's status over time (示忙/示闲/签出): the latest row is the status now."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="status_changes",
        verbose_name=_("user"),
    )
    status = models.CharField(max_length=12, choices=AgentStatus.choices, verbose_name=_("status"))
    at = models.DateTimeField(verbose_name=_("since"))

    class Meta:
        verbose_name = _("agent status")
        verbose_name_plural = _("agent statuses")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "-at"], name="agent_status_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.status}"
